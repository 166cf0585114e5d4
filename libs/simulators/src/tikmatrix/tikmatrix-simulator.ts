import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Random, SimulatorContext, VendorErrorReply, VendorSimulator } from '../kit';
import { checkScriptConfig, TIKMATRIX_SCRIPTS, type TikmatrixScript } from './tikmatrix-scripts';
import {
  isTikmatrixPlan,
  TaskStatusCode,
  TIKMATRIX_PLANS,
  type TikmatrixPlan,
  TikmatrixState,
  type TikmatrixTask,
} from './tikmatrix-state';

/**
 * Error codes: the document names only 40301 (Starter plan). The others follow its pattern, the HTTP
 * status times 100 plus a number, and each answer's HTTP status is that leading status.
 */
export const TikmatrixCode = {
  Ok: 0,
  InvalidParameter: 40001,
  LicenseNoApi: 40301,
  NotFound: 40401,
  Conflict: 40901,
  Internal: 50001,
} as const;

const MAX_PAGE_SIZE = 100;
const START_TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

// Simulated durations at timeScale 1; timeScale 0 moves tasks on the next tick.
const PENDING_MS = 1_000;
const RUNNING_MS = 3_000;
/** Share of runs that end in a script error; `PUT /_sim/tikmatrix/failure-rate` changes it. */
const DEFAULT_FAILURE_RATE = 0.05;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface TikmatrixSimulatorOptions {
  /** The plan the farm starts on (and returns to on reset); Pro unless given. */
  plan?: TikmatrixPlan;
}

/** Milliseconds from now to the next "HH:MM" on the simulator's clock (tomorrow when already past). */
function untilStartTime(startTime: string, now: Date): number {
  const [hours, minutes] = startTime.split(':').map(Number);
  const start = new Date(now);
  start.setHours(hours, minutes, 0, 0);
  const wait = start.getTime() - now.getTime();
  return wait >= 0 ? wait : wait + DAY_MS;
}

function optionalMinutes(value: unknown): boolean {
  return value === undefined || (Number.isInteger(value) && (value as number) >= 0);
}

function ok(data: unknown) {
  return { code: TikmatrixCode.Ok, message: 'success', data };
}

function fail(reply: FastifyReply, code: number, message: string) {
  return reply.code(Math.floor(code / 100)).send({ code, message, data: null });
}

function toInt(value: unknown): number | undefined {
  if (value === undefined || value === '') return undefined;
  const number = Number(value);
  return Number.isInteger(number) ? number : Number.NaN;
}

class TikmatrixSimulator implements VendorSimulator {
  readonly vendor = 'tikmatrix' as const;
  private readonly state: TikmatrixState;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly runs = new Map<number, number>();
  private failureRate = DEFAULT_FAILURE_RATE;

  constructor(
    private readonly context: SimulatorContext,
    options: TikmatrixSimulatorOptions,
  ) {
    this.state = new TikmatrixState(context.fleetSize, context.random.int(1, 0x7fffffff), options.plan ?? 'pro');
  }

  register(app: FastifyInstance): void {
    // The Starter plan answers 40301 on every API call, the license check included.
    app.addHook('onRequest', async (request, reply) => {
      if (request.url.startsWith('/api/v1/') && this.state.plan === 'starter') {
        return fail(reply, TikmatrixCode.LicenseNoApi, 'API access requires a Pro, Team or Business plan');
      }
    });

    app.put('/_sim/tikmatrix/license', async (request, reply) => {
      const plan = (request.body as { plan?: unknown } | undefined)?.plan;
      if (!isTikmatrixPlan(plan)) {
        return reply.code(400).send({ message: `plan must be one of ${TIKMATRIX_PLANS.join(', ')}` });
      }
      this.state.plan = plan;
      return { plan };
    });
    app.put('/_sim/tikmatrix/failure-rate', async (request, reply) => {
      const rate = Number((request.body as { rate?: unknown } | undefined)?.rate);
      if (!(rate >= 0 && rate <= 1)) return reply.code(400).send({ message: 'rate must be a number from 0 to 1' });
      this.failureRate = rate;
      return { rate };
    });
    app.put('/_sim/tikmatrix/devices/:serial', async (request, reply) => {
      const { serial } = request.params as { serial: string };
      if (!this.state.hasSerial(serial)) return reply.code(404).send({ message: `no device ${serial}` });
      const online = (request.body as { online?: boolean } | undefined)?.online !== false;
      if (online) this.state.offline.delete(serial);
      else this.state.offline.add(serial);
      return { serial, online };
    });
    app.get('/_sim/tikmatrix/farm', async () => ({
      serials: this.state.serials.slice(0, 100),
      usernames: this.state.usernames.slice(0, 100),
      size: this.state.serials.length,
      offline: [...this.state.offline].slice(0, 100),
    }));

    app.get('/api/v1/license/check', async () => ok({ plan: this.state.plan, api_access: true }));
    app.post('/api/v1/task', async (request, reply) => this.create(request.body, reply));
    app.get('/api/v1/task', async (request, reply) => this.list(request.query as Record<string, string>, reply));
    app.get('/api/v1/task/stats', async () => ok(this.stats()));
    app.post('/api/v1/task/retry-all', async () => {
      const failed = [...this.state.tasks.values()].filter((task) => task.status === TaskStatusCode.Failed);
      failed.forEach((task) => this.requeue(task));
      return ok({ retried_count: failed.length, task_ids: failed.map((task) => task.id) });
    });
    app.delete('/api/v1/task/batch', async (request, reply) => {
      // The documented body, or ?task_ids=1,2,3 for clients whose DELETE cannot carry one.
      const fromQuery = (request.query as { task_ids?: string }).task_ids;
      const ids =
        (request.body as { task_ids?: unknown } | undefined)?.task_ids ??
        (fromQuery === undefined ? undefined : fromQuery.split(',').map(Number));
      if (!Array.isArray(ids) || ids.length === 0 || !ids.every((id) => Number.isInteger(id))) {
        return fail(reply, TikmatrixCode.InvalidParameter, 'task_ids must be a non-empty array of task ids');
      }
      let deleted = 0;
      for (const id of ids as number[]) if (this.remove(id)) deleted++;
      return ok({ deleted_count: deleted });
    });
    app.get('/api/v1/task/:taskId', async (request, reply) => {
      const task = this.find(request.params, reply);
      return task && ok(task);
    });
    app.delete('/api/v1/task/:taskId', async (request, reply) => {
      const task = this.find(request.params, reply);
      if (!task) return;
      this.remove(task.id);
      return ok({ task_id: task.id, deleted: true });
    });
    app.post('/api/v1/task/:taskId/stop', async (request, reply) => {
      const task = this.find(request.params, reply);
      if (!task) return;
      if (task.status !== TaskStatusCode.Pending && task.status !== TaskStatusCode.Running) {
        return fail(reply, TikmatrixCode.Conflict, `task ${task.id} is not pending or running`);
      }
      this.finish(task, TaskStatusCode.Failed, 'stopped by user');
      return ok(task);
    });
    app.post('/api/v1/task/:taskId/retry', async (request, reply) => {
      const task = this.find(request.params, reply);
      if (!task) return;
      if (task.status !== TaskStatusCode.Failed)
        return fail(reply, TikmatrixCode.Conflict, `task ${task.id} has not failed`);
      this.requeue(task);
      return ok(task);
    });
  }

  vendorError(random: Random): VendorErrorReply {
    return random.chance(0.5)
      ? { status: 500, body: { code: TikmatrixCode.Internal, message: 'internal error', data: null } }
      : { status: 400, body: { code: TikmatrixCode.InvalidParameter, message: 'device busy, try again', data: null } };
  }

  reset(): void {
    this.clearTimers();
    this.runs.clear();
    this.failureRate = DEFAULT_FAILURE_RATE;
    this.state.seed();
  }

  close(): void {
    this.clearTimers();
  }

  private create(body: unknown, reply: FastifyReply) {
    if (typeof body !== 'object' || body === null)
      return fail(reply, TikmatrixCode.InvalidParameter, 'body must be a JSON object');
    const input = body as Record<string, unknown>;
    const serials = input.serials;
    const usernames = input.usernames;
    const hasSerials = Array.isArray(serials) && serials.length > 0;
    const hasUsernames = Array.isArray(usernames) && usernames.length > 0;
    if (!hasSerials && !hasUsernames)
      return fail(reply, TikmatrixCode.InvalidParameter, 'serials or usernames is required');
    const script = input.script_name;
    if (typeof script !== 'string' || !(TIKMATRIX_SCRIPTS as readonly string[]).includes(script)) {
      return fail(reply, TikmatrixCode.InvalidParameter, `script_name must be one of ${TIKMATRIX_SCRIPTS.join(', ')}`);
    }
    const problem = checkScriptConfig(script as TikmatrixScript, input.script_config);
    if (problem) return fail(reply, TikmatrixCode.InvalidParameter, problem);
    if (
      input.start_time !== undefined &&
      (typeof input.start_time !== 'string' || !START_TIME.test(input.start_time))
    ) {
      return fail(reply, TikmatrixCode.InvalidParameter, 'start_time must be "HH:MM"');
    }
    if (input.enable_multi_account !== undefined && typeof input.enable_multi_account !== 'boolean') {
      return fail(reply, TikmatrixCode.InvalidParameter, 'enable_multi_account must be a boolean');
    }
    // Not on the Chinese page but on the English one: accepted and kept, not acted on.
    for (const field of ['min_interval', 'max_interval'] as const) {
      if (!optionalMinutes(input[field])) {
        return fail(reply, TikmatrixCode.InvalidParameter, `${field} must be a whole number of minutes >= 0`);
      }
    }
    const multiAccount = !hasUsernames && input.enable_multi_account === true;
    // Usernames win when both are given: the document calls usernames mode "direct".
    const targets: Array<{ serial: string | null; username: string | null }> = [];
    if (hasUsernames) {
      for (const username of usernames as unknown[]) {
        if (typeof username !== 'string' || !this.state.deviceOfUsername.has(username)) {
          return fail(reply, TikmatrixCode.NotFound, `username ${String(username)} is not on any device`);
        }
        targets.push({ serial: this.state.deviceOfUsername.get(username)!, username });
      }
    } else {
      for (const serial of serials as unknown[]) {
        if (typeof serial !== 'string' || !this.state.hasSerial(serial)) {
          return fail(reply, TikmatrixCode.NotFound, `device ${String(serial)} not found`);
        }
        // One task for every account on the device, as the document's example answers two task ids
        // for its one serial; enable_multi_account is recorded on them (see README).
        for (const username of this.state.accountsOf(serial)) targets.push({ serial, username });
      }
    }
    const now = new Date().toISOString();
    const ids = targets.map(({ serial, username }) => {
      const task: TikmatrixTask = {
        id: this.state.nextTaskId++,
        serial,
        username,
        script_name: script as TikmatrixScript,
        script_config: (input.script_config as Record<string, unknown>) ?? {},
        enable_multi_account: multiAccount,
        start_time: (input.start_time as string | undefined) ?? null,
        min_interval: (input.min_interval as number | undefined) ?? 0,
        max_interval: (input.max_interval as number | undefined) ?? 0,
        status: TaskStatusCode.Pending,
        source: 'api',
        error: null,
        created_at: now,
        started_at: null,
        finished_at: null,
      };
      this.state.tasks.set(task.id, task);
      this.schedule(task);
      return task.id;
    });
    return ok({ task_ids: ids, created_count: ids.length });
  }

  private list(query: Record<string, string>, reply: FastifyReply) {
    const page = toInt(query.page) ?? 1;
    const pageSize = toInt(query.page_size) ?? 20;
    const status = toInt(query.status);
    if (!(page >= 1)) return fail(reply, TikmatrixCode.InvalidParameter, 'page must be an integer >= 1');
    if (!(pageSize >= 1 && pageSize <= MAX_PAGE_SIZE)) {
      return fail(reply, TikmatrixCode.InvalidParameter, `page_size must be an integer from 1 to ${MAX_PAGE_SIZE}`);
    }
    if (status !== undefined && !(status >= 0 && status <= 3)) {
      return fail(reply, TikmatrixCode.InvalidParameter, 'status must be 0, 1, 2 or 3');
    }
    const matching = [...this.state.tasks.values()].filter(
      (task) =>
        (status === undefined || task.status === status) &&
        (!query.serial || task.serial === query.serial) &&
        (!query.username || task.username === query.username) &&
        (!query.script_name || task.script_name === query.script_name) &&
        (!query.source || task.source === query.source),
    );
    matching.sort((a, b) => b.id - a.id);
    return ok({
      tasks: matching.slice((page - 1) * pageSize, page * pageSize),
      total: matching.length,
      page,
      page_size: pageSize,
    });
  }

  private stats() {
    const counts = { total: 0, pending: 0, running: 0, completed: 0, failed: 0 };
    for (const task of this.state.tasks.values()) {
      counts.total++;
      if (task.status === TaskStatusCode.Pending) counts.pending++;
      else if (task.status === TaskStatusCode.Running) counts.running++;
      else if (task.status === TaskStatusCode.Completed) counts.completed++;
      else counts.failed++;
    }
    return counts;
  }

  private find(params: unknown, reply: FastifyReply): TikmatrixTask | undefined {
    const id = Number((params as { taskId: string }).taskId);
    const task = Number.isInteger(id) ? this.state.tasks.get(id) : undefined;
    if (!task) {
      void fail(reply, TikmatrixCode.NotFound, `task ${(params as { taskId: string }).taskId} not found`);
      return undefined;
    }
    return task;
  }

  /** Deleting a running task stops it first, as documented. */
  private remove(id: number): boolean {
    const task = this.state.tasks.get(id);
    if (!task) return false;
    if (task.status === TaskStatusCode.Running || task.status === TaskStatusCode.Pending) {
      this.finish(task, TaskStatusCode.Failed, 'stopped before delete');
    }
    return this.state.tasks.delete(id);
  }

  private requeue(task: TikmatrixTask): void {
    task.status = TaskStatusCode.Pending;
    task.error = null;
    task.started_at = null;
    task.finished_at = null;
    this.schedule(task);
  }

  private schedule(task: TikmatrixTask): void {
    // A retry starts a new run; timers of an earlier run must not touch it.
    const run = (this.runs.get(task.id) ?? 0) + 1;
    this.runs.set(task.id, run);
    const current = () => this.runs.get(task.id) === run && this.state.tasks.has(task.id);
    // A scheduled task waits for its "HH:MM" (scaled like every other duration); a retry runs now.
    const wait = task.start_time && run === 1 ? untilStartTime(task.start_time, new Date()) : 0;
    this.later(wait + PENDING_MS, () => {
      if (!current() || task.status !== TaskStatusCode.Pending) return;
      task.status = TaskStatusCode.Running;
      task.started_at = new Date().toISOString();
      this.later(RUNNING_MS, () => {
        if (!current() || task.status !== TaskStatusCode.Running) return;
        if (task.serial && this.state.offline.has(task.serial))
          this.finish(task, TaskStatusCode.Failed, 'device offline');
        else if (this.context.random.chance(this.failureRate)) this.finish(task, TaskStatusCode.Failed, 'script error');
        else this.finish(task, TaskStatusCode.Completed, null);
      });
    });
  }

  private finish(task: TikmatrixTask, status: TaskStatusCode, error: string | null): void {
    task.status = status;
    task.error = error;
    task.finished_at = new Date().toISOString();
  }

  private later(ms: number, run: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run();
    }, ms * this.context.timeScale);
    this.timers.add(timer);
  }

  private clearTimers(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}

export function createTikmatrixSimulator(context: SimulatorContext, options: TikmatrixSimulatorOptions = {}): VendorSimulator {
  return new TikmatrixSimulator(context, options);
}
