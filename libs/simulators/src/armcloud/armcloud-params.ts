import { ARMCLOUD_ERRORS, ArmcloudError } from './armcloud-envelope';
import type { ArmcloudFleet } from './armcloud-fleet';

/**
 * Reading request parameters the way a lenient Java backend would: numbers and booleans may come
 * as strings ("vmStatus": "1"), a list may come as a single value, and a missing required field
 * answers code 500 "Incorrect request parameter" naming the field.
 */

type Params = Record<string, unknown>;

export function badParameter(detail: string): ArmcloudError {
  return new ArmcloudError(ARMCLOUD_ERRORS.badParameter, detail);
}

const isAbsent = (value: unknown) => value === undefined || value === null || value === '';

export function readString(params: Params, name: string, required: true): string;
export function readString(params: Params, name: string, required?: false): string | undefined;
export function readString(params: Params, name: string, required = false): string | undefined {
  const value = params[name];
  if (isAbsent(value)) {
    if (required) throw badParameter(`${name} is required`);
    return undefined;
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value !== 'string') throw badParameter(`${name} must be a string`);
  return value;
}

export function readNumber(params: Params, name: string, required: true): number;
export function readNumber(params: Params, name: string, required?: false): number | undefined;
export function readNumber(params: Params, name: string, required = false): number | undefined {
  const value = params[name];
  if (isAbsent(value)) {
    if (required) throw badParameter(`${name} is required`);
    return undefined;
  }
  const number = typeof value === 'string' ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isFinite(number)) throw badParameter(`${name} must be a number`);
  return number;
}

export function readBoolean(params: Params, name: string, required: true): boolean;
export function readBoolean(params: Params, name: string, required?: false): boolean | undefined;
export function readBoolean(params: Params, name: string, required = false): boolean | undefined {
  const value = params[name];
  if (isAbsent(value)) {
    if (required) throw badParameter(`${name} is required`);
    return undefined;
  }
  if (value === true || value === 'true' || value === 1 || value === '1') return true;
  if (value === false || value === 'false' || value === 0 || value === '0') return false;
  throw badParameter(`${name} must be true or false`);
}

/** A list of strings; a single string counts as a list of one (the ADB table types padCodes as String). */
export function readStringList(params: Params, name: string, required = false): string[] | undefined {
  const value = params[name];
  if (isAbsent(value) || (Array.isArray(value) && value.length === 0)) {
    if (required) throw badParameter(`${name} is required`);
    return undefined;
  }
  const items = Array.isArray(value) ? value : [value];
  if (!items.every((item) => typeof item === 'string' && item.length > 0)) throw badParameter(`${name} must be a list of strings`);
  return items as string[];
}

/** A list of integers; `"21,14"` from a query string is read as [21, 14]. */
export function readIntegerList(params: Params, name: string, required = false): number[] | undefined {
  const value = params[name];
  if (isAbsent(value) || (Array.isArray(value) && value.length === 0)) {
    if (required) throw badParameter(`${name} is required`);
    return undefined;
  }
  const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : [value];
  const numbers = items.map((item) => (typeof item === 'string' ? Number(item.trim()) : item));
  if (!numbers.every((item) => typeof item === 'number' && Number.isInteger(item))) throw badParameter(`${name} must be a list of integers`);
  return numbers as number[];
}

export function readObjectList(params: Params, name: string, required = false): Params[] | undefined {
  const value = params[name];
  if (isAbsent(value) || (Array.isArray(value) && value.length === 0)) {
    if (required) throw badParameter(`${name} is required`);
    return undefined;
  }
  if (!Array.isArray(value) || !value.every((item) => item && typeof item === 'object' && !Array.isArray(item))) {
    throw badParameter(`${name} must be a list of objects`);
  }
  return value as Params[];
}

export interface PageRequest {
  page: number;
  rows: number;
}

/** page and rows default to 1 and 10 (as the document says of the file and app lists); rows is capped at 1000. */
export function readPage(params: Params): PageRequest {
  const page = readNumber(params, 'page') ?? 1;
  const rows = readNumber(params, 'rows') ?? 10;
  if (!Number.isInteger(page) || page < 1) throw badParameter('page must be an integer >= 1');
  if (!Number.isInteger(rows) || rows < 1 || rows > 1000) throw badParameter('rows must be an integer from 1 to 1000');
  return { page, rows };
}

export interface ArmcloudPage<T> {
  page: number;
  rows: number;
  size: number;
  total: number;
  totalPage: number;
  pageData: T[];
}

/** Builds only the requested page's records from the matching keys. */
export function paginate<K, T>(keys: readonly K[], { page, rows }: PageRequest, render: (key: K) => T): ArmcloudPage<T> {
  const pageData = keys.slice((page - 1) * rows, page * rows).map(render);
  return { page, rows, size: pageData.length, total: keys.length, totalPage: Math.ceil(keys.length / rows), pageData };
}

/** Resolves instance codes: duplicates answer 110027, an unknown code 110028 (naming it). */
export function resolvePadCodes(fleet: ArmcloudFleet, codes: readonly string[]): number[] {
  const seen = new Set<string>();
  const indices: number[] = [];
  for (const code of codes) {
    if (seen.has(code)) throw new ArmcloudError(ARMCLOUD_ERRORS.duplicatePads, code);
    seen.add(code);
  }
  for (const code of codes) {
    const index = fleet.indexOf(code);
    if (index === undefined) throw new ArmcloudError(ARMCLOUD_ERRORS.unknownPad, code);
    indices.push(index);
  }
  return indices;
}

/**
 * The pads an instance operation addresses: `padCodes` (required by most endpoints) or, where the
 * document also offers `groupIds` (restart, reset), every pad of those groups when padCodes is
 * empty. When both are sent (as the document's own restart example does) padCodes wins, so that
 * copying the example restarts one pad rather than a whole group.
 */
export function readTargetPads(fleet: ArmcloudFleet, params: Params, options: { allowGroups?: boolean } = {}): number[] {
  const codes = readStringList(params, 'padCodes') ?? [];
  if (codes.length > 0) return resolvePadCodes(fleet, codes);
  const groupIds = options.allowGroups ? (readIntegerList(params, 'groupIds') ?? []) : [];
  if (groupIds.length === 0) throw badParameter('padCodes is required');
  const groups = new Set(groupIds);
  const indices: number[] = [];
  for (let i = 0; i < fleet.size; i++) if (groups.has(fleet.groupOf(i))) indices.push(i);
  return indices;
}
