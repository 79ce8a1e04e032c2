// How playbook errors name things: "play 'Replace member'", "task 'Add member'", "the unnamed `command` task",
// and what an unknown key in a task most likely was (a misspelt module or a misspelt keyword).
import type { Issue, Phrasing, Segs } from '../validate/translate.js';
import { getAt } from '../validate/translate.js';
import type { ModuleRegistry } from '../validate/module-args.js';
import { suggest } from '../validate/suggest.js';

export type NodeKind = 'playbook' | 'tasks-file' | 'play' | 'task' | 'handler' | 'block' | 'import';

const PLAY_SECTIONS = new Set(['pre_tasks', 'tasks', 'post_tasks', 'handlers']);
const BLOCK_SECTIONS = new Set(['block', 'rescue', 'always']);

/** Keywords Ansible users reach for that ringmaster spells differently. */
const ANSIBLE_HINTS: Record<string, string> = {
  with_items: 'use `loop:` instead',
  with_list: 'use `loop:` instead',
  with_dict: 'use `loop:` over a list of mappings instead',
  with_sequence: 'use `loop:` over a list instead',
  include_tasks: 'use `import_tasks:` (tasks are imported when the playbook loads)',
  include: 'use `import_tasks:` (tasks are imported when the playbook loads)',
  local_action: 'use the module with `delegate_to: localhost`',
  action: 'write the module name as the key, e.g. `command: ls`',
  args: 'put the arguments under the module key',
  sudo: 'use `become: true`',
  sudo_user: 'use `become_user:`',
  become_flags: 'it is not supported; ringmaster builds the sudo/su command itself',
  connection: 'connection settings belong in the inventory (`ansible_host`, `ansible_user`…)',
};

export function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function kindOf(item: unknown, section: string): NodeKind {
  if (isObject(item) && 'block' in item) return 'block';
  if (isObject(item) && 'import_tasks' in item) return 'import';
  return section === 'handlers' ? 'handler' : 'task';
}

/** The label of a play: its name, else its hosts, else its position. */
export function playLabel(play: unknown, index: number): string {
  const name = isObject(play) ? play.name : undefined;
  if (typeof name === 'string' && name) return `play '${name}'`;
  const hosts = isObject(play) ? play.hosts : undefined;
  return typeof hosts === 'string' && hosts ? `the play on '${hosts}'` : `play #${index + 1}`;
}

/** The label of a task, handler, block or import. */
export function itemLabel(item: unknown, kind: NodeKind, modules: ModuleRegistry): string {
  const name = isObject(item) ? item.name : undefined;
  const noun = kind === 'import' ? 'import' : kind;
  if (typeof name === 'string' && name) return `${noun} '${name}'`;
  if (!isObject(item)) return `an unnamed ${noun}`;
  if (kind === 'import') return `\`import_tasks: ${String(item.import_tasks)}\``;
  const mod = Object.keys(item).find((k) => modules.has(k));
  return mod ? `the unnamed \`${mod}\` ${noun}` : `an unnamed ${noun}`;
}

export interface Located {
  label: string;
  rel: Segs;
  kind: NodeKind;
}

/** For a path in a playbook (or a tasks file), the innermost play/task/block around it. */
export function contextOf(root: unknown, segs: Segs, rootKind: 'playbook' | 'tasks-file', modules: ModuleRegistry): Located {
  let here: Located = { label: rootKind === 'playbook' ? 'the playbook' : 'the tasks file', rel: segs, kind: rootKind };
  let i = 0;
  let sections = PLAY_SECTIONS;
  if (rootKind === 'playbook') {
    if (!segs.length) return here;
    const play = getAt(root, segs.slice(0, 1));
    here = { label: playLabel(play, Number(segs[0])), rel: segs.slice(1), kind: 'play' };
    i = 1;
  } else {
    if (!segs.length) return here;
    here = step(root, segs, 0, 'tasks', here.label, modules);
    i = 1;
    sections = BLOCK_SECTIONS;
    if (here.kind !== 'block') return here;
  }
  while (i + 1 < segs.length && sections.has(segs[i])) {
    here = step(root, segs, i + 1, segs[i], here.label, modules);
    i += 2;
    if (here.kind !== 'block') break;
    sections = BLOCK_SECTIONS;
  }
  return here;
}

function step(root: unknown, segs: Segs, at: number, section: string, parent: string, modules: ModuleRegistry): Located {
  const item = getAt(root, segs.slice(0, at + 1));
  const kind = kindOf(item, section);
  const label = isObject(item) ? itemLabel(item, kind, modules) : `item ${Number(segs[at]) + 1} of \`${section}\` in ${parent}`;
  return { label, rel: segs.slice(at + 1), kind };
}

/** Whether an unknown key in a task is best read as a misspelt module (else: a misspelt keyword). */
export function unknownIsModule(key: string, task: Record<string, unknown>, keywords: Iterable<string>, modules: ModuleRegistry): boolean {
  const kw = new Set(keywords);
  const near = suggest(key, [...kw, ...modules.keys()]);
  if (near) return modules.has(near);
  return !Object.keys(task).some((k) => modules.has(k));
}

/** The playbook's Phrasing.unknownKey: special sentences for tasks, blocks and plays. */
export function unknownKeyHook(root: unknown, rootKind: 'playbook' | 'tasks-file', modules: ModuleRegistry, taskKeywords: Set<string>) {
  return (objSegs: Segs, key: string, candidates: string[]): Issue | null | undefined => {
    const { label, rel, kind } = contextOf(root, objSegs, rootKind, modules);
    if (rel.length) return undefined;
    const obj = getAt(root, objSegs) as Record<string, unknown>;
    if (ANSIBLE_HINTS[key] && kind !== 'play') return { code: 'E_UNKNOWN_KEY', message: `\`${key}\` is not supported (in ${label}): ${ANSIBLE_HINTS[key]}` };
    if (kind === 'play' && (modules.has(key) || taskKeywords.has(key))) {
      const near = suggest(key, candidates);
      if (!near || near === key) return { code: 'E_UNKNOWN_KEY', message: `unknown key \`${key}\` in ${label}: modules and task keywords belong in a task under \`tasks:\`` };
    }
    if (kind === 'block') {
      if (taskKeywords.has(key)) return { code: 'E_UNKNOWN_KEY', message: `\`${key}\` cannot be used on ${label}: put it on the tasks inside the block` };
      if (modules.has(key)) return { code: 'E_TASK_SHAPE', message: `${label} cannot run a module (\`${key}\`): put the task in a list under \`block:\`` };
    }
    if (kind === 'import' && modules.has(key)) return { code: 'E_TASK_SHAPE', message: `${label} cannot also run a module (\`${key}\`): make it a separate task` };
    if (kind !== 'task' && kind !== 'handler') return undefined;
    if (modules.has(key)) return null; // the module: its count and arguments are checked by the loader
    if (key === 'rescue' || key === 'always') return { code: 'E_TASK_SHAPE', message: `\`${key}\` in ${label} belongs to a block: put the tasks in a list under \`block:\` and \`${key}:\` beside it` };
    const keywords = candidates.filter((c) => !modules.has(c));
    const near = suggest(key, [...keywords, ...modules.keys()]);
    if (unknownIsModule(key, obj, keywords, modules)) {
      return { code: 'E_UNKNOWN_MODULE', message: `unknown module \`${key}\` in ${label}${near ? `; did you mean \`${near}\`?` : ''}` };
    }
    return { code: 'E_UNKNOWN_KEY', message: `unknown key \`${key}\` in ${label}${near ? `; did you mean \`${near}\`?` : ''}` };
  };
}

/** The Phrasing of a whole playbook or tasks file. */
export function playbookPhrasing(root: unknown, rootKind: 'playbook' | 'tasks-file', modules: ModuleRegistry, taskKeywords: Set<string>, src: Phrasing['src']): Phrasing {
  return {
    root,
    src,
    context: (segs) => contextOf(root, segs, rootKind, modules),
    unknownKey: unknownKeyHook(root, rootKind, modules, taskKeywords),
  };
}
