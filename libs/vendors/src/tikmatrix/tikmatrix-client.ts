import type { VendorAccountConfig } from '../core/vendor-account';
import { VendorError } from '../core/vendor-error';
import type { VendorRequest, VendorTransport } from '../core/vendor-transport';
import { errorKindOf } from './tikmatrix-mapper';

export interface TikmatrixCreateTask {
  serials?: string[];
  usernames?: string[];
  script_name: string;
  script_config?: Record<string, unknown>;
  enable_multi_account?: boolean;
  start_time?: string;
}

export interface TikmatrixTask {
  id: number;
  serial: string | null;
  username?: string | null;
  script_name: string;
  status: number;
  error?: string | null;
  [field: string]: unknown;
}

export interface TikmatrixTaskList {
  tasks: TikmatrixTask[];
  total: number;
  page: number;
  page_size: number;
}

interface Envelope<T> {
  code: number;
  message: string;
  data: T;
}

/**
 * TikMatrix's task API (the farm PC's local server), one instance per account. Answers are
 * `{code, message, data}` with code 0 on success; anything else becomes a VendorError keeping the code.
 */
export class TikmatrixClient {
  constructor(
    readonly account: VendorAccountConfig,
    private readonly transport: VendorTransport,
  ) {}

  checkLicense() {
    return this.call<{ plan?: string; api_access?: boolean }>({
      method: 'GET',
      path: '/api/v1/license/check',
      idempotent: true,
    });
  }

  /** Not idempotent: sending it twice creates the tasks twice. */
  createTask(body: TikmatrixCreateTask) {
    return this.call<{ task_ids: number[]; created_count: number }>({
      method: 'POST',
      path: '/api/v1/task',
      body,
      idempotent: false,
    });
  }

  listTasks(
    query: {
      status?: number;
      serial?: string;
      script_name?: string;
      source?: 'ui' | 'api';
      page?: number;
      page_size?: number;
    } = {},
  ) {
    return this.call<TikmatrixTaskList>({ method: 'GET', path: '/api/v1/task', query, idempotent: true });
  }

  /** Undefined when the farm answers nothing (the document shows no detail answer). */
  getTask(taskId: number) {
    return this.call<TikmatrixTask | undefined>(
      { method: 'GET', path: `/api/v1/task/${taskId}`, idempotent: true },
      { emptyAnswer: true },
    );
  }

  deleteTask(taskId: number) {
    return this.call<unknown>({ method: 'DELETE', path: `/api/v1/task/${taskId}`, idempotent: true });
  }

  deleteTasks(taskIds: number[]) {
    return this.call<{ deleted_count: number }>({
      method: 'DELETE',
      path: '/api/v1/task/batch',
      body: { task_ids: taskIds },
      idempotent: true,
    });
  }

  /**
   * Stopping twice is harmless (the second answers a state error), so it may be retried. Undefined
   * when the farm answers nothing (the document shows no stop answer).
   */
  stopTask(taskId: number) {
    return this.call<TikmatrixTask | undefined>(
      { method: 'POST', path: `/api/v1/task/${taskId}/stop`, idempotent: true },
      { emptyAnswer: true },
    );
  }

  retryTask(taskId: number) {
    return this.call<TikmatrixTask>({ method: 'POST', path: `/api/v1/task/${taskId}/retry`, idempotent: false });
  }

  retryAll() {
    return this.call<unknown>({ method: 'POST', path: '/api/v1/task/retry-all', idempotent: false });
  }

  stats() {
    return this.call<{ total: number; pending: number; running: number; completed: number; failed: number }>({
      method: 'GET',
      path: '/api/v1/task/stats',
      idempotent: true,
    });
  }

  /** `emptyAnswer`: an empty body, or an envelope without data, is an answer (undefined), not a fault. */
  private call<T>(request: VendorRequest, options: { emptyAnswer?: boolean } = {}): Promise<T> {
    // Read inside the transport's policies, so that a transient code is retried like a 5xx.
    return this.transport.send(request, (response) => {
      const envelope = response.body as Envelope<T> | undefined;
      if (options.emptyAnswer && response.status < 400 && envelope === undefined) return undefined as T;
      if (!envelope || typeof envelope.code !== 'number') {
        throw new VendorError(
          'tikmatrix',
          'vendor_error',
          String(response.status),
          'answer without a {code, message, data} envelope',
        );
      }
      if (envelope.code !== 0) {
        throw new VendorError('tikmatrix', errorKindOf(envelope.code), String(envelope.code), envelope.message ?? '');
      }
      return (options.emptyAnswer ? (envelope.data ?? undefined) : envelope.data) as T;
    });
  }
}
