// Explicit, sorted registry of modules: the name a task uses → its definition.
import type { ModuleDefinition } from './define.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyModule = ModuleDefinition<any>;

const ALL: AnyModule[] = [
  // modules are added here, one import each, sorted by name
];

export const MODULES: ReadonlyMap<string, AnyModule> = new Map(ALL.map((m) => [m.name, m]));
