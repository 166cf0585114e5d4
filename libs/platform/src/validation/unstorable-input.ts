import type { ArgumentMetadata } from '@nestjs/common';
import type { FieldProblem } from '../errors/api-error';

/** Deepest nesting a JSON body may have; no Fleetgate body comes near it. */
export const MAX_BODY_DEPTH = 32;

/**
 * Input that no route can take, found before any route-specific check: a control character in a path
 * or query text (identifiers, filters, names), a NUL or an unpaired surrogate anywhere in a body, in a
 * value or a key (PostgreSQL stores neither in jsonb), or a body nested deeper than MAX_BODY_DEPTH
 * (transforming and validating it recurses once per level). Answers one problem per field; empty when
 * the input is fine.
 */
export function unstorableInput(value: unknown, metadata: ArgumentMetadata): FieldProblem[] {
  if (metadata.type === 'param' || metadata.type === 'query') return controlCharacters(value, metadata.data);
  if (metadata.type === 'body') return bodyProblems(value);
  return [];
}

function controlCharacters(value: unknown, name: string | undefined): FieldProblem[] {
  const problem = 'must not contain control characters';
  if (name !== undefined) return hasControlCharacter(value) ? [{ field: name, problem }] : [];
  if (!value || typeof value !== 'object') return [];
  return Object.entries(value)
    .filter(([, text]) => hasControlCharacter(text))
    .map(([field]) => ({ field, problem }));
}

function hasControlCharacter(value: unknown): boolean {
  if (typeof value === 'string') return isControlText(value);
  if (Array.isArray(value)) return value.some((item) => typeof item === 'string' && isControlText(item));
  return false;
}

/** C0 control characters and DEL: no path or query text of Fleetgate's means anything with them. */
function isControlText(text: string): boolean {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/** Walks the body without recursion (its depth is what is in question). */
function bodyProblems(body: unknown): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const tooDeep = new Set<string>();
  const stack: Array<{ value: unknown; path: string[] }> = [{ value: body, path: [] }];
  while (stack.length > 0 && problems.length < 20) {
    const { value, path } = stack.pop()!;
    if (typeof value === 'string') {
      const problem = textProblem(value);
      if (problem) problems.push({ field: fieldOf(path), problem });
      continue;
    }
    if (!value || typeof value !== 'object') continue;
    if (path.length >= MAX_BODY_DEPTH) {
      const field = fieldOf(path.slice(0, 1));
      if (!tooDeep.has(field)) problems.push({ field, problem: `is nested deeper than ${MAX_BODY_DEPTH} levels` });
      tooDeep.add(field);
      continue;
    }
    for (const [key, child] of Object.entries(value)) {
      // A key is stored as text too (jsonb): a route that keeps a body whole (a vendor callback) stores it.
      const keyProblem = Array.isArray(value) ? undefined : textProblem(key);
      if (keyProblem) problems.push({ field: fieldOf([...path, key]), problem: `has a key that ${keyProblem}` });
      else stack.push({ value: child, path: [...path, key] });
    }
  }
  return problems;
}

/** A high surrogate not followed by a low one, or a low one not preceded by a high one (UTF-16 code units). */
const UNPAIRED_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * What PostgreSQL cannot store of a text that JSON can carry: NUL, and an unpaired surrogate (`"\ud800"`
 * parses, but is no character: jsonb refuses it, and text gets a replacement character instead).
 */
function textProblem(text: string): string | undefined {
  if (text.includes('\u0000')) return 'must not contain NUL characters';
  if (UNPAIRED_SURROGATE.test(text)) return 'must not contain unpaired surrogates (\\ud800-\\udfff alone)';
  return undefined;
}

/** Dotted like class-validator's fields (`items.0.name`); the body itself is `body`. */
function fieldOf(path: string[]): string {
  return path.length === 0 ? 'body' : path.join('.');
}
