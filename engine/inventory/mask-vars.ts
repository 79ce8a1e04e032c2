// Secret-named variables shown as `***` in printed inventories (`inventory --list/--host`).
import { isSecretName } from './secret-names.js';

/** A copy of `value` where the value of every secret-named key (at any depth) is `***`; counts what it hid. */
export function maskSecretVars<T>(value: T, hidden: { count: number } = { count: 0 }): T {
  if (Array.isArray(value)) return value.map((v) => maskSecretVars(v, hidden)) as T;
  if (!value || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (isSecretName(k) && v !== null && v !== undefined && v !== '') {
      out[k] = '***';
      hidden.count++;
    } else out[k] = maskSecretVars(v, hidden);
  }
  return out as T;
}
