// STUB (owned by the load/validate room): host patterns (`all`, `etcd`, `a:b`, `a:&b`, `a:!b`, `node*`).
import type { Inventory } from '../load/model.js';

/** Hosts matching the pattern, in inventory order; throws RingError E_BAD_PATTERN on malformed input. */
export function matchHosts(inv: Inventory, pattern: string): string[] {
  void inv; void pattern;
  throw new Error('matchHosts: not implemented yet');
}
