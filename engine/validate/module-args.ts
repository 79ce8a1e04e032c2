// A task's module arguments against the module's own schema (at load time, and again after rendering).
import type { Location, RingError } from '../errors/index.js';
import type { ModuleDefinition } from '../modules/define.js';
import { MODULES } from '../modules/registry.js';
import { errorAt, type SourceText } from '../load/yaml.js';
import { suggest } from './suggest.js';
import { validatorFor } from './ajv.js';
import { translateErrors, type Segs } from './translate.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ModuleRegistry = ReadonlyMap<string, ModuleDefinition<any>>;

/** Where the arguments come from, so errors can name the task and point at it. */
export interface ArgsWhere {
  /** The task's label in messages, e.g. "task 'Add member'" (default: "the task"). */
  label?: string;
  /** Task name, used for the label when `label` is not given. */
  task?: string;
  /** Location of the task: used where the arguments carry no location of their own (rendered values). */
  location?: Location;
  /** Accept `{{ }}` strings wherever another type is expected (before rendering; load time sets it). */
  templates?: boolean;
  src?: SourceText;
  /** The module registry (tests inject their own); defaults to MODULES. */
  modules?: ModuleRegistry;
}

/** Validates `args` against the schema of `moduleName`; returns every problem (empty = valid). */
export function validateModuleArgs(moduleName: string, args: unknown, where: ArgsWhere = {}): RingError[] {
  const modules = where.modules ?? MODULES;
  const label = where.label ?? (where.task ? `task '${where.task}'` : 'the task');
  const def = modules.get(moduleName);
  if (!def) {
    const near = suggest(moduleName, modules.keys());
    return [errorAt('E_UNKNOWN_MODULE', `unknown module \`${moduleName}\` in ${label}${near ? `; did you mean \`${near}\`?` : ''}`, where.location, where.src)];
  }
  const validate = validatorFor(def.schema);
  if (validate(args)) return [];
  return translateErrors(validate.errors, {
    root: args,
    src: where.src,
    fallback: where.location,
    module: moduleName,
    templates: where.templates,
    context: (segs: Segs) => ({ label, rel: segs }),
  });
}
