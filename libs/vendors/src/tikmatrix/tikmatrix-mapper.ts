import type { TaskStatus } from '@fleetgate/domain';
import type { VendorErrorKind } from '../core/vendor-error';

/** TikMatrix task status codes (0-3, as the document lists them) → Fleetgate's task status. */
export const TIKMATRIX_STATUS: Readonly<Record<number, TaskStatus>> = {
  0: 'pending',
  1: 'running',
  2: 'succeeded',
  3: 'failed',
};

export function taskStatusOf(code: number): TaskStatus {
  return TIKMATRIX_STATUS[code] ?? 'running';
}

/**
 * TikMatrix answer codes → normalized error kinds. The document names only 40301 (Starter plan, no
 * API access); the others read the code's leading HTTP status, as its pattern suggests.
 */
export function errorKindOf(code: number): VendorErrorKind {
  if (code === 40301) return 'unauthorized';
  const status = Math.floor(code / 100);
  if (status === 400 || status === 409 || status === 422) return 'invalid';
  if (status === 401 || status === 403) return 'unauthorized';
  if (status === 404) return 'not_found';
  if (status === 429) return 'rate_limited';
  if (status >= 500 && status < 600) return 'unavailable';
  return 'vendor_error';
}
