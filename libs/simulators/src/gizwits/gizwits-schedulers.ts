import type { FastifyReply } from 'fastify';
import { checkAttrs, DEMO_PRODUCT_KEY } from './gizwits-datapoints';
import { GizwitsError, gizwitsError } from './gizwits-errors';
import type { Body, GizwitsScheduler, GizwitsState, GizwitsUser, SchedulerTaskItem } from './gizwits-state';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** Users' schedulers: checked when created, run at their UTC time or on demand, each run logged. */
export class GizwitsSchedulers {
  private readonly timers = new Set<NodeJS.Timeout>();
  private nextScheduler = 1;

  constructor(
    private readonly state: GizwitsState,
    private readonly timeScale: number,
  ) {}

  create(user: GizwitsUser, body: Body, reply: FastifyReply) {
    const bad = (message: string) => gizwitsError(reply, GizwitsError.FormInvalid, message);
    const repeat = body.repeat === undefined ? 'none' : body.repeat;
    if (
      typeof repeat !== 'string' ||
      (repeat !== 'none' && !repeat.split(',').every((day) => WEEKDAYS.includes(day)))
    ) {
      return bad('repeat must be "none" or weekdays such as "mon,tue"');
    }
    if (repeat === 'none' && (typeof body.date !== 'string' || !DATE.test(body.date)))
      return bad('date must be "YYYY-MM-DD" for a one-off scheduler');
    if (body.date !== undefined && (typeof body.date !== 'string' || !DATE.test(body.date)))
      return bad('date must be "YYYY-MM-DD"');
    if (typeof body.time !== 'string' || !TIME.test(body.time)) return bad('time must be "HH:MM" (UTC)');
    const retryCount = body.retry_count === undefined ? 0 : body.retry_count;
    if (!Number.isInteger(retryCount) || (retryCount as number) < 0 || (retryCount as number) > 60)
      return bad('retry_count must be an integer from 0 to 60');
    const retryTask = body.retry_task === undefined ? 'all' : body.retry_task;
    if (retryTask !== 'all' && retryTask !== 'failed') return bad('retry_task must be "all" or "failed"');
    if (!Array.isArray(body.task) || body.task.length === 0) return bad('task must be a non-empty list');
    const items: SchedulerTaskItem[] = [];
    for (const [index, raw] of body.task.entries()) {
      const item = (raw ?? {}) as Body;
      if (typeof item.did !== 'string' || !this.state.device(item.did))
        return bad(`task[${index}].did is not a device`);
      if (!user.bindings.has(item.did))
        return gizwitsError(reply, GizwitsError.DeviceNotBound, `task[${index}].did is not bound to this user`);
      if (item.product_key !== DEMO_PRODUCT_KEY) return bad(`task[${index}].product_key does not match the device`);
      const problem = checkAttrs(item.attrs);
      if (problem) return gizwitsError(reply, GizwitsError.AttrInvalid, `task[${index}].${problem}`);
      items.push({ did: item.did, product_key: item.product_key, attrs: item.attrs as SchedulerTaskItem['attrs'] });
    }
    const scheduler: GizwitsScheduler = {
      id: `sch${String(this.nextScheduler++).padStart(6, '0')}`,
      uid: user.uid,
      created_at: new Date().toISOString().slice(0, 19),
      ...(typeof body.date === 'string' ? { date: body.date } : {}),
      time: body.time,
      repeat,
      task: items,
      retry_count: retryCount as number,
      retry_task: retryTask,
    };
    this.state.schedulers.set(scheduler.id, scheduler);
    this.arm(scheduler);
    return reply.code(201).send({ id: scheduler.id });
  }

  /** Sends every control of a run, retrying per retry_count and retry_task; succeeds only if all were sent. */
  fire(scheduler: GizwitsScheduler) {
    const detail: Record<string, boolean> = Object.fromEntries(scheduler.task.map((item) => [item.did, false]));
    let attempts = 0;
    do {
      attempts++;
      const sending =
        scheduler.retry_task === 'failed' && attempts > 1
          ? scheduler.task.filter((item) => !detail[item.did])
          : scheduler.task;
      for (const item of sending) {
        const device = this.state.device(item.did);
        const sent = !!device && device.online;
        if (sent) {
          Object.assign(device.attrs, item.attrs);
          device.updatedAt = Date.now();
        }
        detail[item.did] = scheduler.retry_task === 'failed' ? detail[item.did] || sent : sent;
      }
    } while (Object.values(detail).some((ok) => !ok) && attempts <= scheduler.retry_count);
    scheduler.lastLog = {
      datetime: new Date().toISOString().slice(0, 19),
      status: Object.values(detail).every(Boolean) ? 'succeed' : 'failed',
      detail,
      attempts,
    };
    const { attempts: _attempts, ...log } = scheduler.lastLog;
    return { ...log, attempts };
  }

  /** Stops every armed scheduler and numbers new ones from 1 again. */
  reset(): void {
    this.close();
    this.nextScheduler = 1;
  }

  close(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  /** Fires at the scheduled UTC time when that is within a day (timers cannot wait for months). */
  private arm(scheduler: GizwitsScheduler): void {
    if (this.timeScale === 0) return;
    const now = new Date();
    const [hours, minutes] = scheduler.time.split(':').map(Number);
    const next = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), hours, minutes));
    if (scheduler.repeat === 'none') {
      const [year, month, day] = scheduler.date!.split('-').map(Number);
      next.setUTCFullYear(year, month - 1, day);
    } else {
      while (next <= now || !scheduler.repeat.split(',').includes(WEEKDAYS[next.getUTCDay()]))
        next.setUTCDate(next.getUTCDate() + 1);
    }
    const wait = next.getTime() - now.getTime();
    if (wait < 0 || wait > 86_400_000) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.state.schedulers.has(scheduler.id)) return;
      this.fire(scheduler);
      if (scheduler.repeat !== 'none') this.arm(scheduler);
    }, wait);
    this.timers.add(timer);
  }
}
