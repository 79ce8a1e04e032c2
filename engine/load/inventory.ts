// STUB (owned by the load/validate room): inventories (YAML, INI, group_vars/, host_vars/) → Inventory.
import type { Inventory } from './model.js';

/** Loads and merges several `-i` sources (files or folders); validates; throws RingErrors. */
export async function loadInventories(paths: string[]): Promise<Inventory> {
  throw new Error(`loadInventories(${paths.join(',')}): not implemented yet`);
}
