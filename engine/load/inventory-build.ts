// Building an Inventory from several sources: hosts and groups merge by name, later sources win on vars.
import type { Location } from '../errors/index.js';
import type { Inventory, InventoryGroup, InventoryHost } from './model.js';

export function emptyInventory(): Inventory {
  const inv: Inventory = { hosts: new Map(), groups: new Map(), sources: [] };
  group(inv, 'all');
  group(inv, 'ungrouped');
  return inv;
}

/** The group named `name`, created (empty) if new. */
export function group(inv: Inventory, name: string, loc?: Location): InventoryGroup {
  let g = inv.groups.get(name);
  if (!g) {
    g = { name, hosts: [], children: [], vars: {}, loc };
    inv.groups.set(name, g);
  }
  g.loc ??= loc;
  return g;
}

/** Adds (or merges into) a host; with `groupName`, lists it in that group too. */
export function host(inv: Inventory, name: string, vars: Record<string, unknown>, loc?: Location, groupName?: string): InventoryHost {
  let h = inv.hosts.get(name);
  if (!h) {
    h = { name, vars: {}, groups: [], loc };
    inv.hosts.set(name, h);
  }
  Object.assign(h.vars, vars);
  if (groupName !== undefined) {
    const g = group(inv, groupName);
    if (!g.hosts.includes(name)) g.hosts.push(name);
  }
  return h;
}

export function child(inv: Inventory, parent: string, name: string, loc?: Location): void {
  const p = group(inv, parent);
  group(inv, name, loc);
  if (!p.children.includes(name)) p.children.push(name);
}

/**
 * After every source is in: top-level groups become children of `all`, hosts listed in no group
 * (or only in `all`) go to `ungrouped`, and each host knows the groups that list it.
 */
export function finish(inv: Inventory): void {
  const all = group(inv, 'all');
  const ungrouped = group(inv, 'ungrouped');
  const hasParent = new Set([...inv.groups.values()].flatMap((g) => g.children));
  const top = [...inv.groups.keys()].filter((n) => n !== 'all' && n !== 'ungrouped' && !hasParent.has(n) && !all.children.includes(n));
  all.children = ['ungrouped', ...all.children.filter((c) => c !== 'ungrouped'), ...top];
  all.hosts = [];
  for (const h of inv.hosts.values()) h.groups = [];
  for (const g of inv.groups.values()) if (g.name !== 'ungrouped') for (const name of g.hosts) inv.hosts.get(name)?.groups.push(g.name);
  // A host is ungrouped when no real group lists it (even if one source had it before any section).
  ungrouped.hosts = [...inv.hosts.values()].filter((h) => h.groups.length === 0).map((h) => h.name);
  for (const name of ungrouped.hosts) inv.hosts.get(name)!.groups.push('ungrouped');
}

/** Hosts one range pattern may produce: `node[1:1000000]` is a typo or an attack, not a cluster. */
export const MAX_RANGE_HOSTS = 10_000;

/**
 * Why `name` cannot be a host name, or undefined. Names end up in paths (fetch's DEST/<host>/), in
 * output and in ssh: letters, digits, `.`, `-`, `_` (and `:`/`%` for IPv6), not starting with `.` or `-`.
 */
export function hostNameProblem(name: string): string | undefined {
  if (/^[A-Za-z0-9_:][A-Za-z0-9_.:%-]*$/.test(name)) return undefined;
  const bad = [...name].find((c) => !/[A-Za-z0-9_.:%-]/.test(c));
  const shown = bad === undefined ? `it starts with \`${name[0] ?? ''}\`` : `it contains ${JSON.stringify(bad).replace(/^"|"$/g, '`')}`;
  return `${name === '' ? 'an empty name' : 'not a valid host name'}: ${name === '' ? 'give the host a name' : shown} (use letters, digits, \`.\`, \`-\`, \`_\`; \`:\` for IPv6)`;
}

/** `ansible_port` must be a TCP port (or a template rendering to one). */
export function portProblem(value: unknown): string | undefined {
  if (typeof value === 'string' && value.includes('{{')) return undefined;
  const n = typeof value === 'number' ? value : /^[0-9]+$/.test(String(value)) ? Number(value) : NaN;
  return Number.isInteger(n) && n >= 1 && n <= 65535 ? undefined : `ansible_port must be a TCP port number (1-65535), got '${String(value)}'`;
}

/** Ansible's host ranges (`node[1:3]`, `node[01:10]`, `node[a:c]`, `node[0:10:2]`), every name checked; or why not. */
export function expandHostRange(name: string): string[] | string {
  let total = 1;
  for (const m of name.matchAll(/\[([0-9a-zA-Z]+):([0-9a-zA-Z]+)(?::([0-9]+))?\]/g)) {
    const [from, to] = [m[1], m[2]];
    const num = /^[0-9]+$/.test(from) && /^[0-9]+$/.test(to);
    const span = num ? Number(to) - Number(from) : to.charCodeAt(0) - from.charCodeAt(0);
    total *= Math.max(1, Math.floor(span / Math.max(1, Number(m[3] ?? 1))) + 1);
    if (total > MAX_RANGE_HOSTS) return `range [${from}:${to}] makes more than ${MAX_RANGE_HOSTS} hosts`;
  }
  const names = expandRange(name);
  if (typeof names === 'string') return names;
  for (const n of names) {
    const problem = hostNameProblem(n);
    if (problem) return problem;
  }
  return names;
}

/** Several ranges multiply. */
function expandRange(name: string): string[] | string {
  const m = /^(.*?)\[([0-9a-zA-Z]+):([0-9a-zA-Z]+)(?::([0-9]+))?\](.*)$/.exec(name);
  if (!m) return [name];
  const [, head, from, to, stepText, tail] = m;
  const step = stepText ? Number(stepText) : 1;
  if (step < 1) return `the step of range [${from}:${to}:${stepText}] must be at least 1`;
  const items: string[] = [];
  if (/^[0-9]+$/.test(from) && /^[0-9]+$/.test(to)) {
    const width = from.length > 1 && from.startsWith('0') ? from.length : 0;
    const a = Number(from);
    const b = Number(to);
    if (a > b) return `range [${from}:${to}] runs backwards`;
    for (let i = a; i <= b; i += step) items.push(String(i).padStart(width, '0'));
  } else if (/^[a-zA-Z]$/.test(from) && /^[a-zA-Z]$/.test(to)) {
    const a = from.charCodeAt(0);
    const b = to.charCodeAt(0);
    if (a > b) return `range [${from}:${to}] runs backwards`;
    for (let i = a; i <= b; i += step) items.push(String.fromCharCode(i));
  } else {
    return `range [${from}:${to}] must go from number to number or from letter to letter`;
  }
  const out: string[] = [];
  for (const item of items) {
    const rest = expandRange(`${item}${tail}`);
    if (typeof rest === 'string') return rest;
    for (const r of rest) out.push(`${head}${r}`);
  }
  return out;
}

