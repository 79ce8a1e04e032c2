// Raw (schema-checked) playbook values → PlayNode / TaskNode / BlockNode, with the checks a schema
// cannot express: exactly one module per task, its arguments, notify targets, imported task files.
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Location, RingError } from '../errors/index.js';
import { isTemplated } from '../validate/alternatives.js';
import { validateModuleArgs, type ModuleRegistry } from '../validate/module-args.js';
import { suggest } from '../validate/suggest.js';
import { translateErrors } from '../validate/translate.js';
import { attachSource, keyLocationOf, locationOf, sourceOf } from './located.js';
import type { BlockNode, Node, PlayNode, TaskKeywords, TaskNode } from './model.js';
import { isObject, itemLabel, playLabel, playbookPhrasing, unknownIsModule } from './playbook-context.js';
import { taskKeywords } from '../generated/validators.js';
import { readSchema, validatorFor, type Validator } from '../validate/ajv.js';
import { passwordVarErrors } from './password-vars.js';
import { errorAt, loadYamlFile, type SourceText } from './yaml.js';

export interface LoadContext {
  modules: ModuleRegistry;
  errors: RingError[];
  schema: PlaybookSchemas;
  /** Files being imported, outermost first (to refuse import cycles). */
  importing: string[];
  /** Where each `notify` entry of a task was written. */
  notifyLocs: WeakMap<TaskNode, Location[]>;
}

/** The file being read: its text (for error lines) and folder (for relative paths). */
export interface FileCtx {
  src: SourceText;
  dir: string;
}

type Raw = Record<string, unknown>;

export async function normalizePlays(raw: unknown[], f: FileCtx, ctx: LoadContext): Promise<PlayNode[]> {
  const plays: PlayNode[] = [];
  for (const [i, p] of raw.entries()) if (isObject(p)) plays.push(await play(p, i, f, ctx));
  return plays;
}

async function play(p: Raw, index: number, f: FileCtx, ctx: LoadContext): Promise<PlayNode> {
  const label = playLabel(p, index);
  const hosts = Array.isArray(p.hosts) ? p.hosts.map(String).join(',') : typeof p.hosts === 'string' ? p.hosts : '';
  const node: PlayNode = {
    name: typeof p.name === 'string' && p.name ? p.name : hosts,
    hosts,
    vars: isObject(p.vars) ? p.vars : {},
    vars_files: varsFiles(p, label, f, ctx),
    serial: p.serial === undefined ? [] : (Array.isArray(p.serial) ? p.serial : [p.serial]).filter((s): s is number | string => typeof s === 'number' || typeof s === 'string'),
    any_errors_fatal: p.any_errors_fatal === true,
    gather_facts: p.gather_facts === true,
    tags: tags(p.tags),
    pre_tasks: await nodes(p.pre_tasks, 'pre_tasks', f, ctx),
    tasks: await nodes(p.tasks, 'tasks', f, ctx),
    post_tasks: await nodes(p.post_tasks, 'post_tasks', f, ctx),
    handlers: (await nodes(p.handlers, 'handlers', f, ctx)).filter((n): n is TaskNode => n.kind === 'task'),
    loc: sourceOf(p)!.loc,
  };
  copy(p, node, ['max_fail_percentage', 'become', 'become_user', 'become_method', 'check_mode', 'no_log']);
  if (isObject(p.environment)) node.environment = environment(p.environment);
  keepSource(p, node);
  if (isObject(p.vars)) ctx.errors.push(...passwordVarErrors(p.vars, `vars of ${label}`, locationOf(p, 'vars')));
  checkNotify(node, label, f, ctx);
  return node;
}

function varsFiles(p: Raw, label: string, f: FileCtx, ctx: LoadContext): string[] {
  const list = typeof p.vars_files === 'string' ? [p.vars_files] : Array.isArray(p.vars_files) ? p.vars_files : [];
  const out: string[] = [];
  list.forEach((entry, i) => {
    if (typeof entry !== 'string') return;
    const abs = resolve(f.dir, entry);
    out.push(isTemplated(entry) ? entry : abs);
    if (!isTemplated(entry) && !existsSync(abs)) {
      const loc = typeof p.vars_files === 'string' ? locationOf(p, 'vars_files') : locationOf(p.vars_files, i);
      ctx.errors.push(errorAt('E_FILE_NOT_FOUND', `vars file not found: ${abs} (\`vars_files\` of ${label})`, loc, f.src, 'paths in `vars_files` are relative to the playbook folder'));
    }
  });
  return out;
}

async function nodes(list: unknown, section: string, f: FileCtx, ctx: LoadContext): Promise<Node[]> {
  if (!Array.isArray(list)) return [];
  const out: Node[] = [];
  for (const item of list) {
    if (!isObject(item)) continue;
    const n = 'block' in item ? await block(item, f, ctx) : 'import_tasks' in item ? await importTasks(item, f, ctx) : task(item, section === 'handlers', f, ctx);
    if (n) out.push(n);
  }
  return out;
}

async function block(b: Raw, f: FileCtx, ctx: LoadContext): Promise<BlockNode> {
  const node: BlockNode = {
    kind: 'block',
    ...keywords(b),
    block: await nodes(b.block, 'block', f, ctx),
    rescue: await nodes(b.rescue, 'rescue', f, ctx),
    always: await nodes(b.always, 'always', f, ctx),
    loc: sourceOf(b)!.loc,
  };
  keepSource(b, node);
  return node;
}

function task(t: Raw, handler: boolean, f: FileCtx, ctx: LoadContext): TaskNode | undefined {
  const label = itemLabel(t, handler ? 'handler' : 'task', ctx.modules);
  const mods = Object.keys(t).filter((k) => ctx.modules.has(k));
  const where = sourceOf(t)!.loc;
  if (mods.length > 1) {
    const names = mods.map((m) => `\`${m}\``);
    const list = `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
    ctx.errors.push(errorAt('E_TASK_SHAPE', `${label} has ${mods.length === 2 ? 'two' : mods.length} modules: ${list}; a task runs exactly one module`, keyLocationOf(t, mods[1]), f.src, 'split it into one task per module'));
    return undefined;
  }
  if (!mods.length) {
    const unknown = Object.keys(t).filter((k) => !ctx.schema.taskKeywords.has(k));
    // An unknown key read as a misspelt module has already been reported as such.
    if (!unknown.some((k) => unknownIsModule(k, t, ctx.schema.taskKeywords, ctx.modules))) {
      ctx.errors.push(errorAt('E_TASK_SHAPE', `${label} has no module`, where, f.src, `add one module key, e.g. \`command: ...\`; run \`ringmaster modules\` to list them`));
    }
    return undefined;
  }
  const module = mods[0];
  const args = moduleArgs(t, module, label, f, ctx);
  if (!handler && t.listen !== undefined) ctx.errors.push(errorAt('E_SCHEMA', `\`listen\` is only for handlers (in ${label})`, keyLocationOf(t, 'listen'), f.src));
  if (!args) return undefined;
  const node: TaskNode = { kind: 'task', ...keywords(t), module, args, loc: where };
  copy(t, node, ['register', 'loop', 'loop_control', 'retries', 'delay']);
  if (t.until !== undefined) node.until = String(t.until);
  if (t.changed_when !== undefined) node.changed_when = conditions(t.changed_when);
  if (t.failed_when !== undefined) node.failed_when = conditions(t.failed_when);
  if (t.notify !== undefined) {
    node.notify = strings(t.notify);
    const at = Array.isArray(t.notify) ? t.notify.map((_, i) => locationOf(t.notify, i)!) : [locationOf(t, 'notify')!];
    ctx.notifyLocs.set(node, at);
  }
  if (t.listen !== undefined) node.listen = strings(t.listen);
  keepSource(t, node);
  return node;
}

/** Free-form strings become `{[freeForm]: text}`; the arguments are checked against the module's schema. */
function moduleArgs(t: Raw, module: string, label: string, f: FileCtx, ctx: LoadContext): Record<string, unknown> | undefined {
  const def = ctx.modules.get(module)!;
  const raw = t[module];
  const loc = locationOf(t, module)!;
  let args: Record<string, unknown>;
  if (raw === null || raw === undefined) {
    args = {};
    attachSource(args, { loc: keyLocationOf(t, module)!, keys: {}, values: {} });
  } else if (typeof raw === 'string' && def.freeForm) {
    args = { [def.freeForm]: raw };
    attachSource(args, { loc, keys: { [def.freeForm]: loc }, values: { [def.freeForm]: loc } });
  } else if (!isObject(raw)) {
    const how = def.freeForm ? ` (or the \`${def.freeForm}\` text as a string)` : '';
    const kind = Array.isArray(raw) ? 'a list' : `the ${typeof raw} '${String(raw)}'`;
    ctx.errors.push(errorAt('E_SCHEMA', `module \`${module}\` in ${label} takes a mapping of arguments${how}, got ${kind}`, loc, f.src, `write one argument per line under \`${module}:\`, e.g. \`${firstArg(def.schema)}: ...\``));
    return undefined;
  } else {
    args = raw;
  }
  const errors = validateModuleArgs(module, args, { label, location: loc, templates: true, src: f.src, modules: ctx.modules });
  ctx.errors.push(...errors);
  return errors.length ? undefined : args;
}

/** The module's first required argument (else its first one), for an example in a hint. */
function firstArg(schema: string): string {
  const s = readSchema(schema) as { required?: string[]; properties?: object };
  return s.required?.[0] ?? Object.keys(s.properties ?? {})[0] ?? 'name';
}

/** `import_tasks: file` becomes a block holding that file's tasks, with the import's keywords. */
async function importTasks(t: Raw, f: FileCtx, ctx: LoadContext): Promise<BlockNode | undefined> {
  if (typeof t.import_tasks !== 'string' || isTemplated(t.import_tasks)) return undefined;
  const abs = resolve(f.dir, t.import_tasks);
  const loc = locationOf(t, 'import_tasks');
  if (ctx.importing.includes(abs)) {
    ctx.errors.push(errorAt('E_TASK_SHAPE', `\`import_tasks: ${t.import_tasks}\` imports itself (cycle: ${[...ctx.importing, abs].join(' → ')})`, loc, f.src));
    return undefined;
  }
  let parsed;
  try {
    parsed = await loadYamlFile(abs, 'tasks file');
  } catch (e) {
    const err = e as RingError;
    ctx.errors.push(errorAt(err.code, `${err.message} (from \`import_tasks\`)`, loc, f.src, 'the path is relative to the file that imports it'));
    return undefined;
  }
  if (parsed.errors.length) return void ctx.errors.push(...parsed.errors);
  const root = parsed.value ?? [];
  const shape = rootShapeError(root, parsed.source, 'tasks file');
  if (shape) return void ctx.errors.push(shape);
  if (!ctx.schema.tasks(root)) ctx.errors.push(...translateErrors(ctx.schema.tasks.errors, playbookPhrasing(root, 'tasks-file', ctx.modules, ctx.schema.taskKeywords, parsed.source)));
  const inner = { ...ctx, importing: [...ctx.importing, abs] };
  const tasks = await nodes(root, 'tasks', { src: parsed.source, dir: dirname(abs) }, inner);
  return { kind: 'block', ...keywords(t), name: typeof t.name === 'string' ? t.name : `import_tasks: ${t.import_tasks}`, block: tasks, rescue: [], always: [], loc: sourceOf(t)!.loc };
}

const KEYWORDS = ['name', 'become', 'become_user', 'become_method', 'vars', 'ignore_errors', 'ignore_unreachable', 'any_errors_fatal', 'run_once', 'delegate_to', 'check_mode', 'no_log', 'timeout'] as const;

function keywords(r: Raw): TaskKeywords {
  const k: TaskKeywords = {};
  copy(r, k, KEYWORDS);
  if (r.when !== undefined) k.when = conditions(r.when);
  if (r.tags !== undefined) k.tags = tags(r.tags);
  if (isObject(r.environment)) k.environment = environment(r.environment);
  return k;
}

/** The node keeps the raw mapping's SOURCE, so later stages can point at a keyword (`locationOf(task, 'when')`). */
function keepSource(raw: Raw, node: object): void {
  const info = sourceOf(raw);
  if (info) attachSource(node, info);
}

function copy<T extends object>(from: Raw, to: T, keys: readonly string[]): void {
  for (const key of keys) if (from[key] !== undefined && from[key] !== null) (to as Raw)[key] = from[key];
}

/** `when: x` / `when: [a, b]` / `when: true` → ['x'] / ['a', 'b'] / ['true']. */
export function conditions(v: unknown): string[] {
  return (Array.isArray(v) ? v : [v]).filter((c) => c !== null && c !== undefined).map(String);
}

/** Tags: a list, or Ansible's comma-separated string. */
export function tags(v: unknown): string[] {
  if (typeof v === 'string') return v.split(',').map((s) => s.trim()).filter(Boolean);
  return Array.isArray(v) ? v.map(String) : [];
}

function strings(v: unknown): string[] {
  return (Array.isArray(v) ? v : [v]).filter((s) => typeof s === 'string') as string[];
}

function environment(env: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)]));
}

/** A notify that names no handler (by name or `listen`) would silently do nothing: say so now. */
function checkNotify(play: PlayNode, label: string, f: FileCtx, ctx: LoadContext): void {
  const targets = new Set(play.handlers.flatMap((h) => [h.name ?? '', ...(h.listen ?? [])]).filter(Boolean));
  const visit = (list: Node[]) => {
    for (const n of list) {
      if (n.kind === 'block') {
        visit(n.block);
        visit(n.rescue);
        visit(n.always);
        continue;
      }
      for (const [i, name] of (n.notify ?? []).entries()) {
        if (targets.has(name) || isTemplated(name)) continue;
        const near = suggest(name, targets);
        const loc: Location = ctx.notifyLocs.get(n)?.[i] ?? n.loc;
        const what = n.name ? `task '${n.name}'` : `the unnamed \`${n.module}\` task`;
        ctx.errors.push(errorAt('E_SCHEMA', `\`notify: ${name}\` in ${what} names no handler of ${label}${near ? `; did you mean \`${near}\`?` : ''}`, loc, loc.file === f.src.file ? f.src : undefined, 'notify a handler by its `name` or by one of its `listen` topics'));
      }
    }
  };
  visit(play.pre_tasks);
  visit(play.tasks);
  visit(play.post_tasks);
  visit(play.handlers);
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
