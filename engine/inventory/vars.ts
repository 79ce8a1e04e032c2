// STUB (owned by the load/validate room): a host's inventory variables with Ansible's precedence.
import type { Inventory } from '../load/model.js';

/** all's vars < parent groups < child groups (deeper wins; same depth: alphabetical) < host vars. */
export function hostVars(inv: Inventory, host: string): Record<string, unknown> {
  void inv; void host;
  throw new Error('hostVars: not implemented yet');
}

/** group name → member host names (recursively through children), for the `groups` variable. */
export function groupMembers(inv: Inventory): Record<string, string[]> {
  void inv;
  throw new Error('groupMembers: not implemented yet');
}
