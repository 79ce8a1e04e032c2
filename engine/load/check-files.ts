// The files a playbook reads besides itself, checked before anything runs (validate and run alike): each static
// `vars_files` entry parsed as variables, each static `template:` source present and of valid template syntax.
// Templated paths are left to the pre-flight (engine/execute/preflight.ts), which renders them per host.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { RingError } from '../errors/index.js';
import type { TemplateEngine } from '../template/engine.js';
import { locationOf } from './located.js';
import type { Node, Playbook, TaskNode } from './model.js';
import { checkVarsFile } from './vars-file.js';

const templated = (s: string): boolean => /\{\{|\{%/.test(s);

/** A `template:` source read and parsed; the error (missing file, bad syntax) located at the task, or undefined. */
export function templateFileError(engine: TemplateEngine, file: string, src: string, task: TaskNode): RingError | undefined {
  const where = { task: task.name, location: locationOf(task.args, 'src') ?? task.loc };
  if (!existsSync(file)) return new RingError('E_FILE_NOT_FOUND', `template ${src} not found (looked at ${file})`, { ...where, hint: 'template paths are relative to the playbook folder' });
  try {
    engine.check(readFileSync(file, 'utf8'), { task: task.name, what: `template file ${file}`, location: { file, line: 1, col: 1 } });
    return undefined;
  } catch (e) {
    if (e instanceof RingError) return e;
    throw e;
  }
}

function tasks(nodes: Node[], fn: (t: TaskNode) => void): void {
  for (const n of nodes) {
    if (n.kind === 'block') for (const list of [n.block, n.rescue, n.always]) tasks(list, fn);
    else fn(n);
  }
}

/** Every problem of the playbook's static vars files and template sources. */
export async function checkPlaybookFiles(pb: Playbook, engine: TemplateEngine): Promise<RingError[]> {
  const errors: RingError[] = [];
  for (const play of pb.plays) {
    // vars_files entries are absolute after loading (a missing one is already a load error).
    for (const file of play.vars_files) if (!templated(file) && existsSync(file)) errors.push(...(await checkVarsFile(file)).errors);
    for (const list of [play.pre_tasks, play.tasks, play.post_tasks, play.handlers]) {
      tasks(list, (t) => {
        const src = t.module === 'template' ? t.args.src : undefined;
        if (typeof src !== 'string' || templated(src)) return;
        const e = templateFileError(engine, resolve(pb.dir, src), src, t);
        if (e) errors.push(e);
      });
    }
  }
  return errors;
}
