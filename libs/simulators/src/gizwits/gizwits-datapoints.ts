/**
 * The demo product's data points, one of each type the control document names. `attrs` sent to
 * /app/control/{did} and in scheduler tasks are checked against these.
 */
export type DataPoint =
  | { name: string; type: 'bool'; writable: boolean }
  | { name: string; type: 'enum'; writable: boolean; values: readonly string[] }
  | { name: string; type: 'uint8' | 'uint16' | 'uint32'; writable: boolean; min: number; max: number }
  | { name: string; type: 'binary'; writable: boolean; length: number };

export const DEMO_PRODUCT_KEY = 'fleetgatedemoproduct0000000001';

export const DATA_POINTS: readonly DataPoint[] = [
  { name: 'switch', type: 'bool', writable: true },
  { name: 'mode', type: 'enum', writable: true, values: ['auto', 'cool', 'heat', 'fan'] },
  { name: 'brightness', type: 'uint8', writable: true, min: 0, max: 255 },
  { name: 'fan_speed', type: 'uint16', writable: true, min: 0, max: 3000 },
  { name: 'run_seconds', type: 'uint32', writable: true, min: 0, max: 4294967295 },
  { name: 'payload', type: 'binary', writable: true, length: 4 },
  { name: 'temp', type: 'uint8', writable: false, min: 0, max: 100 },
  { name: 'humi', type: 'uint8', writable: false, min: 0, max: 100 },
];

const BY_NAME = new Map(DATA_POINTS.map((point) => [point.name, point]));

/** The first problem with a set of attrs, naming the data point, or undefined. */
export function checkAttrs(attrs: unknown): string | undefined {
  if (typeof attrs !== 'object' || attrs === null || Array.isArray(attrs) || Object.keys(attrs).length === 0) {
    return 'attrs must be an object with at least one data point';
  }
  for (const [name, value] of Object.entries(attrs)) {
    const point = BY_NAME.get(name);
    if (!point) return `attrs.${name}: no such data point`;
    if (!point.writable) return `attrs.${name}: data point is read-only`;
    switch (point.type) {
      case 'bool':
        if (typeof value !== 'boolean') return `attrs.${name}: must be true or false`;
        break;
      case 'enum':
        if (typeof value !== 'string' || !point.values.includes(value))
          return `attrs.${name}: must be one of ${point.values.join(', ')}`;
        break;
      case 'binary':
        if (typeof value !== 'string' || !/^([0-9a-fA-F]{2})*$/.test(value) || value.length !== point.length * 2) {
          return `attrs.${name}: must be hex of exactly ${point.length} bytes (${point.length * 2} hex digits)`;
        }
        break;
      default:
        if (typeof value !== 'number' || !Number.isInteger(value) || value < point.min || value > point.max) {
          return `attrs.${name}: must be an integer from ${point.min} to ${point.max} (${point.type})`;
        }
    }
  }
  return undefined;
}

export function initialAttrs(index: number): Record<string, boolean | number | string> {
  return {
    switch: index % 2 === 0,
    mode: 'auto',
    brightness: index % 256,
    fan_speed: 0,
    run_seconds: 0,
    payload: '00000000',
    temp: 20 + (index % 10),
    humi: 40 + (index % 20),
  };
}
