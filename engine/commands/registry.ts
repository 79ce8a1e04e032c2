// Explicit, sorted registry of CLI sub-commands.
import type { CommandDef } from './types.js';
import { inventoryCommand } from './inventory.js';
import { labCommand } from './lab.js';
import { modulesCommand } from './modules.js';
import { renderCommand } from './render.js';
import { runCommand } from './run.js';
import { validateCommand } from './validate.js';

export const COMMANDS: ReadonlyMap<string, CommandDef> = new Map(
  [inventoryCommand, labCommand, modulesCommand, renderCommand, runCommand, validateCommand].map((c) => [c.name, c]),
);
