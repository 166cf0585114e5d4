import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  Random,
  type SimulatorContext,
  type VendorErrorReply,
  type VendorSimulator,
} from '../kit';
import { type EasyclickParam, parseLegacyParams, parseParam, parseRemoveParam, valueJsonOf } from './easyclick-params';

/** changeTask's `status`: 0 start, 1 stop local, 2 stop remote (the document's comment). */
const ChangeStatus = { Start: '0', StopLocal: '1', StopRemote: '2' } as const;

/**
 * `execStatus` in getTask. The document shows only 1 on tasks that run; the simulator reads it as
 * 0 idle, 1 running, 2 stopped locally (cloud side only), 3 stopped remotely (devices told too).
 */
export const ExecStatus = { Idle: 0, Running: 1, StoppedLocal: 2, StoppedRemote: 3 } as const;

/** Answer codes: the document shows none for changeTask or failures; see README. */
export const EasyclickCode = { Ok: 200, BadRequest: 400, Forbidden: 403, NotFound: 404, Internal: 500 } as const;

interface EasyclickTask {
  taskId: number;
  taskName: string;
  scriptId: number;
  scriptName: string;
  scriptMd5: string;
  scriptVersion: string;
  downloadUrl: string;
  cronText: string;
  execType: number;
  execNumber: number;
  delaySecond: number;
  scheduleType: number;
  scheduleTime: string | null;
  cacheScript: number;
  sort: number;
  tenantId: number;
  execStatus: number;
  endTime: string | null;
  devices: string[];
  params: EasyclickParam[];
}

export interface DeviceRun {
  taskId: number;
  deviceNo: string;
  startedAt: string;
  finishedAt?: string;
  stoppedBy?: 'remote';
}

// A device runs the task's script for this long (× timeScale), then takes itself off the task.
const RUN_MS = 2_000;
const SEEDED_TASKS = 5;
const SCRIPT_NAMES = ['douyin-like', 'kuaishou-watch', 'game-daily', 'html5', 'follow-back'];

/** The document's endpoints, and the `/api/...` spelling its sequence diagram uses for the same calls. */
const ROUTE_PREFIXES = ['/openapi', '/api'];

export const EASYCLICK_DEFAULT_DATA_SECRET = 'test123';
/** The changelog asks for more than 16 letters and digits; an empty value turns the header off. */
export const EASYCLICK_DEFAULT_NO_LIMIT_TOKEN = 'FleetgateEasyclickNoLimit2024';

/** The EasyClick simulator's secrets; anything left out is the default above. */
export interface EasyclickSimulatorOptions {
  dataSecret?: string;
  /** An empty token turns the header off, as an empty config value does. */
  noLimitToken?: string;
}

class EasyclickSimulator implements VendorSimulator {
  readonly vendor = 'easyclick' as const;
  /** The API secret (config.toml `appkey`); the document's default is test123. */
  readonly dataSecret: string;
  /** config.toml `no_limit_token`, sent as a header; empty means off, as in the real config. */
  readonly noLimitToken: string;
  private tasks = new Map<number, EasyclickTask>();
  private deviceNos = new Set<string>();
  private runs: DeviceRun[] = [];
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Drawn once, so that reset() rebuilds the very fleet the simulator started with. */
  private readonly fleetSeed: number;

  constructor(
    private readonly context: SimulatorContext,
    options: EasyclickSimulatorOptions,
  ) {
    this.dataSecret = options.dataSecret ?? EASYCLICK_DEFAULT_DATA_SECRET;
    this.noLimitToken = options.noLimitToken ?? EASYCLICK_DEFAULT_NO_LIMIT_TOKEN;
    this.fleetSeed = context.random.int(1, 0x7fffffff);
    this.seed();
  }

  register(app: FastifyInstance): void {
    for (const prefix of ROUTE_PREFIXES) {
      app.post(`${prefix}/getTask`, async (request, reply) => {
        if (!this.authorized(request)) return this.refuse(reply);
        return [...this.tasks.values()].map((task) => this.view(task));
      });
      app.post(`${prefix}/changeTask`, async (request, reply) => {
        if (!this.authorized(request)) return this.refuse(reply);
        return this.change(request.body as Record<string, unknown> | undefined, reply);
      });
    }
    app.get('/_sim/easyclick/runs', async () => this.runs.slice(-500));
    app.get('/_sim/easyclick/devices', async () => ({
      count: this.deviceNos.size,
      first: [...this.deviceNos].slice(0, 100),
    }));
  }

  vendorError(random: Random): VendorErrorReply {
    return random.chance(0.5)
      ? { status: 500, body: { code: EasyclickCode.Internal, msg: '系统繁忙', data: null } }
      : { status: 200, body: { code: EasyclickCode.Internal, msg: '服务器内部错误', data: null } };
  }

  reset(): void {
    this.clearTimers();
    this.seed();
  }

  close(): void {
    this.clearTimers();
  }

  /** dataSecret in the body (or the query string), or the no_limit_token header that opens every API. */
  private authorized(request: FastifyRequest): boolean {
    const header = request.headers['no_limit_token'] ?? request.headers['no-limit-token'];
    if (this.noLimitToken && typeof header === 'string' && header === this.noLimitToken) return true;
    const body = request.body as { dataSecret?: unknown } | undefined;
    const secret = body?.dataSecret ?? (request.query as { dataSecret?: unknown }).dataSecret;
    return typeof secret === 'string' && secret === this.dataSecret;
  }

  private refuse(reply: FastifyReply) {
    return reply
      .code(200)
      .send({ code: EasyclickCode.Forbidden, msg: 'dataSecret 错误 (invalid dataSecret)', data: null });
  }

  private change(body: Record<string, unknown> | undefined, reply: FastifyReply) {
    const bad = (msg: string, code: number = EasyclickCode.BadRequest) =>
      reply.code(200).send({ code, msg, data: null });
    const taskId = Number(body?.taskId);
    if (!Number.isInteger(taskId)) return bad('taskId is required');
    const task = this.tasks.get(taskId);
    if (!task) return bad(`task ${body?.taskId} does not exist`, EasyclickCode.NotFound);

    const status = body?.status === undefined || body.status === '' ? undefined : String(body.status);
    if (status !== undefined && !Object.values(ChangeStatus).includes(status as never)) {
      return bad('status must be "0" (start), "1" (stop local) or "2" (stop remote)');
    }
    const addDevices = this.deviceList(body?.addDevices);
    const removeDevices = this.deviceList(body?.removeDevices);
    if (typeof addDevices === 'string') return bad(`addDevices ${addDevices}`);
    if (typeof removeDevices === 'string') return bad(`removeDevices ${removeDevices}`);
    const unknown = addDevices.filter((deviceNo) => !this.deviceNos.has(deviceNo));
    if (unknown.length) return bad(`addDevices: unknown devices ${unknown.join(',')}`, EasyclickCode.NotFound);

    const added: EasyclickParam[] = [];
    let nextId = Math.max(0, ...task.params.map((param) => param.id)) + 1;
    if (body?.addParamEx !== undefined && body.addParamEx !== null) {
      if (!Array.isArray(body.addParamEx)) return bad('addParamEx must be an array');
      for (const [index, raw] of body.addParamEx.entries()) {
        const parsed = parseParam(raw, index, nextId++);
        if (typeof parsed === 'string') return bad(parsed);
        added.push(parsed);
      }
    }
    if (body?.addParam !== undefined && body.addParam !== null) {
      const legacy = parseLegacyParams(body.addParam, nextId);
      if (typeof legacy === 'string') return bad(legacy);
      added.push(...legacy);
    }
    const removeParam = parseRemoveParam(body?.removeParam);
    if (typeof removeParam === 'string') return bad(removeParam);

    // All checked: apply in the document's order of fields.
    for (const deviceNo of addDevices) if (!task.devices.includes(deviceNo)) task.devices.push(deviceNo);
    for (const deviceNo of removeDevices) this.takeOff(task, deviceNo);
    task.params = task.params.filter((param) => !removeParam.includes(param.key));
    for (const param of added) {
      task.params = task.params.filter((existing) => existing.key !== param.key);
      task.params.push(param);
    }
    if (status === ChangeStatus.Start) {
      task.execStatus = ExecStatus.Running;
      task.endTime = null;
    } else if (status === ChangeStatus.StopLocal) {
      task.execStatus = ExecStatus.StoppedLocal;
      task.endTime = new Date().toISOString();
    } else if (status === ChangeStatus.StopRemote) {
      task.execStatus = ExecStatus.StoppedRemote;
      task.endTime = new Date().toISOString();
      for (const deviceNo of [...task.devices]) this.stopRun(task, deviceNo);
    }
    if (task.execStatus === ExecStatus.Running) for (const deviceNo of task.devices) this.startRun(task, deviceNo);
    return { code: EasyclickCode.Ok, msg: 'success', data: this.view(task) };
  }

  /** "001,002,003" (the document's form) or an array; returns the problem as a string. */
  private deviceList(raw: unknown): string[] | string {
    if (raw === undefined || raw === null || raw === '') return [];
    const list = Array.isArray(raw) ? raw.map(String) : typeof raw === 'string' ? raw.split(',') : undefined;
    if (!list) return 'must be a comma-separated string of device numbers';
    return [...new Set(list.map((deviceNo) => deviceNo.trim()).filter(Boolean))];
  }

  /** A device picks the running task up, runs the script, then takes itself off (the document's flow). */
  private startRun(task: EasyclickTask, deviceNo: string): void {
    const key = `${task.taskId}:${deviceNo}`;
    if (this.timers.has(key)) return;
    const run: DeviceRun = { taskId: task.taskId, deviceNo, startedAt: new Date().toISOString() };
    this.runs.push(run);
    const timer = setTimeout(() => {
      this.timers.delete(key);
      run.finishedAt = new Date().toISOString();
      this.takeOff(task, deviceNo);
      if (task.devices.length === 0 && task.execStatus === ExecStatus.Running) {
        task.execStatus = ExecStatus.Idle;
        task.endTime = run.finishedAt;
      }
    }, RUN_MS * this.context.timeScale);
    this.timers.set(key, timer);
  }

  private stopRun(task: EasyclickTask, deviceNo: string): void {
    const key = `${task.taskId}:${deviceNo}`;
    const timer = this.timers.get(key);
    if (timer) {
      clearTimeout(timer);
      this.timers.delete(key);
      const run = this.runs.findLast(
        (candidate) => candidate.taskId === task.taskId && candidate.deviceNo === deviceNo,
      );
      if (run && !run.finishedAt) {
        run.finishedAt = new Date().toISOString();
        run.stoppedBy = 'remote';
      }
    }
  }

  private takeOff(task: EasyclickTask, deviceNo: string): void {
    this.stopRun(task, deviceNo);
    task.devices = task.devices.filter((candidate) => candidate !== deviceNo);
  }

  /** A task as getTask shows it, with the document's string/JSON quirks. */
  private view(task: EasyclickTask) {
    const { devices, params, ...rest } = task;
    return {
      ...rest,
      deviceNos: devices.join(','),
      valueConfig: JSON.stringify(params),
      valueJson: valueJsonOf(params),
    };
  }

  private seed(): void {
    const random = new Random(this.fleetSeed);
    this.runs = [];
    this.deviceNos = new Set(
      Array.from({ length: this.context.fleetSize }, (_, index) => String(index + 1).padStart(3, '0')),
    );
    this.tasks = new Map();
    for (let taskId = 1; taskId <= SEEDED_TASKS; taskId++) {
      const scriptId = 10 + taskId;
      this.tasks.set(taskId, {
        taskId,
        taskName: `demo-task-${taskId}`,
        scriptId,
        scriptName: SCRIPT_NAMES[taskId - 1],
        scriptMd5: Array.from({ length: 4 }, () => random.int(0, 0xffffffff).toString(16).padStart(8, '0')).join(''),
        scriptVersion: '1',
        downloadUrl: `http://127.0.0.1:8098/pub_upload/2026-11-01/script-${scriptId}.iec`,
        cronText: '* * * * * ?',
        execType: 1,
        execNumber: 9999,
        delaySecond: 0,
        scheduleType: 0,
        scheduleTime: null,
        cacheScript: 1,
        sort: taskId,
        tenantId: 1,
        execStatus: ExecStatus.Idle,
        endTime: null,
        devices: [],
        params: [{ id: 1, key: 'keyword', type: '1', value: 'fleetgate', options: '' }],
      });
    }
  }

  private clearTimers(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}

export function createEasyclickSimulator(context: SimulatorContext, options: EasyclickSimulatorOptions = {}): VendorSimulator {
  return new EasyclickSimulator(context, options);
}
