/**
 * The fault knobs of one vendor simulator. Every knob is off by default; set them at start
 * (`--faults armcloud=errorRate:0.2,latencyMs:50`) or at run time with `PUT /_sim/faults`.
 */
export interface FaultSettings {
  /** Added to every answer, in milliseconds. */
  latencyMs: number;
  /** Up to this many milliseconds more, drawn at random for each request. */
  jitterMs: number;
  /** Share of requests (0..1) that fail. */
  errorRate: number;
  /** How they fail: the vendor's own error envelope (HTTP 200 or as the vendor does), or a bare HTTP 5xx. */
  errorMode: 'vendor' | 'http';
  /** HTTP status used when errorMode is `http`. */
  httpErrorStatus: number;
  /** Share of requests (0..1) that are never answered (the socket stays open). */
  hangRate: number;
  /** Requests per second above which the simulator answers 429 with Retry-After; 0 for no cap. */
  rpsCap: number;
  /** Share of answers (0..1) whose body is cut into malformed JSON. */
  malformedRate: number;
  /** Share of callbacks (0..1) delivered twice. */
  callbackDuplicateRate: number;
  /** Deliver callbacks of a batch in reverse order (newest first). */
  callbackOutOfOrder: boolean;
  /** Share of callback deliveries (0..1) that are dropped as if the network failed. */
  callbackFailureRate: number;
}

export const NO_FAULTS: Readonly<FaultSettings> = Object.freeze({
  latencyMs: 0,
  jitterMs: 0,
  errorRate: 0,
  errorMode: 'vendor',
  httpErrorStatus: 503,
  hangRate: 0,
  rpsCap: 0,
  malformedRate: 0,
  callbackDuplicateRate: 0,
  callbackOutOfOrder: false,
  callbackFailureRate: 0,
});

const RATE_KEYS = ['errorRate', 'hangRate', 'malformedRate', 'callbackDuplicateRate', 'callbackFailureRate'] as const;
const NON_NEGATIVE_KEYS = ['latencyMs', 'jitterMs', 'rpsCap'] as const;

/** Validates a partial update; returns the merged settings or throws with the offending field named. */
export function mergeFaultSettings(current: FaultSettings, patch: Record<string, unknown>): FaultSettings {
  const next: FaultSettings = { ...current };
  for (const [key, raw] of Object.entries(patch)) {
    if (!(key in NO_FAULTS)) throw new Error(`unknown fault setting "${key}"`);
    if ((RATE_KEYS as readonly string[]).includes(key)) {
      const value = Number(raw);
      if (!Number.isFinite(value) || value < 0 || value > 1) throw new Error(`${key} must be a number from 0 to 1`);
      (next as unknown as Record<string, unknown>)[key] = value;
    } else if ((NON_NEGATIVE_KEYS as readonly string[]).includes(key)) {
      const value = Number(raw);
      if (!Number.isFinite(value) || value < 0) throw new Error(`${key} must be a number >= 0`);
      (next as unknown as Record<string, unknown>)[key] = value;
    } else if (key === 'httpErrorStatus') {
      const value = Number(raw);
      if (!Number.isInteger(value) || value < 500 || value > 599) throw new Error('httpErrorStatus must be 500..599');
      next.httpErrorStatus = value;
    } else if (key === 'errorMode') {
      if (raw !== 'vendor' && raw !== 'http') throw new Error('errorMode must be "vendor" or "http"');
      next.errorMode = raw;
    } else if (key === 'callbackOutOfOrder') {
      next.callbackOutOfOrder = raw === true || raw === 'true';
    }
  }
  return next;
}

/** Parses `errorRate:0.2,latencyMs:50` as given on the command line. */
export function parseFaultFlag(text: string): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  for (const pair of text.split(',').filter(Boolean)) {
    const [key, value] = pair.split(':');
    patch[key.trim()] = value === undefined ? true : value.trim();
  }
  return patch;
}
