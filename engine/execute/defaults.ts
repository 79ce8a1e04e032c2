// The production collaborators of a run (real modules, templates, inventory helpers), for the CLI and the library API.
import type { ConnectionFactory } from '../connection/types.js';
import { RingError } from '../errors/index.js';
import { groupMembers, runHostVars } from '../inventory/vars.js';
import { matchHosts } from '../inventory/pattern.js';
import { loadVarsFile } from '../load/vars-file.js';
import type { Inventory } from '../load/model.js';
import { MODULES } from '../modules/registry.js';
import { createTemplateEngine } from '../template/engine.js';
import { evaluate } from '../template/expr.js';
import { validateModuleArgs } from '../validate/module-args.js';
import { runOptions, type EventSink, type RunContext, type RunOptions } from './context.js';

/** What a caller must provide; everything else gets the production default. */
export interface RunInputs extends Partial<Omit<RunContext, 'inventory' | 'options' | 'bus' | 'connections'>> {
  inventory: Inventory;
  options?: Partial<RunOptions>;
  bus: EventSink;
  connections: ConnectionFactory;
}

export function createRunContext(inputs: RunInputs): RunContext {
  const { options, ...rest } = inputs;
  return {
    modules: MODULES,
    templates: createTemplateEngine(),
    evaluate,
    hostVars: runHostVars,
    groupMembers,
    matchHosts,
    loadVarsFile,
    validateArgs: checkRenderedArgs,
    signal: new AbortController().signal,
    interactive: false,
    ...rest,
    options: runOptions(options),
  };
}

/** Rendered arguments against the module's schema: a template may have produced a wrong type. */
function checkRenderedArgs(module: string, args: Record<string, unknown>, where: { task: string; host: string; location?: import('../errors/index.js').Location }): void {
  const errors = validateModuleArgs(module, args, { task: where.task, location: where.location });
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) {
    throw new RingError('E_SCHEMA', `the rendered arguments are invalid: ${errors.map((e) => e.message).join('; ')}`, { task: where.task, host: where.host, location: where.location });
  }
}
