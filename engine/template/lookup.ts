// Safe property access for templates and expressions: data only, never the JavaScript object machinery.

/** Names that would reach JavaScript internals; refused everywhere. */
export const FORBIDDEN_NAMES: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** The result of a lookup: `found` distinguishes a missing key from a key whose value is undefined. */
export interface Found {
  found: boolean;
  value?: unknown;
}

const MISSING: Found = { found: false };

/**
 * `obj[key]` if it is data: an own property of a plain object (or of an object on its prototype chain
 * short of Object.prototype, so layered variable scopes built with Object.create work), an array index
 * or `length`, a string index or `length`, or a Map entry. Functions are never returned.
 */
export function getProp(obj: unknown, key: string | number): Found {
  const k = String(key);
  if (obj === null || obj === undefined || FORBIDDEN_NAMES.has(k)) return MISSING;
  if (typeof obj === 'string') {
    if (k === 'length') return { found: true, value: obj.length };
    const i = indexOf(k, obj.length);
    return i === undefined ? MISSING : { found: true, value: obj[i] };
  }
  if (typeof obj !== 'object') return MISSING;
  if (Array.isArray(obj)) {
    if (k === 'length') return { found: true, value: obj.length };
    const i = indexOf(k, obj.length);
    return i === undefined ? MISSING : { found: true, value: obj[i] };
  }
  if (obj instanceof Map) return obj.has(k) ? data(obj.get(k)) : MISSING;
  for (let o: object | null = obj; o && o !== Object.prototype; o = Object.getPrototypeOf(o) as object | null) {
    if (Object.prototype.hasOwnProperty.call(o, k)) return data((o as Record<string, unknown>)[k]);
  }
  return MISSING;
}

function data(value: unknown): Found {
  return typeof value === 'function' ? MISSING : { found: true, value };
}

/** A non-negative or negative (from the end, like Python) integer index within `len`. */
function indexOf(k: string, len: number): number | undefined {
  if (!/^-?\d+$/.test(k)) return undefined;
  const n = Number(k);
  const i = n < 0 ? len + n : n;
  return i >= 0 && i < len ? i : undefined;
}

/** The keys a value offers, for "did you mean" hints. */
export function keysOf(obj: unknown): string[] {
  if (obj instanceof Map) return [...obj.keys()].map(String);
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return [];
  const keys: string[] = [];
  for (let o: object | null = obj; o && o !== Object.prototype; o = Object.getPrototypeOf(o) as object | null) {
    keys.push(...Object.keys(o));
  }
  return keys;
}

/** True for a plain mapping (not an array, not null). */
export function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
