// etcdctl's `-w json` output, parsed without losing precision: member and cluster IDs are uint64.
import { RingError } from '../errors/index.js';

/** Integers this long exceed 2^53; etcdctl prints IDs as bare JSON numbers, so quote them before parsing. */
const BIG_INT = /([:[,]\s*)(\d{16,})(?=\s*[,}\]])/g;

/** JSON.parse that turns every integer of 16+ digits into a decimal string. */
export function parseEtcdJson(text: string, what: string): unknown {
  const trimmed = text.trim();
  if (!trimmed) throw new RingError('E_TASK_FAILED', `etcdctl printed nothing for ${what}`);
  try {
    return JSON.parse(trimmed.replace(BIG_INT, '$1"$2"'));
  } catch (e) {
    throw new RingError('E_TASK_FAILED', `cannot parse etcdctl's JSON for ${what}: ${(e as Error).message}`, {
      hint: `the output began with: ${trimmed.slice(0, 120)}`,
    });
  }
}

/** A decimal uint64 (string or number) as etcdctl's 16-digit lowercase hex (what `member remove` takes). */
export function toHexId(id: unknown): string {
  if (typeof id === 'string' && /^[0-9a-f]{16}$/i.test(id) && /[a-f]/i.test(id)) return id.toLowerCase();
  if (typeof id !== 'string' && typeof id !== 'number') throw new RingError('E_TASK_FAILED', `not an etcd ID: ${String(id)}`);
  return BigInt(id).toString(16).padStart(16, '0');
}
