// STUB (owned by the lab room): never connect to a lab address from outside the lab's client namespace.
import type { CliIO } from '../commands/types.js';

/**
 * Called by `ringmaster run` when the inventory carries `ringmaster_lab: NAME`.
 * Returns undefined when this process already runs inside that lab's client network namespace (go on);
 * otherwise re-runs the same ringmaster command inside it and returns that exit code;
 * throws RingError E_LAB when the lab is not up.
 */
export async function enterLabIfNeeded(labName: string, argv: string[], io: CliIO): Promise<number | undefined> {
  void labName; void argv; void io;
  return undefined;
}
