// YAML playbook → validated, normalized Playbook; every error of every file is collected in one pass.
import { dirname, resolve } from 'node:path';
import { RingErrors, type RingError } from '../errors/index.js';
import { MODULES } from '../modules/registry.js';
import type { ModuleRegistry } from '../validate/module-args.js';
import { translateErrors } from '../validate/translate.js';
import type { Playbook } from './model.js';
import { normalizePlays, playbookSchemas, rootShapeError, type LoadContext } from './normalize.js';
import { playbookPhrasing } from './playbook-context.js';
import { loadYamlFile, sortErrors } from './yaml.js';

export { validateModuleArgs } from '../validate/module-args.js';

export interface LoadOptions {
  /** The module registry (tests inject their own); defaults to MODULES. */
  modules?: ModuleRegistry;
}

/** A playbook and the problems found in it (the playbook only when there are none). */
export interface PlaybookCheck {
  playbook?: Playbook;
  errors: RingError[];
}

/** Reads, validates (all errors at once → RingErrors) and normalizes one playbook file. */
export async function loadPlaybook(file: string, options: LoadOptions = {}): Promise<Playbook> {
  const { playbook, errors } = await checkPlaybook(file, options);
  if (errors.length || !playbook) throw new RingErrors(errors);
  return playbook;
}

/** Like loadPlaybook, but returns the errors instead of throwing (validate gathers several files). */
export async function checkPlaybook(file: string, options: LoadOptions = {}): Promise<PlaybookCheck> {
  const abs = resolve(file);
  const modules = options.modules ?? MODULES;
  let parsed;
  try {
    parsed = await loadYamlFile(abs, 'playbook');
  } catch (e) {
    return { errors: [e as RingError] };
  }
  if (parsed.errors.length) return { errors: parsed.errors };
  const root = parsed.value;
  const shape = rootShapeError(root, parsed.source, 'playbook');
  if (shape) return { errors: [shape] };
  const schema = playbookSchemas();
  const errors: RingError[] = [];
  if (!schema.playbook(root)) errors.push(...translateErrors(schema.playbook.errors, playbookPhrasing(root, 'playbook', modules, schema.taskKeywords, parsed.source)));
  const ctx: LoadContext = { modules, errors, schema, importing: [abs], notifyLocs: new WeakMap() };
  const plays = await normalizePlays(root as unknown[], { src: parsed.source, dir: dirname(abs) }, ctx);
  sortErrors(errors);
  return errors.length ? { errors } : { playbook: { file: abs, dir: dirname(abs), plays }, errors };
}
