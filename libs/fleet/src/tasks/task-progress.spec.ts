import type { VendorTaskProgress } from '@fleetgate/vendors';
import { planMoves, type ProgressTarget } from './task-progress';

const target = (id: string, vendorTaskId: string | null, status: string, vendorRef = `pad-${id}`): ProgressTarget => ({
  id,
  taskId: 'task-1',
  vendorTaskId,
  vendorRef,
  status,
});

const entry = (
  vendorTaskId: string,
  status: VendorTaskProgress['status'],
  extra: Partial<VendorTaskProgress> = {},
) => ({
  vendorTaskId,
  status,
  vendorStatus: status,
  ...extra,
});

/** The plan as target id → change, which is what the UPDATEs will write. */
const changesOf = (plan: ReturnType<typeof planMoves>) =>
  Object.fromEntries(plan.flatMap(({ change, targets }) => targets.map((moved) => [moved.id, change])));

describe('planMoves', () => {
  it('groups targets with the same outcome into one change', () => {
    const targets = [target('a', 'v1', 'running'), target('b', 'v2', 'dispatching'), target('c', 'v3', 'running')];
    const plan = planMoves(targets, [entry('v1', 'succeeded'), entry('v2', 'succeeded'), entry('v3', 'failed')]);
    expect(plan).toHaveLength(2);
    expect(plan.find((group) => group.change.status === 'succeeded')?.targets.map((moved) => moved.id)).toEqual([
      'a',
      'b',
    ]);
    expect(plan.find((group) => group.change.status === 'failed')?.targets.map((moved) => moved.id)).toEqual(['c']);
  });

  it('lets the first final status of a target win, as applying the entries in turn would', () => {
    const plan = planMoves(
      [target('a', 'v1', 'running')],
      [entry('v1', 'succeeded'), entry('v1', 'failed', { error: { code: 'late', message: 'late failure' } })],
    );
    expect(changesOf(plan)).toEqual({ a: { status: 'succeeded', vendorStatus: 'succeeded' } });
  });

  it('moves forward through running to an ending and keeps what the earlier entry carried', () => {
    const plan = planMoves(
      [target('a', 'v1', 'dispatching')],
      [entry('v1', 'running', { result: { progress: 50 } }), entry('v1', 'succeeded')],
    );
    expect(changesOf(plan)).toEqual({
      a: { status: 'succeeded', vendorStatus: 'succeeded', result: { progress: 50 } },
    });
  });

  it('never moves a target backwards, nor out of a final status', () => {
    const plan = planMoves(
      [target('a', 'v1', 'running'), target('b', 'v2', 'succeeded'), target('c', 'v3', 'running')],
      [entry('v1', 'running'), entry('v2', 'failed'), entry('v3', 'pending')],
    );
    expect(plan).toEqual([]);
  });

  it('matches an entry with a vendorRef to that device only, and one without to every device of its vendor task', () => {
    const targets = [
      target('a', 'v1', 'running', 'pad-1'),
      target('b', 'v1', 'running', 'pad-2'),
      target('c', 'v2', 'running', 'pad-3'),
      target('d', 'v2', 'running', 'pad-4'),
      target('e', null, 'pending'),
    ];
    const plan = planMoves(targets, [
      entry('v1', 'failed', { vendorRef: 'pad-2' }),
      entry('v2', 'succeeded'),
      entry('unknown', 'succeeded'),
    ]);
    expect(Object.keys(changesOf(plan)).sort()).toEqual(['b', 'c', 'd']);
    expect(changesOf(plan).b.status).toBe('failed');
  });
});
