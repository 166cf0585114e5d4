import type { RedisConnections } from '@fleetgate/redis';
import type { ExecutorRegistry } from './executor-registry';
import { chooseExecutors, ExecutorRouter } from './executor-router';

const ONLINE = ['host-a:1', 'host-b:2', 'host-c:3'];

describe('chooseExecutors', () => {
  it('first: the first online executor, whatever the turn', () => {
    expect(chooseExecutors('first', ONLINE, 0)).toEqual([{ executor: 'host-a:1', shardIndex: 0, shardTotal: 1 }]);
    expect(chooseExecutors('first', ONLINE, 7)).toEqual([{ executor: 'host-a:1', shardIndex: 0, shardTotal: 1 }]);
  });

  it('failover: the first while it is online, the next in order once it is gone', () => {
    expect(chooseExecutors('failover', ONLINE, 3)).toEqual([{ executor: 'host-a:1', shardIndex: 0, shardTotal: 1 }]);
    expect(chooseExecutors('failover', ONLINE.slice(1), 3)).toEqual([
      { executor: 'host-b:2', shardIndex: 0, shardTotal: 1 },
    ]);
  });

  it('round_robin: each in turn, modulo how many are online', () => {
    const picked = [0, 1, 2, 3, 4].map((turn) => chooseExecutors('round_robin', ONLINE, turn)[0].executor);
    expect(picked).toEqual(['host-a:1', 'host-b:2', 'host-c:3', 'host-a:1', 'host-b:2']);
    expect(chooseExecutors('round_robin', ['host-a:1'], 5)[0].executor).toBe('host-a:1');
  });

  it('broadcast: every online executor, each with its shard of the total', () => {
    expect(chooseExecutors('broadcast', ONLINE, 0)).toEqual([
      { executor: 'host-a:1', shardIndex: 0, shardTotal: 3 },
      { executor: 'host-b:2', shardIndex: 1, shardTotal: 3 },
      { executor: 'host-c:3', shardIndex: 2, shardTotal: 3 },
    ]);
  });

  it('one shard fired again goes to the executor at its index, modulo, and keeps its total', () => {
    expect(chooseExecutors('broadcast', ONLINE.slice(0, 2), 0, { index: 2, total: 3 })).toEqual([
      { executor: 'host-a:1', shardIndex: 2, shardTotal: 3 },
    ]);
  });

  it('picks nobody when no executor is online', () => {
    for (const policy of ['first', 'failover', 'round_robin', 'broadcast'] as const) {
      expect(chooseExecutors(policy, [], 4)).toEqual([]);
    }
  });
});

describe('ExecutorRouter', () => {
  function routerWith(online: string[]) {
    const registry = { onlineIds: jest.fn().mockResolvedValue(online) };
    const router = new ExecutorRouter(registry as unknown as ExecutorRegistry, {} as RedisConnections);
    let turn = 0;
    const nextTurn = jest.spyOn(router as never as { nextTurn: () => Promise<number> }, 'nextTurn');
    nextTurn.mockImplementation(() => Promise.resolve(turn++));
    return { router, registry, nextTurn };
  }

  it('reads the online executors of the job group only', async () => {
    const { router, registry } = routerWith(ONLINE);
    await router.pick({ id: 'job', executorGroup: 'edge', routing: 'first' });
    expect(registry.onlineIds).toHaveBeenCalledWith('edge');
  });

  it('takes a turn per fire for round_robin only, so that fires alternate', async () => {
    const { router, nextTurn } = routerWith(ONLINE.slice(0, 2));
    const job = { id: 'job', executorGroup: 'default', routing: 'round_robin' };
    const picked = [];
    for (let i = 0; i < 4; i++) picked.push((await router.pick(job))[0].executor);
    expect(picked).toEqual(['host-a:1', 'host-b:2', 'host-a:1', 'host-b:2']);
    await router.pick({ ...job, routing: 'first' });
    await router.pick({ ...job, routing: 'broadcast' });
    expect(nextTurn).toHaveBeenCalledTimes(4);
  });

  it('treats an unknown policy as first', async () => {
    const { router } = routerWith(ONLINE);
    expect(await router.pick({ id: 'job', executorGroup: 'default', routing: 'nonsense' })).toEqual([
      { executor: 'host-a:1', shardIndex: 0, shardTotal: 1 },
    ]);
  });
});
