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

/** Checks one `addParamEx` entry; returns the parameter or the problem, naming the field. */
export function parseParam(raw: unknown, index: number, id: number): EasyclickParam | string {
  const at = `addParamEx[${index}]`;
  if (typeof raw !== 'object' || raw === null) return `${at} must be an object`;
  const entry = raw as Record<string, unknown>;
  if (typeof entry.key !== 'string' || entry.key.length === 0) return `${at}.key must be a non-empty string`;
  // The type arrives as a string in the document's example; numbers are accepted too.
  const type = String(entry.type ?? '');
  if (type === '1') {
    if (typeof entry.value !== 'string') return `${at}.value must be a string for a text parameter`;
    return { id, key: entry.key, type, value: entry.value, options: '' };
  }
  if (type !== '2' && type !== '3')
    return `${at}.type must be "1" (text), "2" (single choice) or "3" (multiple choice)`;
  const options = entry.options;
  if (!Array.isArray(options) || options.length === 0 || !options.every((option) => typeof option === 'string')) {
    return `${at}.options must be a non-empty array of strings for a choice parameter`;
  }
  if (type === '2') {
    if (typeof entry.value !== 'string' || !options.includes(entry.value))
      return `${at}.value must be one of its options`;
    return { id, key: entry.key, type, value: entry.value, options };
  }
  const value = entry.value;
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string' && options.includes(item))) {
    return `${at}.value must be an array of its options`;
  }
  return { id, key: entry.key, type, value, options };
}

/** The document's `valueJson`: parameter name → value. */
export function valueJsonOf(params: readonly EasyclickParam[]): Record<string, string | string[]> {
  return Object.fromEntries(params.map((param) => [param.key, param.value]));
}
