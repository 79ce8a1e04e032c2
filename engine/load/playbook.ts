// YAML playbook → validated, normalized Playbook; every error of every file is collected in one pass.
import { dirname, resolve } from 'node:path';
import { RingErrors, type RingError } from '../errors/index.js';
import { MODULES } from '../modules/registry.js';
import { taskKeywords } from '../generated/validators.js';
import { validatorFor, type Validator } from '../validate/ajv.js';
import type { ModuleRegistry } from '../validate/module-args.js';
import { translateErrors } from '../validate/translate.js';
import { sourceOf } from './located.js';
import type { Playbook } from './model.js';
import { normalizePlays, type LoadContext } from './normalize.js';
import { playbookPhrasing } from './playbook-context.js';
import { errorAt, loadYamlFile, sortErrors, type SourceText } from './yaml.js';

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

/** An empty document or one that is not a list is one clear error, before any schema talk. */
export function rootShapeError(root: unknown, src: SourceText, what: 'playbook' | 'tasks file'): RingError | undefined {
  const start = { file: src.file, line: 1, col: 1 };
  const example = what === 'playbook' ? '`- hosts: etcd`' : '`- name: ...`';
  if (root === null || root === undefined) return errorAt('E_SCHEMA', `the ${what} is empty: it must be a list of ${what === 'playbook' ? 'plays' : 'tasks'}`, start, src, `start with ${example}`);
  if (!Array.isArray(root)) {
    const kind = typeof root === 'object' ? 'a mapping' : `the ${typeof root} ${String(root)}`;
    return errorAt('E_SCHEMA', `a ${what} must be a list of ${what === 'playbook' ? 'plays' : 'tasks'}, got ${kind}`, sourceOf(root)?.loc ?? start, src, `begin each ${what === 'playbook' ? 'play' : 'task'} with \`- \`, e.g. ${example}`);
  }
  return undefined;
}

/** The playbook schema's validators and task keywords. */
export interface PlaybookSchemas {
  playbook: Validator;
  tasks: Validator;
  /** Task keywords (everything a task may carry besides its module). */
  taskKeywords: Set<string>;
}

// The loader's variant of the schema has no module entries (those are for editors): a registered
// module's key is read as allowed, and the loader checks its arguments itself (free-form, templates).
export function playbookSchemas(): PlaybookSchemas {
  return { playbook: validatorFor('playbook.json'), tasks: validatorFor('playbook.json#/definitions/tasks'), taskKeywords: new Set(taskKeywords as string[]) };
}
