import type { VendorAccountConfig } from '../core/vendor-account';
import { VendorError } from '../core/vendor-error';
import type { VendorResponse, VendorTransport } from '../core/vendor-transport';
import { errorKindOf } from './easyclick-mapper';

export interface EasyclickTask {
  taskId: number;
  taskName: string;
  scriptName?: string;
  execStatus: number;
  endTime?: string | null;
  /** "001,002": the devices on the task. */
  deviceNos: string;
  valueConfig?: string;
  valueJson?: Record<string, unknown>;
  [field: string]: unknown;
}

export interface EasyclickParam {
  key: string;
  type: '1' | '2' | '3';
  value: string | string[];
  options?: string[];
}

export interface EasyclickChange {
  taskId: string;
  /** "0" start, "1" stop locally, "2" stop remotely. */
  status?: '0' | '1' | '2';
  addDevices?: string;
  removeDevices?: string;
  addParamEx?: EasyclickParam[];
  removeParam?: string[];
}

interface Envelope<T> {
  code?: number | string;
  msg?: string;
  data?: T;
}

/** Codes that mean success: 200 (the RuoYi back office's) and 0 (what many such clouds answer). */
const SUCCESS_CODES: ReadonlySet<number> = new Set([0, 200]);

/**
 * EasyClick's cloud-control open API, one instance per account: getTask and changeTask, each a POST
 * with the account's `dataSecret` in the body, or the `no_limit_token` header instead when the
 * account has one (the document's tip for calling any endpoint of the cloud).
 */
export class EasyclickClient {
  constructor(
    readonly account: VendorAccountConfig,
    private readonly transport: VendorTransport,
  ) {
    const { dataSecret, noLimitToken } = account.credentials;
    if (!dataSecret && !noLimitToken) {
      throw new VendorError('easyclick', 'unauthorized', 'credentials', 'dataSecret or noLimitToken is required');
    }
  }

  /** Every task of the cloud with its devices and parameters. */
  getTask(): Promise<EasyclickTask[]> {
    return this.call<EasyclickTask[]>('/openapi/getTask', {}, true, (body) => {
      if (!Array.isArray(body))
        throw new VendorError('easyclick', 'vendor_error', 'answer', 'getTask did not answer a list');
      return body as EasyclickTask[];
    });
  }

  /**
   * Changes a task. `idempotent` says whether sending the same change twice is harmless: adding or
   * removing devices and parameters, and stopping, are (the second send finds it done); starting is not.
   */
  changeTask(change: EasyclickChange, idempotent: boolean): Promise<EasyclickTask | undefined> {
    // The document shows no changeTask answer: anything that is not an error is success (README).
    return this.call<EasyclickTask | undefined>('/openapi/changeTask', change, idempotent, (body) => {
      const data = (body as Envelope<EasyclickTask> | undefined)?.data;
      return data && typeof data === 'object' ? data : undefined;
    });
  }

  private call<T>(path: string, body: object, idempotent: boolean, read: (body: unknown) => T): Promise<T> {
    const { dataSecret, noLimitToken } = this.account.credentials;
    return this.transport.send(
      {
        method: 'POST',
        path,
        body: dataSecret ? { dataSecret, ...body } : body,
        headers: noLimitToken ? { no_limit_token: noLimitToken } : undefined,
        idempotent,
      },
      (response) => read(refuseFailure(response)),
    );
  }
}

/**
 * A failure is `{code, msg}` with a numeric code other than 0 or 200 (HTTP 200 or not), or an HTTP
 * error status; it keeps the code and message. Everything else is an answer.
 */
function refuseFailure(response: VendorResponse): unknown {
  const body = response.body as Envelope<unknown> | undefined;
  const code = body && !Array.isArray(body) && typeof body === 'object' ? body.code : undefined;
  const numeric = typeof code === 'string' && code.trim() !== '' ? Number(code) : code;
  if (typeof numeric === 'number' && Number.isFinite(numeric) && !SUCCESS_CODES.has(numeric)) {
    throw new VendorError('easyclick', errorKindOf(numeric), String(numeric), body?.msg ?? '');
  }
  if (response.status >= 400) {
    throw new VendorError(
      'easyclick',
      errorKindOf(response.status),
      String(response.status),
      `HTTP ${response.status}`,
    );
  }
  return body;
}
