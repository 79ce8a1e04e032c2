// Inventories (YAML, INI, folders, `-i a,b,` host lists; group_vars/ and host_vars/ beside them) → Inventory.
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { RingErrors, type RingError } from '../errors/index.js';
import type { Inventory } from './model.js';
import { emptyInventory, finish, host } from './inventory-build.js';
import { parseIniInventory } from './inventory-ini.js';
import { passwordVarErrors } from './password-vars.js';
import { addYamlInventory } from './inventory-yaml.js';
import { checkVarsFile } from './vars-file.js';
import { errorAt, fileError, parseYaml, readSource, sortErrors } from './yaml.js';

const YAML_EXT = new Set(['.yml', '.yaml', '.json']);
const SKIP = /(^\.|~$|\.(orig|bak|retry|swp|md|txt|rst)$)/;

/** Loads and merges several `-i` sources (files or folders); validates; throws RingErrors. */
export async function loadInventories(paths: string[]): Promise<Inventory> {
  const inv = emptyInventory();
  const errors: RingError[] = [];
  const varsDirs: string[] = [];
  for (const p of paths) {
    const abs = resolve(p);
    let kind: 'file' | 'dir';
    try {
      kind = (await stat(abs)).isDirectory() ? 'dir' : 'file';
    } catch (e) {
      if (p.includes(',')) {
        hostList(p, inv);
        continue;
      }
      errors.push(fileError(e, abs, 'inventory'));
      continue;
    }
    inv.sources.push(abs);
    const dir = kind === 'dir' ? abs : dirname(abs);
    if (!varsDirs.includes(dir)) varsDirs.push(dir);
    const files = kind === 'dir' ? await listInventoryFiles(abs) : [abs];
    for (const f of files) errors.push(...(await addInventoryFile(f, inv)));
  }
  for (const dir of varsDirs) errors.push(...(await addVarsDirs(dir, inv)));
  finish(inv);
  // hosts and groups merged from several places: what was not reported where it was written is reported here
  const reported = new Set(errors.map((e) => e.message));
  for (const h of inv.hosts.values()) errors.push(...passwordVarErrors(h.vars, `host ${h.name}`, h.loc, reported));
  for (const g of inv.groups.values()) errors.push(...passwordVarErrors(g.vars, `group ${g.name}`, g.loc, reported));
  errors.push(...cycles(inv));
  if (errors.length) {
    sortErrors(errors);
    throw new RingErrors(errors);
  }
  return inv;
}

/** `-i node1,node2,` (Ansible's host list): ungrouped hosts, no file. */
function hostList(text: string, inv: Inventory): void {
  for (const name of text.split(',').map((s) => s.trim()).filter(Boolean)) host(inv, name, {}, undefined, 'ungrouped');
}

/** Every inventory file under a folder, sorted, recursively (group_vars/, host_vars/ and backups aside). */
async function listInventoryFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  for (const e of entries) {
    if (SKIP.test(e.name) || e.name === 'group_vars' || e.name === 'host_vars') continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listInventoryFiles(p)));
    else out.push(p);
  }
  return out;
}

async function addInventoryFile(file: string, inv: Inventory): Promise<RingError[]> {
  let src;
  try {
    src = await readSource(file, 'inventory');
  } catch (e) {
    return [e as RingError];
  }
  if (looksLikeYaml(file, src.lines)) return addYamlInventory(parseYaml(src), inv);
  return parseIniInventory(src, inv);
}

/** By extension; without one, by the first meaningful line (`all:` is YAML, `[etcd]` or `node1 …` is INI). */
function looksLikeYaml(file: string, lines: string[]): boolean {
  const ext = extname(file);
  if (YAML_EXT.has(ext)) return true;
  if (ext === '.ini' || ext === '.cfg') return false;
  const first = lines.find((l) => l.trim() && !/^\s*[#;]/.test(l));
  return first !== undefined && (/^---/.test(first) || /^[A-Za-z0-9_.-]+:\s*(#.*)?$/.test(first) || /^\s*\{/.test(first));
}

/** group_vars/<group>[.yml|.yaml|.json] or group_vars/<group>/*, and the same for host_vars/<host>. */
async function addVarsDirs(dir: string, inv: Inventory): Promise<RingError[]> {
  const errors: RingError[] = [];
  for (const [sub, names, target] of [
    ['group_vars', [...inv.groups.keys()], (n: string) => inv.groups.get(n)!.vars],
    ['host_vars', [...inv.hosts.keys()], (n: string) => inv.hosts.get(n)!.vars],
  ] as const) {
    const base = join(dir, sub);
    const entries = await readdir(base, { withFileTypes: true }).catch(() => []);
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (SKIP.test(e.name)) continue;
      const ext = extname(e.name);
      const name = e.isDirectory() || !YAML_EXT.has(ext) ? e.name : basename(e.name, ext);
      if (!names.includes(name)) continue; // vars for a group or host this inventory does not have
      const files = e.isDirectory() ? (await listInventoryFiles(join(base, e.name))).filter((f) => YAML_EXT.has(extname(f)) || !extname(f)) : [join(base, e.name)];
      for (const f of files) {
        const { vars, errors: found } = await checkVarsFile(f, `${sub} file`);
        errors.push(...found);
        if (vars) errors.push(...passwordVarErrors(vars, `${sub === 'group_vars' ? 'group' : 'host'} ${name}`, undefined));
        if (vars) Object.assign(target(name), vars);
      }
    }
  }
  return errors;
}

/** A group that is its own ancestor would make membership and precedence endless. */
function cycles(inv: Inventory): RingError[] {
  const errors: RingError[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const visit = (name: string, path: string[]) => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'open') {
      const loop = [...path.slice(path.indexOf(name)), name];
      const g = inv.groups.get(name);
      errors.push(errorAt('E_SCHEMA', `groups form a cycle: ${loop.join(' → ')}`, g?.loc, undefined, 'a group cannot be a child of its own children'));
      return;
    }
    state.set(name, 'open');
    for (const c of inv.groups.get(name)?.children ?? []) visit(c, [...path, name]);
    state.set(name, 'done');
  };
  for (const name of inv.groups.keys()) visit(name, []);
  return errors;
}
