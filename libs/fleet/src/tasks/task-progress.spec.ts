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

  describe('a target that owns several vendor tasks', () => {
    const owner = (id: string, ids: string[], status = 'running', vendorRef = 'TMX000001'): ProgressTarget => ({
      ...target(id, ids[0], status, vendorRef),
      vendorTaskIds: ids,
    });

    it('stays running until every one of its vendor tasks has ended', () => {
      const plan = planMoves([owner('a', ['101', '102'])], [entry('101', 'succeeded'), entry('102', 'running')]);
      expect(plan).toEqual([]);
    });

    it('ends with the status of all of them together', () => {
      const plan = planMoves(
        [owner('a', ['101', '102']), owner('b', ['103', '104'], 'running', 'TMX000002'), owner('c', ['105', '106'])],
        [
          entry('101', 'succeeded'),
          entry('102', 'succeeded'),
          entry('103', 'succeeded'),
          entry('104', 'failed', { error: { code: '3', message: 'script error' } }),
          entry('105', 'failed'),
          entry('106', 'failed'),
        ],
      );
      expect(changesOf(plan).a).toMatchObject({ status: 'succeeded' });
      expect(changesOf(plan).b).toMatchObject({ status: 'partially_failed', error: { message: 'script error' } });
      expect(changesOf(plan).c).toMatchObject({ status: 'failed' });
    });

    it('counts only the tasks that name it, when it holds candidates of its batch', () => {
      const targets = [
        owner('a', ['101', '102', '103'], 'running', 'tm_user_1a'),
        owner('b', ['101', '102', '103'], 'running', 'tm_user_2a'),
        owner('c', ['101', '102', '103'], 'running', 'tm_user_3a'),
      ];
      const plan = planMoves(targets, [
        entry('101', 'succeeded', { vendorRefs: ['TMX000001', 'tm_user_1a'] }),
        entry('102', 'failed', { vendorRefs: ['TMX000002', 'tm_user_2a'] }),
        entry('103', 'running', { vendorRefs: ['TMX000007', 'tm_user_7a'] }),
      ]);
      expect(changesOf(plan).a).toMatchObject({ status: 'succeeded' });
      expect(changesOf(plan).b).toMatchObject({ status: 'failed' });
      // No task of its batch names it: the vendor made none for it.
      expect(changesOf(plan).c).toMatchObject({ status: 'failed', error: { code: 'no_task' } });
    });

    it('moves from dispatching to running while its tasks run', () => {
      const plan = planMoves([owner('a', ['101', '102'], 'dispatching')], [entry('101', 'running')]);
      expect(changesOf(plan).a).toMatchObject({ status: 'running' });
    });
  });
});
