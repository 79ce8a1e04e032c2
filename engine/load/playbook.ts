// STUB (owned by the load/validate room): YAML playbook → validated, normalized Playbook.
import type { Playbook } from './model.js';

/** Reads, validates (all errors at once → RingErrors) and normalizes one playbook file. */
export async function loadPlaybook(file: string): Promise<Playbook> {
  throw new Error(`loadPlaybook(${file}): not implemented yet`);
}
