import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Random, SimulatorContext, VendorErrorReply, VendorSimulator } from '../kit';
import { checkAttrs, DEMO_PRODUCT_KEY } from './gizwits-datapoints';
import { GizwitsError, gizwitsError, gizwitsErrorBody } from './gizwits-errors';
import {
  type GizwitsScheduler,
  GizwitsState,
  type GizwitsUser,
  md5,
  newToken,
  type SchedulerTaskItem,
} from './gizwits-state';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const AUTH_SOURCES = ['baidu', 'sina', 'qq'];

type Body = Record<string, unknown>;

/** The application and user the simulator accepts out of the box. */
export const GIZWITS_DEMO_CREDENTIALS = {
  appId: 'fleetgatedemoappid0000000000001',
  appSecret: 'fleetgate-gizwits-demo-secret',
  username: 'fleetgate',
  password: 'fleetgate-demo',
} as const;

/** A week, as Gizwits gives. */
export const GIZWITS_DEFAULT_TOKEN_TTL_SECONDS = 604_800;

/** The Gizwits simulator's application and demo user; anything left out is the demo value. */
export interface GizwitsSimulatorOptions {
  appId?: string;
  appSecret?: string;
  username?: string;
  password?: string;
  /** The lifetime of user tokens, in seconds at time scale 1. */
  tokenTtlSeconds?: number;
}

class GizwitsSimulator implements VendorSimulator {
  readonly vendor = 'gizwits' as const;
  readonly appId: string;
  readonly appSecret: string;
  readonly demoUser: { username: string; password: string };
  private readonly initialTokenTtlSeconds: number;
  /** User tokens live this long (Gizwits gives a week), scaled by the time scale when it is above 0. */
  private tokenTtlSeconds: number;
  /**
   * The application's request quota per second (Gizwits throttles with 9041 above it); undefined for
   * none. Set through `PUT /_sim/gizwits/quota`.
   */
  private quotaPerSecond?: number;
  private quotaWindow = { startedAt: 0, used: 0 };
  private readonly state: GizwitsState;
  private readonly timers = new Set<NodeJS.Timeout>();
  private nextScheduler = 1;

  constructor(
    private readonly context: SimulatorContext,
    options: GizwitsSimulatorOptions,
  ) {
    this.appId = options.appId ?? GIZWITS_DEMO_CREDENTIALS.appId;
    this.appSecret = options.appSecret ?? GIZWITS_DEMO_CREDENTIALS.appSecret;
    this.demoUser = {
      username: options.username ?? GIZWITS_DEMO_CREDENTIALS.username,
      password: options.password ?? GIZWITS_DEMO_CREDENTIALS.password,
    };
    this.initialTokenTtlSeconds = options.tokenTtlSeconds ?? GIZWITS_DEFAULT_TOKEN_TTL_SECONDS;
    this.tokenTtlSeconds = this.initialTokenTtlSeconds;
    this.state = new GizwitsState(context.fleetSize, context.random);
    this.state.seed(this.demoUser);
  }

  /** Gizwits limits by application id, the header every /app call carries. */
  accountOf(request: FastifyRequest): string | undefined {
    const appId = request.headers['x-gizwits-application-id'];
    return typeof appId === 'string' ? appId : undefined;
  }

  register(app: FastifyInstance): void {
    // Every /app route needs the application id, and counts towards the application's quota.
    app.addHook('onRequest', async (request, reply) => {
      if (!request.url.startsWith('/app/')) return;
      const appId = request.headers['x-gizwits-application-id'];
      if (appId !== this.appId)
        return gizwitsError(reply, GizwitsError.AppIdInvalid, 'X-Gizwits-Application-Id is missing or invalid');
      if (this.overQuota()) {
        return reply
          .code(400)
          .header('retry-after', '1')
          .send(gizwitsErrorBody(GizwitsError.RequestThrottled, `more than ${this.quotaPerSecond} requests a second`));
      }
    });

    app.post('/app/users', async (request, reply) => this.createUser(request.body as Body, reply));
    app.put('/app/users', async (request, reply) => {
      const user = this.user(request, reply);
      return user && this.updateUser(user, request.body as Body, reply);
    });
    app.post('/app/login', async (request, reply) => {
      const body = (request.body ?? {}) as Body;
      if (typeof body.username !== 'string' || typeof body.password !== 'string') {
        return gizwitsError(reply, GizwitsError.FormInvalid, 'username and password are required');
      }
      const user = this.state.findUserByLogin(body.username);
      if (!user) return gizwitsError(reply, GizwitsError.UserNotExist, 'user does not exist');
      if (user.password !== body.password)
        return gizwitsError(reply, GizwitsError.UsernamePasswordError, 'username or password error');
      return this.session(user);
    });
    app.post('/app/request_token', async (request, reply) => {
      if (request.headers['x-gizwits-application-auth'] !== md5(this.appId + this.appSecret)) {
        return gizwitsError(
          reply,
          GizwitsError.ApplicationAuthInvalid,
          'X-Gizwits-Application-Auth must be MD5(appid+appsecret)',
        );
      }
      const token = newToken();
      const expiredAt = this.expiry();
      this.state.appTokens.set(token, expiredAt);
      return { token, expired_at: expiredAt };
    });
    app.get('/app/verify/codes', async (request, reply) => {
      if (!this.appToken(request, reply)) return;
      const id = randomBytes(8).toString('hex');
      this.state.captchas.set(id, String(this.context.random.int(100000, 999999)));
      return { captcha_url: `http://127.0.0.1/captcha/${id}.png`, captcha_id: id };
    });
    app.post('/app/verify/codes', async (request, reply) => {
      if (!this.appToken(request, reply)) return;
      const body = (request.body ?? {}) as Body;
      if (typeof body.phone !== 'string' || !body.phone)
        return gizwitsError(reply, GizwitsError.FormInvalid, 'phone is required');
      if (this.state.captchas.get(String(body.captcha_id)) !== String(body.captcha_code)) {
        return gizwitsError(reply, GizwitsError.CodeInvalid, 'captcha_code is wrong');
      }
      this.state.captchas.delete(String(body.captcha_id));
      this.state.smsCodes.set(body.phone, String(this.context.random.int(100000, 999999)));
      return reply.code(201).send({});
    });
    app.put('/app/verify/codes', async (request, reply) => {
      if (!this.appToken(request, reply)) return;
      const body = (request.body ?? {}) as Body;
      if (!this.smsMatches(body.phone, body.sms_code))
        return gizwitsError(reply, GizwitsError.CodeInvalid, 'sms_code is wrong');
      return {};
    });
    app.post('/app/reset_password', async (request, reply) => {
      const body = (request.body ?? {}) as Body;
      if (typeof body.email === 'string') {
        return this.state.findUserByLogin(body.email)
          ? {}
          : gizwitsError(reply, GizwitsError.UserNotExist, 'user does not exist');
      }
      if (typeof body.phone !== 'string' || typeof body.new_pwd !== 'string') {
        return gizwitsError(reply, GizwitsError.FormInvalid, 'email, or phone with code and new_pwd, is required');
      }
      const user = this.state.findUserByLogin(body.phone);
      if (!user) return gizwitsError(reply, GizwitsError.UserNotExist, 'user does not exist');
      if (!this.smsMatches(body.phone, body.code))
        return gizwitsError(reply, GizwitsError.CodeInvalid, 'code is wrong');
      user.password = body.new_pwd;
      return {};
    });

    app.get('/app/devdata/:did/latest', async (request, reply) => {
      const device = this.state.device((request.params as { did: string }).did);
      if (!device) return gizwitsError(reply, GizwitsError.DeviceNotFound, 'no device has this did', 404);
      this.drift(device);
      return { did: device.did, updated_at: Math.floor(device.updatedAt / 1000), attr: device.attrs };
    });

    app.get('/app/bindings', async (request, reply) => {
      const user = this.user(request, reply);
      if (!user) return;
      const query = request.query as { limit?: string; skip?: string };
      const limit = query.limit === undefined ? 20 : Number(query.limit);
      const skip = query.skip === undefined ? 0 : Number(query.skip);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000 || !Number.isInteger(skip) || skip < 0) {
        return gizwitsError(reply, GizwitsError.FormInvalid, 'limit must be 1..1000 and skip >= 0');
      }
      const page = [...user.bindings.entries()].slice(skip, skip + limit);
      return { devices: page.map(([did, binding]) => this.state.binding(did, binding.remark)) };
    });
    app.post('/app/bindings', async (request, reply) => {
      const user = this.user(request, reply);
      if (!user) return;
      const devices = this.deviceEntries(request.body, reply);
      if (!devices) return;
      const success: string[] = [];
      const failed: string[] = [];
      for (const entry of devices) {
        const device = this.state.device(String(entry.did));
        if (device && entry.passcode === device.passcode) {
          user.bindings.set(device.did, {
            remark: typeof entry.remark === 'string' ? entry.remark : '',
            passcode: device.passcode,
          });
          success.push(device.did);
        } else failed.push(String(entry.did));
      }
      return { success, failed };
    });
    app.delete('/app/bindings', async (request, reply) => {
      const user = this.user(request, reply);
      if (!user) return;
      const devices = this.deviceEntries(request.body, reply);
      if (!devices) return;
      const success: string[] = [];
      const failed: string[] = [];
      for (const entry of devices) (user.bindings.delete(String(entry.did)) ? success : failed).push(String(entry.did));
      return { success, failed };
    });

    app.post('/app/control/:did', async (request, reply) => {
      const user = this.user(request, reply);
      if (!user) return;
      const device = this.state.device((request.params as { did: string }).did);
      if (!device) return gizwitsError(reply, GizwitsError.DeviceNotFound, 'no device has this did', 404);
      const binding = user.bindings.get(device.did);
      if (!binding) return gizwitsError(reply, GizwitsError.DeviceNotBound, 'device is not bound to this user');
      // Gizwits reaches the device with the passcode of the binding; a device reset since has another.
      if (binding.passcode !== device.passcode) {
        return gizwitsError(reply, GizwitsError.DidPasscodeInvalid, 'the binding’s passcode is not the device’s');
      }
      if (!device.online) return gizwitsError(reply, GizwitsError.DeviceOffline, 'the device is not connected');
      const body = (request.body ?? {}) as Body;
      if (body.raw !== undefined) {
        const raw = body.raw;
        if (
          !Array.isArray(raw) ||
          raw.length === 0 ||
          !raw.every((byte) => Number.isInteger(byte) && byte >= 0 && byte <= 255)
        ) {
          return gizwitsError(reply, GizwitsError.FormInvalid, 'raw must be a non-empty array of bytes (0-255)');
        }
        device.lastRaw = raw as number[];
        return {};
      }
      const problem = checkAttrs(body.attrs);
      if (problem) return gizwitsError(reply, GizwitsError.AttrInvalid, problem);
      Object.assign(device.attrs, body.attrs);
      device.updatedAt = Date.now();
      return {};
    });

    app.post('/app/scheduler', async (request, reply) => {
      const user = this.user(request, reply);
      return user && this.createScheduler(user, (request.body ?? {}) as Body, reply);
    });
    app.get('/app/scheduler', async (request, reply) => {
      const user = this.user(request, reply);
      if (!user) return;
      const query = request.query as { limit?: string; skip?: string };
      const limit = Number(query.limit ?? 20);
      const skip = Number(query.skip ?? 0);
      return [...this.state.schedulers.values()]
        .filter((scheduler) => scheduler.uid === user.uid)
        .slice(skip, skip + limit)
        .map(({ uid: _uid, lastLog: _log, ...scheduler }) => scheduler);
    });
    app.delete('/app/scheduler/:id', async (request, reply) => {
      const scheduler = this.ownScheduler(request, reply);
      if (!scheduler) return;
      this.state.schedulers.delete(scheduler.id);
      return {};
    });
    app.get('/app/scheduler/:id/logs', async (request, reply) => {
      const scheduler = this.ownScheduler(request, reply);
      if (!scheduler) return;
      // Not run yet: the document shows only a run's log, so there is nothing in it to give.
      if (!scheduler.lastLog) return {};
      const { attempts: _attempts, ...log } = scheduler.lastLog;
      return log;
    });

    // Control routes for tests and demos.
    app.get('/_sim/gizwits/sms/:phone', async (request) => ({
      code: this.state.smsCodes.get((request.params as { phone: string }).phone) ?? null,
    }));
    app.get('/_sim/gizwits/captcha/:id', async (request) => ({
      code: this.state.captchas.get((request.params as { id: string }).id) ?? null,
    }));
    app.post('/_sim/gizwits/tokens/expire', async () => {
      for (const session of this.state.tokens.values()) session.expireAt = 0;
      return { expired: this.state.tokens.size };
    });
    app.post('/_sim/gizwits/tokens/revoke', async () => {
      const revoked = this.state.tokens.size;
      this.state.tokens.clear();
      return { revoked };
    });
    app.put('/_sim/gizwits/tokens', async (request, reply) => {
      const ttlSeconds = (request.body as { ttlSeconds?: unknown } | undefined)?.ttlSeconds;
      if (typeof ttlSeconds !== 'number' || !Number.isInteger(ttlSeconds) || ttlSeconds < 0) {
        return reply.code(400).send({ message: 'ttlSeconds must be an integer >= 0' });
      }
      this.tokenTtlSeconds = ttlSeconds;
      return { ttlSeconds };
    });
    app.put('/_sim/gizwits/quota', async (request, reply) => {
      const perSecond = (request.body as { requestsPerSecond?: unknown } | undefined)?.requestsPerSecond;
      if (perSecond !== null && (typeof perSecond !== 'number' || !Number.isInteger(perSecond) || perSecond < 0)) {
        return reply.code(400).send({ message: 'requestsPerSecond must be an integer >= 0, or null for no quota' });
      }
      this.quotaPerSecond = perSecond ?? undefined;
      this.quotaWindow = { startedAt: 0, used: 0 };
      return { requestsPerSecond: perSecond };
    });
    app.put('/_sim/gizwits/devices/:did', async (request, reply) => {
      const device = this.state.device((request.params as { did: string }).did);
      if (!device) return reply.code(404).send({ message: 'no such device' });
      const body = (request.body ?? {}) as { online?: boolean; passcode?: unknown };
      // A device reset and paired again gets a new passcode; bindings made before keep the old one.
      if (typeof body.passcode === 'string' && body.passcode) device.passcode = body.passcode;
      if (body.online !== undefined || body.passcode === undefined) {
        if (body.online !== false) this.state.offline.delete(device.index);
        else this.state.offline.add(device.index);
      }
      return { did: device.did, online: !this.state.offline.has(device.index), passcode: device.passcode };
    });
    app.post('/_sim/gizwits/schedulers/:id/fire', async (request, reply) => {
      const scheduler = this.state.schedulers.get((request.params as { id: string }).id);
      if (!scheduler) return reply.code(404).send({ message: 'no such scheduler' });
      return this.fire(scheduler);
    });
    app.get('/_sim/gizwits/devices/:did/raw', async (request) => ({
      raw: this.state.device((request.params as { did: string }).did)?.lastRaw ?? null,
    }));
  }

  vendorError(random: Random): VendorErrorReply {
    return random.chance(0.5)
      ? { status: 500, body: gizwitsErrorBody(GizwitsError.ServerError) }
      : { status: 400, body: gizwitsErrorBody(GizwitsError.RequestThrottled) };
  }

  reset(): void {
    this.clearTimers();
    this.state.seed(this.demoUser);
    this.nextScheduler = 1;
    this.tokenTtlSeconds = this.initialTokenTtlSeconds;
    this.quotaPerSecond = undefined;
  }

  /** Counts a request against the application's quota; true when it is over. */
  private overQuota(): boolean {
    if (this.quotaPerSecond === undefined) return false;
    const now = Date.now();
    if (now - this.quotaWindow.startedAt >= 1000) this.quotaWindow = { startedAt: now, used: 0 };
    return ++this.quotaWindow.used > this.quotaPerSecond;
  }

  close(): void {
    this.clearTimers();
  }

  private createUser(body: Body | undefined, reply: FastifyReply) {
    const input = body ?? {};
    const taken = (login: unknown) => typeof login === 'string' && this.state.findUserByLogin(login);
    const base = { uid: randomBytes(8).toString('hex'), anonymous: false, bindings: new Map() };
    let user: GizwitsUser;
    if (typeof input.phone_id === 'string' && input.phone_id) {
      const existing = [...this.state.users.values()].find((candidate) => candidate.phoneId === input.phone_id);
      // Creating the same anonymous user again signs it in again.
      if (existing) return reply.code(201).send(this.session(existing));
      user = { ...base, phoneId: input.phone_id, anonymous: true };
    } else if (typeof input.authData === 'object' && input.authData !== null) {
      const auth = input.authData as Body;
      if (!AUTH_SOURCES.includes(String(auth.src)) || typeof auth.uid !== 'string' || typeof auth.token !== 'string') {
        return gizwitsError(reply, GizwitsError.FormInvalid, 'authData needs src (baidu, sina or qq), uid and token');
      }
      user = { ...base, authData: { src: String(auth.src), uid: auth.uid } };
    } else if (typeof input.password !== 'string' || !input.password) {
      return gizwitsError(reply, GizwitsError.FormInvalid, 'password is required');
    } else if (typeof input.username === 'string' && input.username) {
      if (taken(input.username))
        return gizwitsError(reply, GizwitsError.UsernameUnavailable, 'username already exists');
      user = { ...base, username: input.username, password: input.password };
    } else if (typeof input.email === 'string' && /^[^@\s]+@[^@\s]+$/.test(input.email)) {
      if (taken(input.email)) return gizwitsError(reply, GizwitsError.EmailUnavailable, 'email already registered');
      user = { ...base, email: input.email, password: input.password };
    } else if (typeof input.phone === 'string' && input.phone) {
      if (taken(input.phone)) return gizwitsError(reply, GizwitsError.PhoneUnavailable, 'phone already registered');
      if (!this.smsMatches(input.phone, input.code))
        return gizwitsError(reply, GizwitsError.CodeInvalid, 'code is wrong');
      user = { ...base, phone: input.phone, password: input.password };
    } else {
      return gizwitsError(
        reply,
        GizwitsError.FormInvalid,
        'one of phone_id, username, email, phone or authData is required',
      );
    }
    this.state.users.set(user.uid, user);
    return reply.code(201).send(this.session(user));
  }

  private updateUser(user: GizwitsUser, body: Body | undefined, reply: FastifyReply) {
    const input = body ?? {};
    if (typeof input.old_pwd === 'string' || typeof input.new_pwd === 'string') {
      if (input.old_pwd !== user.password)
        return gizwitsError(reply, GizwitsError.UsernamePasswordError, 'old_pwd is wrong');
      if (typeof input.new_pwd !== 'string' || !input.new_pwd)
        return gizwitsError(reply, GizwitsError.FormInvalid, 'new_pwd is required');
      user.password = input.new_pwd;
    } else if (typeof input.username === 'string') {
      if (!user.anonymous)
        return gizwitsError(reply, GizwitsError.FormInvalid, 'only an anonymous user can set a username');
      if (typeof input.password !== 'string' || !input.password)
        return gizwitsError(reply, GizwitsError.FormInvalid, 'password is required');
      if (this.state.findUserByLogin(input.username))
        return gizwitsError(reply, GizwitsError.UsernameUnavailable, 'username already exists');
      Object.assign(user, { username: input.username, password: input.password, anonymous: false });
    } else if (typeof input.email === 'string') {
      if (this.state.findUserByLogin(input.email))
        return gizwitsError(reply, GizwitsError.EmailUnavailable, 'email already registered');
      user.email = input.email;
    } else if (typeof input.phone === 'string') {
      if (!this.smsMatches(input.phone, input.code))
        return gizwitsError(reply, GizwitsError.CodeInvalid, 'code is wrong');
      if (typeof input.password === 'string') {
        if (!user.anonymous)
          return gizwitsError(
            reply,
            GizwitsError.FormInvalid,
            'only an anonymous user can set a phone with a password',
          );
        Object.assign(user, { phone: input.phone, password: input.password, anonymous: false });
      } else user.phone = input.phone;
    } else {
      return gizwitsError(reply, GizwitsError.FormInvalid, 'nothing to update');
    }
    return { updatedAt: new Date().toISOString() };
  }

  private createScheduler(user: GizwitsUser, body: Body, reply: FastifyReply) {
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
    this.armScheduler(scheduler);
    return reply.code(201).send({ id: scheduler.id });
  }

  /** Sends every control of a run, retrying per retry_count and retry_task; succeeds only if all were sent. */
  private fire(scheduler: GizwitsScheduler) {
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

  /** Fires at the scheduled UTC time when that is within a day (timers cannot wait for months). */
  private armScheduler(scheduler: GizwitsScheduler): void {
    if (this.context.timeScale === 0) return;
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
      if (scheduler.repeat !== 'none') this.armScheduler(scheduler);
    }, wait);
    this.timers.add(timer);
  }

  private ownScheduler(request: FastifyRequest, reply: FastifyReply): GizwitsScheduler | undefined {
    const user = this.user(request, reply);
    if (!user) return undefined;
    const scheduler = this.state.schedulers.get((request.params as { id: string }).id);
    if (!scheduler || scheduler.uid !== user.uid) {
      void gizwitsError(reply, GizwitsError.SchedulerNotFound, 'no scheduler of this user has this id', 404);
      return undefined;
    }
    return scheduler;
  }

  private deviceEntries(body: unknown, reply: FastifyReply): Body[] | undefined {
    const devices = (body as Body | undefined)?.devices;
    if (
      !Array.isArray(devices) ||
      devices.length === 0 ||
      !devices.every((entry) => typeof entry === 'object' && entry !== null && 'did' in entry)
    ) {
      void gizwitsError(reply, GizwitsError.FormInvalid, 'devices must be a non-empty list of {did}');
      return undefined;
    }
    return devices as Body[];
  }

  /** The signed-in user of X-Gizwits-User-token: a missing or unknown token is 9004, an expired one 9006. */
  private user(request: FastifyRequest, reply: FastifyReply): GizwitsUser | undefined {
    const token = request.headers['x-gizwits-user-token'];
    const session = typeof token === 'string' ? this.state.tokens.get(token) : undefined;
    if (!session) {
      void gizwitsError(reply, GizwitsError.TokenInvalid, 'X-Gizwits-User-token is missing or unknown');
      return undefined;
    }
    if (session.expireAt <= Math.floor(Date.now() / 1000)) {
      void gizwitsError(reply, GizwitsError.TokenExpired, 'sign in again');
      return undefined;
    }
    return this.state.users.get(session.uid);
  }

  private appToken(request: FastifyRequest, reply: FastifyReply): boolean {
    const token = request.headers['x-gizwits-application-token'];
    const expiresAt = typeof token === 'string' ? this.state.appTokens.get(token) : undefined;
    if (!expiresAt) {
      void gizwitsError(reply, GizwitsError.TokenInvalid, 'X-Gizwits-Application-Token is missing or unknown');
      return false;
    }
    if (expiresAt <= Math.floor(Date.now() / 1000)) {
      void gizwitsError(reply, GizwitsError.TokenExpired, 'X-Gizwits-Application-Token expired');
      return false;
    }
    return true;
  }

  private smsMatches(phone: unknown, code: unknown): boolean {
    if (typeof phone !== 'string' || typeof code !== 'string') return false;
    const matches = this.state.smsCodes.get(phone) === code;
    if (matches) this.state.smsCodes.delete(phone);
    return matches;
  }

  private session(user: GizwitsUser) {
    const token = newToken();
    const expireAt = this.expiry();
    this.state.tokens.set(token, { uid: user.uid, expireAt });
    return { uid: user.uid, token, expire_at: expireAt };
  }

  private expiry(): number {
    const ttl = this.context.timeScale > 0 ? this.tokenTtlSeconds * this.context.timeScale : this.tokenTtlSeconds;
    return Math.floor(Date.now() / 1000 + ttl);
  }

  /** Sensors move a little between reads, so "latest" really changes over time. */
  private drift(device: { attrs: Record<string, boolean | number | string>; updatedAt: number }): void {
    const now = Date.now();
    if (now - device.updatedAt < 1000 * this.context.timeScale) return;
    const step = () => this.context.random.int(-1, 1);
    device.attrs.temp = Math.min(100, Math.max(0, (device.attrs.temp as number) + step()));
    device.attrs.humi = Math.min(100, Math.max(0, (device.attrs.humi as number) + step()));
    device.updatedAt = now;
  }

  private clearTimers(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}

export function createGizwitsSimulator(context: SimulatorContext, options: GizwitsSimulatorOptions = {}): VendorSimulator {
  return new GizwitsSimulator(context, options);
}
