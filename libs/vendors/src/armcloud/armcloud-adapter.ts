import type { Operation, OperationParams, TaskStatus, VendorDevice } from '@fleetgate/domain';
import type {
  AdapterCapability,
  CallbackRequest,
  DevicePage,
  DispatchOutcome,
  VendorAdapter,
  VendorEvent,
  VendorTaskProgress,
} from '../core/vendor-adapter';
import { VendorError } from '../core/vendor-error';
import { ARMCLOUD_CAPABILITIES } from './armcloud-capabilities';
import type { ArmcloudClient } from './armcloud-client';
import { callbackToEvents, padTaskDetailToProgress, padToVendorDevice, taskStatusFromCode } from './armcloud-mapper';
import {
  ARMCLOUD_SIM_FIELDS,
  type ArmcloudPadTask,
  type ArmcloudSimField,
  type ArmcloudUpdateSimRequest,
} from './armcloud-wire';

export interface ArmcloudAdapterOptions {
  /** Pads per page of listDevices (padDetails `rows`). */
  pageSize?: number;
  /** Pads per request for endpoints that take `padCodes`; the document states no maximum. */
  batchSize?: number;
  /** Task ids per task-centre query. */
  pollBatchSize?: number;
  /** How often to look at a centre upload that app.install / file.push wait for. */
  stagingPollIntervalMs?: number;
  /** How long app.install / file.push wait for the centre upload before giving up. */
  stagingTimeoutMs?: number;
}

export const ARMCLOUD_DEFAULTS = {
  pageSize: 100,
  batchSize: 100,
  pollBatchSize: 100,
  stagingPollIntervalMs: 1_000,
  stagingTimeoutMs: 5 * 60_000,
} as const satisfies Required<ArmcloudAdapterOptions>;

function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}

function failedOutcome(vendorRef: string, error: VendorError): DispatchOutcome {
  return {
    vendorRef,
    status: error.kind === 'timeout' ? 'timed_out' : 'failed',
    error: { code: error.vendorCode, message: error.vendorMessage },
  };
}

function lastPathSegment(url: string): string {
  const path = url.split(/[?#]/)[0];
  return decodeURIComponent(path.slice(path.lastIndexOf('/') + 1)) || 'file';
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Fleetgate's view of one ArmCloud account. Asynchronous operations answer one vendor task per pad;
 * dispatch returns its id (poll with padTaskDetail) or, for the synchronous endpoints (syncCmd,
 * generatePreview, adb), the final result at once.
 */
export class ArmcloudAdapter implements VendorAdapter {
  readonly vendor = 'armcloud' as const;
  readonly capabilities: ReadonlySet<AdapterCapability> = ARMCLOUD_CAPABILITIES;
  private readonly options: Required<ArmcloudAdapterOptions>;

  constructor(
    readonly client: ArmcloudClient,
    options: ArmcloudAdapterOptions = {},
  ) {
    this.options = { ...ARMCLOUD_DEFAULTS, ...options };
  }

  async testConnection(): Promise<void> {
    await this.client.padDetails({ page: 1, rows: 1 });
  }

  async listDevices(cursor?: string): Promise<DevicePage> {
    const page = cursor === undefined ? 1 : Number(cursor);
    if (!Number.isInteger(page) || page < 1) {
      throw new VendorError('armcloud', 'invalid', 'cursor', `not a cursor of this adapter: ${cursor}`);
    }
    const answer = await this.client.padDetails({ page, rows: this.options.pageSize });
    return {
      devices: (answer.pageData ?? []).map(padToVendorDevice),
      nextCursor: page < Number(answer.totalPage) ? String(page + 1) : undefined,
    };
  }

  async getDevice(vendorRef: string): Promise<VendorDevice> {
    const answer = await this.client.padDetails({ page: 1, rows: 1, padCodes: [vendorRef] });
    const pad = (answer.pageData ?? []).find((entry) => entry.padCode === vendorRef);
    // padDetails filters rather than refuses: an unknown pad is an empty page, reported as the document's 110028.
    if (!pad) throw new VendorError('armcloud', 'not_found', '110028', `Instance does not exist: ${vendorRef}`);
    return padToVendorDevice(pad);
  }

  async dispatch(operation: Operation, vendorRefs: string[]): Promise<DispatchOutcome[]> {
    // ArmCloud refuses a request that names a pad twice (110027): each pad is sent once, answered for every mention.
    const pads = [...new Set(vendorRefs)];
    const outcomes = await this.dispatchUnique(operation, pads);
    const byPad = new Map(outcomes.map((outcome) => [outcome.vendorRef, outcome]));
    return vendorRefs.map(
      (ref) =>
        byPad.get(ref) ?? {
          vendorRef: ref,
          status: 'failed',
          error: { code: 'no_answer', message: 'ArmCloud answered nothing for this instance' },
        },
    );
  }

  async pollTasks(vendorTaskIds: string[]): Promise<VendorTaskProgress[]> {
    const ids = vendorTaskIds.map((id) => {
      if (!/^\d+$/.test(id)) throw new VendorError('armcloud', 'invalid', 'task_id', `not an ArmCloud task id: ${id}`);
      return Number(id);
    });
    const progress: VendorTaskProgress[] = [];
    for (const taskIds of chunk(ids, this.options.pollBatchSize)) {
      // padTaskDetail covers every instance operation; unknown ids are left out of its answer.
      const details = await this.client.padTaskDetail({ taskIds });
      progress.push(...(details ?? []).map(padTaskDetailToProgress));
    }
    return progress;
  }

  /** The document has no endpoint to cancel a task (status -3 exists, but nothing requests it). */
  async cancelTasks(vendorTaskIds: string[]): Promise<void> {
    throw VendorError.unsupported('armcloud', `tasks.cancel (asked for ${vendorTaskIds.length} tasks)`);
  }

  /**
   * The document defines no callback signature, token or source address, so nothing proves who sent
   * a callback: this checks the shape only (a JSON object of a documented callback type, an integer
   * taskId, a documented status code) and refuses anything else with VendorError invalid.
   */
  parseCallback(request: CallbackRequest): VendorEvent[] {
    let body = request.body;
    if (body === undefined || body === null || typeof body === 'string' || Buffer.isBuffer(body)) {
      const text = typeof body === 'string' ? body : Buffer.isBuffer(body) ? body.toString('utf8') : request.rawBody;
      try {
        body = text === undefined ? undefined : JSON.parse(text);
      } catch {
        throw new VendorError('armcloud', 'invalid', 'callback', 'the callback body is not JSON');
      }
    }
    return callbackToEvents(body);
  }

  private async dispatchUnique(operation: Operation, pads: string[]): Promise<DispatchOutcome[]> {
    const client = this.client;
    switch (operation.type) {
      case 'device.reboot':
        return this.inBatches(pads, (padCodes) => client.restartPads({ padCodes }));
      case 'device.reset':
        return this.inBatches(pads, (padCodes) => client.resetPads({ padCodes }));
      case 'shell.async': {
        const scriptContent = operation.params.command;
        return this.inBatches(pads, (padCodes) => client.asyncCmd({ padCodes, scriptContent }));
      }
      case 'shell.sync':
        return this.syncCommand(pads, operation.params.command);
      case 'screenshot':
        return this.preview(pads, operation.params);
      case 'app.install':
        return this.installApp(pads, operation.params);
      case 'app.uninstall':
        return this.uninstallApp(pads, operation.params.packageName);
      case 'app.start': {
        const pkgName = operation.params.packageName;
        return this.inBatches(pads, (padCodes) => client.startApp({ padCodes, pkgName }));
      }
      case 'app.stop': {
        const pkgName = operation.params.packageName;
        return this.inBatches(pads, (padCodes) => client.stopApp({ padCodes, pkgName }));
      }
      case 'app.restart': {
        const pkgName = operation.params.packageName;
        return this.inBatches(pads, (padCodes) => client.restartApp({ padCodes, pkgName }));
      }
      case 'file.push':
        return this.pushFile(pads, operation.params);
      case 'settings.properties': {
        // The document's own code example sets a name/value list as systemPropertiesList.
        const systemPropertiesList = Object.entries(operation.params.properties).map(
          ([propertiesName, propertiesValue]) => ({
            propertiesName,
            propertiesValue: String(propertiesValue),
          }),
        );
        return this.inBatches(pads, (padCodes) => client.updatePadProperties({ padCodes, systemPropertiesList }));
      }
      case 'settings.timezone': {
        const timeZone = operation.params.timeZone;
        return this.inBatches(pads, (padCodes) => client.updateTimeZone({ padCodes, timeZone }));
      }
      case 'settings.language': {
        const { language, country } = operation.params;
        return this.inBatches(pads, (padCodes) => client.updateLanguage({ padCodes, language, country }));
      }
      case 'settings.sim': {
        const sim = simFields(operation.params.properties);
        return this.inBatches(pads, (padCodes) => client.updateSim({ ...sim, padCodes }));
      }
      case 'settings.gps': {
        // altitude has no ArmCloud field and is not sent.
        const { longitude, latitude } = operation.params;
        return this.inBatches(pads, (padCodes) => client.gpsInjectInfo({ padCodes, longitude, latitude }));
      }
      case 'settings.proxy': {
        const { host, port, username, password, enabled } = operation.params;
        return this.inBatches(pads, (padCodes) =>
          client.setProxy({ padCodes, account: username, password, ip: host, port, enable: enabled }),
        );
      }
      case 'settings.adb':
        return this.setAdb(pads, operation.params.enabled);
      default:
        throw VendorError.unsupported('armcloud', operation.type);
    }
  }

  /**
   * Sends pads in batches to an endpoint that answers one task per pad. A failed batch fails its own
   * pads (the others keep their tasks). A whole-request refusal for an unknown pad (110028) is
   * narrowed: the unknown pads are found with padDetails and the rest sent again, which is safe
   * because the refused request ran nothing.
   */
  private async inBatches(
    pads: string[],
    send: (padCodes: string[]) => Promise<ArmcloudPadTask[]>,
  ): Promise<DispatchOutcome[]> {
    const outcomes: DispatchOutcome[] = [];
    for (const padCodes of chunk(pads, this.options.batchSize)) {
      try {
        outcomes.push(...(await this.sendBatch(padCodes, send)));
      } catch (error) {
        if (!(error instanceof VendorError)) throw error;
        // Nothing ran anywhere yet: let the caller retry the whole operation.
        if (outcomes.length === 0 && error.refusedUpFront) throw error;
        outcomes.push(...padCodes.map((pad) => failedOutcome(pad, error)));
      }
    }
    return outcomes;
  }

  private async sendBatch(
    padCodes: string[],
    send: (padCodes: string[]) => Promise<ArmcloudPadTask[]>,
  ): Promise<DispatchOutcome[]> {
    try {
      const rows = await send(padCodes);
      const byPad = new Map((Array.isArray(rows) ? rows : [rows]).map((row) => [row.padCode, row]));
      return padCodes.map((pad): DispatchOutcome => {
        const row = byPad.get(pad);
        if (!row || row.taskId === undefined || row.taskId === null) {
          return {
            vendorRef: pad,
            status: 'failed',
            error: { code: 'no_task', message: 'ArmCloud created no task for this instance' },
          };
        }
        return {
          vendorRef: pad,
          vendorTaskId: String(row.taskId),
          status: 'pending',
          result: { vmStatus: row.vmStatus },
        };
      });
    } catch (error) {
      if (!(error instanceof VendorError) || error.vendorCode !== '110028' || padCodes.length < 2) throw error;
      const known = new Set(
        ((await this.client.padDetails({ page: 1, rows: padCodes.length, padCodes })).pageData ?? []).map(
          (pad) => pad.padCode,
        ),
      );
      const unknown = padCodes.filter((pad) => !known.has(pad));
      if (unknown.length === 0) throw error;
      const rest = padCodes.filter((pad) => known.has(pad));
      const missing = unknown.map((pad) =>
        failedOutcome(pad, new VendorError('armcloud', 'not_found', '110028', `Instance does not exist: ${pad}`)),
      );
      return rest.length === 0 ? missing : [...missing, ...(await this.sendBatch(rest, send))];
    }
  }

  /** syncCmd takes one pad and answers the command's outcome (the vendor gives up after 5 s). */
  private async syncCommand(pads: string[], scriptContent: string): Promise<DispatchOutcome[]> {
    return this.onePadAtATime(pads, async (padCode) => {
      const [row] = await this.client.syncCmd({ padCode, scriptContent });
      if (!row)
        return {
          vendorRef: padCode,
          status: 'failed',
          error: { code: 'no_task', message: 'syncCmd answered no result' },
        };
      const status: TaskStatus = taskStatusFromCode(row.taskStatus) ?? 'failed';
      const failed = status !== 'succeeded' && status !== 'pending' && status !== 'running';
      return {
        vendorRef: padCode,
        vendorTaskId: String(row.taskId),
        status,
        result: row.taskResult ?? undefined,
        error: failed ? { code: String(row.taskStatus), message: row.taskResult || status } : undefined,
      };
    });
  }

  /**
   * Fleetgate's screenshot is an image to look at: generatePreview answers its address at once,
   * whereas /pad/screenshot only saves a file inside the pad. `definition` has no ArmCloud field.
   */
  private async preview(pads: string[], params: OperationParams['screenshot']): Promise<DispatchOutcome[]> {
    const rotation = params.rotation ?? 0;
    const outcomes: DispatchOutcome[] = [];
    for (const padCodes of chunk(pads, this.options.batchSize)) {
      try {
        const rows = await this.client.generatePreview({ padCodes, rotation, broadcast: false });
        const byPad = new Map(rows.map((row) => [row.padCode, row.accessUrl]));
        outcomes.push(
          ...padCodes.map((pad): DispatchOutcome => {
            const accessUrl = byPad.get(pad);
            return accessUrl
              ? { vendorRef: pad, status: 'succeeded', result: { accessUrl } }
              : {
                  vendorRef: pad,
                  status: 'failed',
                  error: { code: 'no_preview', message: 'no preview address (instance offline?)' },
                };
          }),
        );
      } catch (error) {
        if (!(error instanceof VendorError)) throw error;
        if (outcomes.length === 0 && error.refusedUpFront) throw error;
        outcomes.push(...padCodes.map((pad) => failedOutcome(pad, error)));
      }
    }
    return outcomes;
  }

  private async setAdb(pads: string[], enable: boolean): Promise<DispatchOutcome[]> {
    return this.onePadAtATime(pads, async (padCode) => {
      const answer = await this.client.setAdb({ padCode, enable });
      return {
        vendorRef: padCode,
        status: 'succeeded',
        result: { command: answer?.command, expireTime: answer?.expireTime, enable: answer?.enable },
      };
    });
  }

  private async onePadAtATime(
    pads: string[],
    run: (padCode: string) => Promise<DispatchOutcome>,
  ): Promise<DispatchOutcome[]> {
    const outcomes: DispatchOutcome[] = [];
    for (const pad of pads) {
      try {
        outcomes.push(await run(pad));
      } catch (error) {
        if (!(error instanceof VendorError)) throw error;
        if (outcomes.length === 0 && error.refusedUpFront) throw error;
        outcomes.push(failedOutcome(pad, error));
      }
    }
    return outcomes;
  }

  /**
   * installApp installs an application of the account's application centre (by appId), so the APK
   * is first uploaded there (app/cache, parse=true) and its upload task awaited; app/detail then
   * gives the package and application names installApp requires.
   */
  private async installApp(pads: string[], params: OperationParams['app.install']): Promise<DispatchOutcome[]> {
    const [cached] = await this.client.cacheApps({
      parse: true,
      apps: [{ url: params.url, pkgName: params.packageName, md5sum: params.md5 }],
    });
    if (!cached) throw new VendorError('armcloud', 'vendor_error', 'no_task', 'app/cache answered no upload task');
    await this.awaitCentreUpload(cached.taskId);
    const app = await this.client.appDetail({ appId: cached.appId });
    const pkgName = params.packageName ?? app.packageName;
    const appName = app.appName || pkgName;
    return this.inBatches(pads, (padCodes) =>
      this.client.installApps({ apps: [{ appId: cached.appId, appName, pkgName, padCodes }] }),
    );
  }

  /**
   * uninstallApp's table requires appId and appName, which only the application centre knows: a
   * package it does not hold is refused before anything is sent.
   */
  private async uninstallApp(pads: string[], pkgName: string): Promise<DispatchOutcome[]> {
    const known = await this.findCentreApp(pkgName);
    if (!known) {
      throw new VendorError(
        'armcloud',
        'invalid',
        'appId',
        `uninstallApp requires the appId of ${pkgName}, and the application centre has no app with that package`,
      );
    }
    const entry = { appId: known.appId, appName: known.appName || pkgName, pkgName };
    return this.inBatches(pads, (padCodes) => this.client.uninstallApps({ apps: [{ ...entry, padCodes }] }));
  }

  private async findCentreApp(pkgName: string): Promise<{ appId: number; appName: string } | undefined> {
    const rows = 100;
    // Bounded: a package beyond the first 1,000 apps of the centre is treated as not there.
    for (let page = 1; page <= 10; page++) {
      const answer = await this.client.appList({ page, rows });
      const match = (answer.pageData ?? []).find((app) => app.packageName === pkgName);
      if (match) return { appId: match.appId, appName: match.appName };
      if (page >= Number(answer.totalPage)) return undefined;
    }
    return undefined;
  }

  /** Pushes a file: upload to the file centre (file/cache), await it, then pad/v2/uploadFile. */
  private async pushFile(pads: string[], params: OperationParams['file.push']): Promise<DispatchOutcome[]> {
    if (!params.md5) {
      throw new VendorError(
        'armcloud',
        'invalid',
        'fileMd5',
        'ArmCloud file upload requires the file MD5: give md5 with file.push',
      );
    }
    const cached = await this.client.cacheFile({
      fileUrl: params.url,
      fileName: params.fileName ?? lastPathSegment(params.url),
      fileMd5: params.md5,
    });
    await this.awaitCentreUpload(cached.taskId);
    const fileUniqueId = cached.fileUniqueId;
    const customizeFilePath = params.targetPath;
    return this.inBatches(pads, (padCodes) => this.client.pushFile({ padCodes, fileUniqueId, customizeFilePath }));
  }

  private async awaitCentreUpload(taskId: number): Promise<void> {
    const deadline = Date.now() + this.options.stagingTimeoutMs;
    for (;;) {
      const [detail] = await this.client.fileTaskDetail({ taskIds: [taskId] });
      const status = detail ? taskStatusFromCode(detail.taskStatus) : undefined;
      if (status === 'succeeded') return;
      if (status && status !== 'pending' && status !== 'running') {
        throw new VendorError(
          'armcloud',
          'vendor_error',
          String(detail!.taskStatus),
          `upload task ${taskId} to the centre ended ${status}`,
        );
      }
      if (Date.now() >= deadline) {
        throw new VendorError(
          'armcloud',
          'timeout',
          'upload_timeout',
          `upload task ${taskId} to the centre did not finish in time`,
        );
      }
      await sleep(this.options.stagingPollIntervalMs);
    }
  }
}

function simFields(properties: Record<string, string>): Omit<ArmcloudUpdateSimRequest, 'padCodes'> {
  const allowed = new Set<string>(ARMCLOUD_SIM_FIELDS);
  const unknown = Object.keys(properties).filter((key) => !allowed.has(key));
  if (unknown.length > 0) {
    throw new VendorError('armcloud', 'invalid', 'sim_field', `not an ArmCloud SIM field: ${unknown.join(', ')}`);
  }
  return Object.fromEntries(Object.entries(properties).map(([key, value]) => [key as ArmcloudSimField, String(value)]));
}
