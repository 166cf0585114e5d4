import { Injectable } from '@nestjs/common';
import { RedisConnections } from '@fleetgate/redis';
import { ExecutorRegistry } from './executor-registry';

export const ROUTING_POLICIES = ['first', 'round_robin', 'failover', 'broadcast'] as const;
export type RoutingPolicy = (typeof ROUTING_POLICIES)[number];

/** One executor's part in a fire: the whole of it (shard 0 of 1), or shard i of n for broadcast. */
export interface ExecutorPick {
  executor: string;
  shardIndex: number;
  shardTotal: number;
}

/** A round-robin turn counter is dropped after a week without fires (the rotation then starts over). */
const TURN_TTL_SECONDS = 7 * 86_400;

/**
 * Chooses, among the online executors of a job's group (in id order), who runs a fire:
 * - `first`: the first one;
 * - `failover`: the same pick, meant as active and standbys: while the first beats it runs every fire,
 *   when it stops beating the next one in order takes over (and runs of the dead one fail and retry);
 * - `round_robin`: one per fire in turn, by a counter per job in Redis, modulo how many are online;
 * - `broadcast`: every one, each with its shard (index of total) of the task's targets.
 * A single shard fired again (a broadcast run's retry) goes to the executor at its index, modulo.
 * No pick when none is online. Pure, so each policy is tested on its own.
 */
export function chooseExecutors(
  policy: RoutingPolicy,
  online: readonly string[],
  turn: number,
  shard?: { index: number; total: number },
): ExecutorPick[] {
  if (online.length === 0) return [];
  if (shard)
    return [{ executor: online[shard.index % online.length], shardIndex: shard.index, shardTotal: shard.total }];
  switch (policy) {
    case 'broadcast':
      return online.map((executor, index) => ({ executor, shardIndex: index, shardTotal: online.length }));
    case 'round_robin':
      return [{ executor: online[turn % online.length], shardIndex: 0, shardTotal: 1 }];
    case 'first':
    case 'failover':
      return [{ executor: online[0], shardIndex: 0, shardTotal: 1 }];
    default: {
      // A policy the API never accepts (an old or hand-edited row) runs as `first` rather than not at all.
      const unknown: never = policy;
      void unknown;
      return [{ executor: online[0], shardIndex: 0, shardTotal: 1 }];
    }
  }
}

/** The one place that picks executors for a fire: reads who is online and asks chooseExecutors. */
@Injectable()
export class ExecutorRouter {
  constructor(
    private readonly registry: ExecutorRegistry,
    private readonly redis: RedisConnections,
  ) {}

  async pick(
    job: { id: string; executorGroup: string; routing: string },
    shard?: { index: number; total: number },
  ): Promise<ExecutorPick[]> {
    const online = await this.registry.onlineIds(job.executorGroup);
    const policy = job.routing as RoutingPolicy;
    const turn = policy === 'round_robin' && !shard && online.length > 1 ? await this.nextTurn(job.id) : 0;
    return chooseExecutors(policy, online, turn, shard);
  }

  /** 0, 1, 2 ... per job, shared by every worker (the fire that takes a turn may run on any of them). */
  private async nextTurn(jobId: string): Promise<number> {
    const key = this.redis.key('schedules', 'turn', jobId);
    const turn = await this.redis.commands.incr(key);
    await this.redis.commands.expire(key, TURN_TTL_SECONDS);
    return turn - 1;
  }
}
