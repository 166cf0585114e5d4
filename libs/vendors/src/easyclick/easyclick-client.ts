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
  code: number;
  msg?: string;
  data?: T;
}

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
    return this.call<EasyclickTask | undefined>('/openapi/changeTask', change, idempotent, (body) => {
      const envelope = body as Envelope<EasyclickTask> | undefined;
      if (!envelope || typeof envelope.code !== 'number') {
        throw new VendorError('easyclick', 'vendor_error', 'answer', 'changeTask answered without {code, msg}');
      }
      return envelope.data ?? undefined;
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

/** A failure is `{code, msg}` with a code other than 200 (HTTP 200 or not); it keeps both. */
function refuseFailure(response: VendorResponse): unknown {
  const body = response.body as Envelope<unknown> | undefined;
  if (body && !Array.isArray(body) && typeof body === 'object' && typeof body.code === 'number' && body.code !== 200) {
    throw new VendorError('easyclick', errorKindOf(body.code), String(body.code), body.msg ?? '');
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
