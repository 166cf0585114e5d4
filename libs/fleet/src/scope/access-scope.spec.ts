import type { JobRunQueryDto, SchedulingService } from '@fleetgate/scheduling';
import type { ArtifactService } from '../artifacts/artifact.service';
import type { DeviceService } from '../devices/device.service';
import type { DeviceQueryDto } from '../devices/device.dto';
import type { EventDeliveryQueryDto } from '../events/event-subscription.dto';
import type { EventSubscriptionService } from '../events/event-subscription.service';
import type { FleetEvents } from '../events/fleet-events';
import type { CreateTaskDto, TaskQueryDto } from '../tasks/task.dto';
import type { TaskControlService } from '../tasks/task-control.service';
import type { TaskCreationService } from '../tasks/task-creation.service';
import type { TaskQueryService } from '../tasks/task-query.service';
import { type AccessScope, callerScope, departmentInScope, ownerInScope, systemScope } from './access-scope';
import { devicesInScope, tasksInScope } from './data-scope-where';

/**
 * Never called: it only has to compile. Each line is a query without its scope, and each must be a
 * type error (ts-jest type-checks this file, and `npm run lint` runs tsc over it): a directive that
 * is not needed fails the build, so a scope made optional again is caught here.
 */
export function queriesWithoutScope(
  services: {
    devices: DeviceService;
    creation: TaskCreationService;
    tasks: TaskQueryService;
    control: TaskControlService;
    artifacts: ArtifactService;
    subscriptions: EventSubscriptionService;
    events: FleetEvents;
    scheduling: SchedulingService;
  },
  input: {
    devices: DeviceQueryDto;
    tasks: TaskQueryDto;
    task: CreateTaskDto;
    deliveries: EventDeliveryQueryDto;
    runs: JobRunQueryDto;
  },
): void {
  // @ts-expect-error a device query needs a scope
  void services.devices.list(input.devices);
  // @ts-expect-error a device query needs a scope
  void services.devices.get('id');
  // @ts-expect-error a device change needs a scope
  void services.devices.addToGroup('group', ['id']);
  // @ts-expect-error another library reads devices within a scope
  void services.devices.accountRefsOf(['id']);
  // @ts-expect-error another library reads devices within a scope
  void services.devices.inAccountByVendorRef('account', ['ref']);
  // @ts-expect-error a task needs a scope to be created in
  void services.creation.create(input.task);
  // @ts-expect-error a task query needs a scope
  void services.tasks.list(input.tasks);
  // @ts-expect-error a task change needs a scope
  void services.control.cancel('id');
  // @ts-expect-error an artifact query needs a scope
  void services.artifacts.get('id');
  // @ts-expect-error an artifact lookup for a task needs a scope
  void services.artifacts.linkFor('id', 'app');
  // @ts-expect-error a subscription query needs a scope
  void services.subscriptions.list();
  // @ts-expect-error a delivery query needs a scope
  void services.subscriptions.deliveries('id', input.deliveries);
  // @ts-expect-error the live stream needs a scope
  void services.events.stream();
  // @ts-expect-error a scheduled-job query needs a scope
  void services.scheduling.get('id');
  // @ts-expect-error a job-run query needs a scope
  void services.scheduling.runs(input.runs);
  // @ts-expect-error the system names why it reaches everything
  void devicesInScope(systemScope());
  // @ts-expect-error undefined is no scope
  void tasksInScope(undefined);
}

describe('AccessScope', () => {
  const department = (ids: string[]): AccessScope =>
    callerScope({
      userId: 'u1',
      departmentId: ids[0],
      scope: { kind: 'departments', departmentIds: ids, userId: 'u1' },
    });
  const own: AccessScope = callerScope({ userId: 'u1', scope: { kind: 'own', userId: 'u1' } });

  it('has the system name its reason, and reach every record', () => {
    expect(() => systemScope(' ')).toThrow('reason');
    expect(devicesInScope(systemScope('device sync'))).toEqual({});
    expect(tasksInScope(systemScope('sweeper'))).toEqual({});
  });

  it('keeps a caller to its departments and its own records', () => {
    expect(devicesInScope(department(['d1']))).toEqual({
      OR: [{ departmentId: { in: ['d1'] } }, { ownerId: 'u1' }],
    });
    expect(tasksInScope(own)).toEqual({ createdById: 'u1' });
    expect(ownerInScope(department(['d1']), { departmentId: 'd1', userId: null })).toBe(true);
    expect(ownerInScope(department(['d1']), { departmentId: 'd2', userId: 'u2' })).toBe(false);
    expect(ownerInScope(department(['d1']), { departmentId: null, userId: null })).toBe(false);
    expect(ownerInScope(own, { departmentId: 'd1', userId: 'u1' })).toBe(true);
    expect(ownerInScope(own, { departmentId: 'd1', userId: null })).toBe(false);
  });

  it('lets a caller hand records only to departments within its scope', () => {
    expect(departmentInScope(department(['d1', 'd1a']), 'd1a')).toBe(true);
    expect(departmentInScope(department(['d1']), 'd2')).toBe(false);
    expect(departmentInScope(own, 'd1')).toBe(false);
    expect(departmentInScope(callerScope({ userId: 'u1', scope: { kind: 'all' } }), 'd2')).toBe(true);
  });
});
