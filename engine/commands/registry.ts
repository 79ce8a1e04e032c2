// Explicit, sorted registry of CLI sub-commands. Each loads on demand, so a command pays only for its own
// dependencies at start-up (`validate` does not load ssh2, listr2 or the lab).
import type { CommandDef } from './types.js';

export const COMMANDS: ReadonlyMap<string, () => Promise<CommandDef>> = new Map([
  ['inventory', async () => (await import('./inventory.js')).inventoryCommand],
  ['lab', async () => (await import('./lab.js')).labCommand],
  ['modules', async () => (await import('./modules.js')).modulesCommand],
  ['render', async () => (await import('./render.js')).renderCommand],
  ['run', async () => (await import('./run.js')).runCommand],
  ['validate', async () => (await import('./validate.js')).validateCommand],
]);

/** Every command, loaded (for the command list of `--help`). */
export async function allCommands(): Promise<CommandDef[]> {
  return Promise.all([...COMMANDS.values()].map((load) => load()));
}
