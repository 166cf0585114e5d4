import type { VendorEvent } from '@fleetgate/vendors';
import { redeliveryKey } from './redelivery-key';

describe('redeliveryKey', () => {
  const taskDone: VendorEvent = {
    kind: 'task.progress',
    progress: { vendorTaskId: '7', vendorRef: 'AC1', status: 'succeeded', vendorStatus: 3 },
  };

  it('gives an equal task callback the same key: a task reports each status once', () => {
    const body = { taskId: 7, padCode: 'AC1', taskStatus: 3 };
    expect(redeliveryKey({ ...body }, [taskDone])).toBe(redeliveryKey(body, [taskDone]));
    expect(redeliveryKey({ ...body, taskStatus: 2 }, [taskDone])).not.toBe(redeliveryKey(body, [taskDone]));
  });

  it('gives an equal state with its own time the same key', () => {
    const event: VendorEvent = {
      kind: 'device.status',
      vendorRef: 'AC1',
      status: 'online',
      at: '2026-12-03T08:00:00Z',
    };
    const body = { state: 'on', at: '2026-12-03T08:00:00Z' };
    expect(redeliveryKey(body, [event])).toBe(redeliveryKey({ ...body }, [event]));
  });

  it('gives every delivery of a state without a time a key of its own: the same state again is a new report', () => {
    const event: VendorEvent = { kind: 'device.status', vendorRef: 'AC1', status: 'offline' };
    const body = { padStatus: 14, padCode: 'AC1' };
    expect(redeliveryKey(body, [event])).not.toBe(redeliveryKey(body, [event]));
  });
});
