// Source locations carried by loaded values, so any later stage can say file:line:col.
import type { Location } from '../errors/index.js';

/** Non-enumerable: invisible to ajv, JSON.stringify and object spreads, but kept on the object. */
export const SOURCE = Symbol('ringmaster.source');

/** Where an object or array came from, and where each of its keys / items sits. */
export interface SourceInfo {
  /** The node itself (for a mapping: its first key). */
  loc: Location;
  /** Per key (mapping) or per index (sequence): the location of the key (mapping) or item. */
  keys: Record<string, Location>;
  /** Per key: the location of the value (for scalars, the scalar itself). */
  values: Record<string, Location>;
}

export function attachSource(target: object, info: SourceInfo): void {
  Object.defineProperty(target, SOURCE, { value: info, enumerable: false, configurable: true });
}

export function sourceOf(value: unknown): SourceInfo | undefined {
  if (value && typeof value === 'object') return (value as { [SOURCE]?: SourceInfo })[SOURCE];
  return undefined;
}

/** The location of `obj[key]` (its value), else of the key, else of `obj`. */
export function locationOf(obj: unknown, key?: string | number): Location | undefined {
  const info = sourceOf(obj);
  if (!info) return undefined;
  if (key === undefined) return info.loc;
  const k = String(key);
  return info.values[k] ?? info.keys[k] ?? info.loc;
}

/** The location of the key `key` in mapping `obj` (where "unknown key" errors point). */
export function keyLocationOf(obj: unknown, key: string): Location | undefined {
  const info = sourceOf(obj);
  return info?.keys[key] ?? info?.loc;
}
