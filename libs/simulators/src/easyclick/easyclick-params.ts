/**
 * Task parameters as changeTask's `addParamEx` describes them: type "1" text, "2" single choice,
 * "3" multiple choice. Stored as the document's `valueConfig` entries and flattened to `valueJson`.
 */
export interface EasyclickParam {
  id: number;
  key: string;
  type: '1' | '2' | '3';
  value: string | string[];
  options: string | string[];
}

const isStringArray = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((item) => typeof item === 'string');

/**
 * "请填写json数组" reads as either a JSON array or a string holding one; both are taken.
 * Anything else is returned unchanged for the caller to refuse.
 */
function jsonArrayOrSelf(value: unknown): unknown {
  if (typeof value !== 'string' || !value.trim().startsWith('[')) return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

/** Checks one `addParamEx` entry; returns the parameter or the problem, naming the field. */
export function parseParam(raw: unknown, index: number, id: number): EasyclickParam | string {
  const at = `addParamEx[${index}]`;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return `${at} must be an object`;
  const entry = raw as Record<string, unknown>;
  if (typeof entry.key !== 'string' || entry.key.length === 0) return `${at}.key must be a non-empty string`;
  // "1" in changeTask's comment, "" on the text entries of getTask's valueConfig; numbers as well.
  const type = entry.type === undefined || entry.type === null || entry.type === '' ? '1' : String(entry.type);
  if (type === '1') {
    if (typeof entry.value !== 'string') return `${at}.value must be a string for a text parameter`;
    return { id, key: entry.key, type, value: entry.value, options: '' };
  }
  if (type !== '2' && type !== '3')
    return `${at}.type must be "1" (text), "2" (single choice) or "3" (multiple choice)`;
  const options = jsonArrayOrSelf(entry.options);
  if (!isStringArray(options) || options.length === 0) {
    return `${at}.options must be a non-empty array of strings for a choice parameter`;
  }
  if (type === '2') {
    if (typeof entry.value !== 'string' || !options.includes(entry.value))
      return `${at}.value must be one of its options`;
    return { id, key: entry.key, type, value: entry.value, options };
  }
  // Not checked against the options: the document's own example picks "222" from ["111","2222","333"].
  const value = jsonArrayOrSelf(entry.value);
  if (!isStringArray(value)) return `${at}.value must be an array of strings for a multiple-choice parameter`;
  return { id, key: entry.key, type, value, options };
}

/**
 * The older form of the same document (`addParam: {"ke1": ["111","222"]}`): plain name → value.
 * A string becomes a text parameter, an array of strings a multiple choice offering those values.
 */
export function parseLegacyParams(raw: unknown, firstId: number): EasyclickParam[] | string {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return 'addParam must be an object';
  const params: EasyclickParam[] = [];
  let id = firstId;
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof value === 'string') params.push({ id: id++, key, type: '1', value, options: '' });
    else if (isStringArray(value)) params.push({ id: id++, key, type: '3', value, options: value });
    else return `addParam.${key} must be a string or an array of strings`;
  }
  return params;
}

/** removeParam as the documented array, or a comma-separated string as addDevices is. */
export function parseRemoveParam(raw: unknown): string[] | string {
  if (raw === undefined || raw === null || raw === '') return [];
  if (typeof raw === 'string')
    return raw
      .split(',')
      .map((key) => key.trim())
      .filter(Boolean);
  if (isStringArray(raw)) return raw;
  return 'removeParam must be an array of parameter names';
}

/** The document's `valueJson`: parameter name → value. */
export function valueJsonOf(params: readonly EasyclickParam[]): Record<string, string | string[]> {
  return Object.fromEntries(params.map((param) => [param.key, param.value]));
}
