import type { VendorAccountConfig } from '../core/vendor-account';
import { VendorError, type VendorErrorKind } from '../core/vendor-error';
import type { VendorRequest, VendorTransport } from '../core/vendor-transport';
import { ArmcloudSigner } from './armcloud-signer';
import {
  ARMCLOUD_SUCCESS_CODE,
  type ArmcloudAdbState,
  type ArmcloudAppEntry,
  type ArmcloudCacheAppEntry,
  type ArmcloudCachedApp,
  type ArmcloudCachedFile,
  type ArmcloudCacheFileRequest,
  type ArmcloudCallbackConfig,
  type ArmcloudCallbackType,
  type ArmcloudEnvelope,
  type ArmcloudFileEntry,
  type ArmcloudFileTaskDetail,
  type ArmcloudPadApp,
  type ArmcloudPadDetail,
  type ArmcloudPadDetailsQuery,
  type ArmcloudPadInfo,
  type ArmcloudPadProperties,
  type ArmcloudPadTask,
  type ArmcloudPadTaskDetail,
  type ArmcloudPage,
  type ArmcloudPreview,
  type ArmcloudPushFileRequest,
  type ArmcloudScreenshotRequest,
  type ArmcloudSetProxyRequest,
  type ArmcloudSyncCommandResult,
  type ArmcloudTaskBatch,
  type ArmcloudUpdatePropertiesRequest,
  type ArmcloudUpdateSimRequest,
} from './armcloud-wire';

/**
 * The document's error codes by normalized kind. The rest (execution failures such as 10001
 * "Reboot failed" or 110003 "Failed to execute ADB command", and any code the document does not
 * list) are vendor_error.
 */
export const ARMCLOUD_ERROR_KINDS: Readonly<Record<number, VendorErrorKind>> = {
  500: 'invalid', // Incorrect request parameter
  100001: 'unauthorized', // No access (no server room ordered)
  100004: 'unauthorized', // Invalid key (signature or access key refused)
  110012: 'timeout', // Command execution timeout, "try again later"
  110027: 'invalid', // Duplicate item in the instance number set
  110028: 'not_found', // Instance does not exist
  110030: 'invalid', // Power restart parameters not compliant
  110032: 'not_found', // Physical IP does not exist
  110039: 'unavailable', // Task add failed, "please try again"
  110040: 'not_found', // Account does not exist
  110041: 'not_found', // Mirror does not exist
  110051: 'invalid', // No application blacklist for this specification
  120005: 'not_found', // Instance does not exist (RTC endpoints)
  120007: 'unsupported', // This interface does not support this feature at the moment
  140005: 'not_found', // File not available
  140006: 'invalid', // Incorrect file storage path
};

/** The content type field clients send and sign; the document's own `application/json` is the other form. */
const ARMCLOUD_FIELD_CONTENT_TYPE = 'application/json;charset=UTF-8';

/** Where each endpoint lives: three services under one host, as the document prints them. */
const OPENAPI = '/openapi/open';
const FILE_CENTER = '/file-center/open';
const TASK_CENTER = '/task-center/open/task';

/**
 * ArmCloud's OpenAPI for one account: one typed method per endpoint that Fleetgate uses. Every
 * request is signed (HMAC-SHA256 over the exact body bytes sent), sent through the account's
 * transport, and its envelope unwrapped: code 200 gives `data`, any other code a VendorError that
 * keeps the vendor's code and message.
 */
export class ArmcloudClient {
  private readonly signer: ArmcloudSigner;

  constructor(
    readonly account: VendorAccountConfig,
    private readonly transport: VendorTransport,
  ) {
    const { accessKeyId, secretAccessKey, host } = account.credentials;
    if (!accessKeyId || !secretAccessKey) {
      throw new VendorError('armcloud', 'unauthorized', 'credentials', 'accessKeyId and secretAccessKey are required');
    }
    // The host the request goes to is the one signed (and sent as x-host), as field clients do; an
    // account behind a proxy or another name sets `host` to what the vendor expects.
    this.signer = new ArmcloudSigner({
      accessKeyId,
      secretAccessKey,
      host: host || new URL(account.baseUrl).host,
      contentType: ARMCLOUD_FIELD_CONTENT_TYPE,
    });
  }

  // Instance management

  restartPads(body: { padCodes: string[]; groupIds?: number[] }): Promise<ArmcloudPadTask[]> {
    return this.post(`${OPENAPI}/pad/restart`, body, false);
  }

  resetPads(body: { padCodes: string[]; groupIds?: number[] }): Promise<ArmcloudPadTask[]> {
    return this.post(`${OPENAPI}/pad/reset`, body, false);
  }

  padProperties(body: { padCode: string }): Promise<ArmcloudPadProperties> {
    return this.post(`${OPENAPI}/pad/padProperties`, body, true);
  }

  updatePadProperties(body: ArmcloudUpdatePropertiesRequest): Promise<ArmcloudPadTask[]> {
    return this.post(`${OPENAPI}/pad/updatePadProperties`, body, true);
  }

  padDetails(body: ArmcloudPadDetailsQuery): Promise<ArmcloudPage<ArmcloudPadDetail>> {
    return this.post(`${OPENAPI}/pad/padDetails`, body, true);
  }

  padInfos(body: {
    page: number;
    rows: number;
    padCodes?: string[];
    groupIds?: number[];
  }): Promise<ArmcloudPage<ArmcloudPadInfo>> {
    return this.post(`${OPENAPI}/pad/infos`, body, true);
  }

  updateTimeZone(body: { padCodes: string[]; timeZone: string }): Promise<ArmcloudPadTask[]> {
    return this.post(`${OPENAPI}/pad/updateTimeZone`, body, true);
  }

  updateLanguage(body: { padCodes: string[]; language: string; country?: string }): Promise<ArmcloudPadTask[]> {
    return this.post(`${OPENAPI}/pad/updateLanguage`, body, true);
  }

  updateSim(body: ArmcloudUpdateSimRequest): Promise<ArmcloudPadTask[]> {
    return this.post(`${OPENAPI}/pad/updateSIM`, body, true);
  }

  gpsInjectInfo(body: { padCodes: string[]; longitude: number; latitude: number }): Promise<ArmcloudPadTask[]> {
    return this.post(`${OPENAPI}/pad/gpsInjectInfo`, body, true);
  }

  setProxy(body: ArmcloudSetProxyRequest): Promise<ArmcloudPadTask[]> {
    return this.post(`${OPENAPI}/network/proxy/set`, body, true);
  }

  proxyInfo(body: { padCodes: string[] }): Promise<ArmcloudPadTask[]> {
    return this.post(`${OPENAPI}/network/proxy/info`, body, true);
  }

  /** One pad per call: the example sends `padCode` (the table's "padCodes | String" is read as a typo). */
  setAdb(body: { padCode: string; enable: boolean }): Promise<ArmcloudAdbState> {
    return this.post(`${OPENAPI}/pad/adb`, body, true);
  }

  // Instance manipulation

  asyncCmd(body: { padCodes: string[]; scriptContent: string }): Promise<ArmcloudPadTask[]> {
    return this.post(`${OPENAPI}/pad/asyncCmd`, body, false);
  }

  syncCmd(body: { padCode: string; scriptContent: string }): Promise<ArmcloudSyncCommandResult[]> {
    return this.post(`${OPENAPI}/pad/syncCmd`, body, false);
  }

  /** Saves a screenshot on the pad itself (an asynchronous task). */
  screenshot(body: ArmcloudScreenshotRequest): Promise<ArmcloudPadTask[]> {
    return this.post(`${OPENAPI}/pad/screenshot`, body, false);
  }

  /** Takes a screenshot and answers its download address at once. */
  generatePreview(body: ArmcloudScreenshotRequest): Promise<ArmcloudPreview[]> {
    return this.post(`${OPENAPI}/pad/generatePreview`, body, true);
  }

  // Files and applications

  cacheFile(body: ArmcloudCacheFileRequest): Promise<ArmcloudCachedFile> {
    return this.post(`${FILE_CENTER}/file/cache`, body, false);
  }

  fileList(body: { page: number; rows: number }): Promise<ArmcloudPage<ArmcloudFileEntry>> {
    return this.post(`${FILE_CENTER}/file/list`, body, true);
  }

  pushFile(body: ArmcloudPushFileRequest): Promise<ArmcloudPadTask[]> {
    return this.post(`${OPENAPI}/pad/v2/uploadFile`, body, false);
  }

  cacheApps(body: { parse: boolean; apps: ArmcloudCacheAppEntry[] }): Promise<ArmcloudCachedApp[]> {
    return this.post(`${FILE_CENTER}/app/cache`, body, false);
  }

  appList(body: { page: number; rows: number; appIds?: number[] }): Promise<ArmcloudPage<ArmcloudAppEntry>> {
    return this.post(`${FILE_CENTER}/app/list`, body, true);
  }

  appDetail(body: { appId: number }): Promise<ArmcloudAppEntry> {
    return this.post(`${FILE_CENTER}/app/detail`, body, true);
  }

  listPadApps(body: { padCodes: string[] }): Promise<ArmcloudPadTask[]> {
    return this.post(`${OPENAPI}/pad/listApp`, body, true);
  }

  installApps(body: { apps: ArmcloudPadApp[] }): Promise<ArmcloudPadTask[]> {
    return this.post(`${OPENAPI}/pad/installApp`, body, false);
  }

  uninstallApps(body: { apps: ArmcloudPadApp[] }): Promise<ArmcloudPadTask[]> {
    return this.post(`${OPENAPI}/pad/uninstallApp`, body, false);
  }

  startApp(body: { padCodes: string[]; pkgName: string }): Promise<ArmcloudPadTask[]> {
    return this.post(`${OPENAPI}/pad/startApp`, body, false);
  }

  stopApp(body: { padCodes: string[]; pkgName: string }): Promise<ArmcloudPadTask[]> {
    return this.post(`${OPENAPI}/pad/stopApp`, body, false);
  }

  restartApp(body: { padCodes: string[]; pkgName: string }): Promise<ArmcloudPadTask[]> {
    return this.post(`${OPENAPI}/pad/restartApp`, body, false);
  }

  // Task centre

  padTaskDetail(body: { taskIds: number[] }): Promise<ArmcloudPadTaskDetail[]> {
    return this.post(`${TASK_CENTER}/padTaskDetail`, body, true);
  }

  fileTaskDetail(body: { taskIds: number[] }): Promise<ArmcloudFileTaskDetail[]> {
    return this.post(`${TASK_CENTER}/fileTaskDetail`, body, true);
  }

  taskList(body: { type: number; page: number; rows: number }): Promise<ArmcloudPage<ArmcloudTaskBatch>> {
    return this.post(`${TASK_CENTER}/list`, body, true);
  }

  executeScriptInfo(body: { taskIds: number[] }): Promise<ArmcloudPadTaskDetail[]> {
    return this.post(`${TASK_CENTER}/executeScriptInfo`, body, true);
  }

  cacheFileResult(body: { taskIds: number[] }): Promise<{ fileList: ArmcloudFileTaskDetail[] }> {
    return this.post(`${TASK_CENTER}/cacheFileResult`, body, true);
  }

  screenshotInfo(body: { taskIds: number[] }): Promise<ArmcloudPadTaskDetail[]> {
    return this.post(`${TASK_CENTER}/screenshotInfo`, body, true);
  }

  appOperateInfo(body: { taskIds: number[] }): Promise<ArmcloudPadTaskDetail[]> {
    return this.post(`${TASK_CENTER}/appOperateInfo`, body, true);
  }

  padExecuteTaskInfo(body: { taskIds: number[] }): Promise<ArmcloudPadTaskDetail[]> {
    return this.post(`${TASK_CENTER}/padExecuteTaskInfo`, body, true);
  }

  // Callback configuration

  callbackTypes(): Promise<ArmcloudCallbackType[]> {
    return this.get(`${OPENAPI}/config/selectList`);
  }

  callbackAddress(): Promise<string | null> {
    return this.get(`${OPENAPI}/config/selectCallback`);
  }

  insertCallback(body: ArmcloudCallbackConfig): Promise<number> {
    return this.post(`${OPENAPI}/config/insertCallback`, body, true);
  }

  updateCallback(body: ArmcloudCallbackConfig): Promise<number> {
    return this.post(`${OPENAPI}/config/updateCallback`, body, true);
  }

  /** "Request data type: parameterless": sent without a body. */
  deleteCallback(): Promise<number> {
    return this.post(`${OPENAPI}/config/deleteCallback`, undefined, true);
  }

  private get<T>(path: string, query?: Record<string, string>): Promise<T> {
    return this.call<T>({ method: 'GET', path, query, idempotent: true });
  }

  private post<T>(path: string, body: object | undefined, idempotent: boolean): Promise<T> {
    // Serialised once: the signature covers these exact bytes.
    const rawBody = body === undefined ? undefined : JSON.stringify(body);
    return this.call<T>({ method: 'POST', path, rawBody, idempotent });
  }

  private async call<T>(request: VendorRequest): Promise<T> {
    const headers = this.signer.sign({
      method: request.method,
      path: request.path,
      query: request.query,
      body: request.rawBody,
    });
    // The envelope is read inside the transport's policies, so "try again" codes (110039, 110012) are retried there.
    return this.transport.send({ ...request, headers: { ...headers } }, (response) => {
      if (response.status >= 400) {
        const kind: VendorErrorKind =
          response.status === 401 || response.status === 403
            ? 'unauthorized'
            : response.status === 404
              ? 'not_found'
              : 'invalid';
        throw new VendorError(
          'armcloud',
          kind,
          String(response.status),
          describeBody(response.body) ?? `HTTP ${response.status}`,
        );
      }
      return unwrapEnvelope<T>(response.body);
    });
  }
}

function describeBody(body: unknown): string | undefined {
  if (body && typeof body === 'object') {
    const record = body as Record<string, unknown>;
    const message = record.msg ?? record.message;
    if (typeof message === 'string') return message;
  }
  return undefined;
}

/** Reads the envelope: data on code 200, otherwise the VendorError for the code. */
export function unwrapEnvelope<T>(body: unknown): T {
  if (!body || typeof body !== 'object' || !('code' in body)) {
    throw new VendorError(
      'armcloud',
      'vendor_error',
      'malformed_envelope',
      'the answer is not a {code, msg, ts, data} envelope',
    );
  }
  const envelope = body as ArmcloudEnvelope<T>;
  const code = Number(envelope.code);
  if (code === ARMCLOUD_SUCCESS_CODE) return envelope.data;
  throw armcloudError(code, typeof envelope.msg === 'string' ? envelope.msg : '');
}

export function armcloudError(code: number, message: string): VendorError {
  return new VendorError(
    'armcloud',
    ARMCLOUD_ERROR_KINDS[code] ?? 'vendor_error',
    String(code),
    message || `ArmCloud code ${code}`,
  );
}
