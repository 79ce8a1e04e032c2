// A host's inventory variables with Ansible's precedence, and each group's members (the `groups` variable).
import { etcdHostDefaults } from '../etcd/host-defaults.js';
import type { Inventory } from '../load/model.js';

/** all's vars < parent groups < child groups (deeper wins; same depth: alphabetical) < host vars. */
export function hostVars(inv: Inventory, host: string): Record<string, unknown> {
  return layered(inv, host).vars;
}

/**
 * The variables a run (and `render`) gives a host: its inventory variables over, for a member of the `etcd` group,
 * the flavour's etcd_* defaults (like an Ansible role's defaults: any inventory value wins, and `inventory --list`
 * shows only what the inventory says).
 */
export function runHostVars(inv: Inventory, host: string): Record<string, unknown> {
  const { vars, groups } = layered(inv, host);
  return groups.has('etcd') ? { ...etcdHostDefaults(vars), ...vars } : vars;
}

/** The merged variables and every group the host is in (directly or through children). */
function layered(inv: Inventory, host: string): { vars: Record<string, unknown>; groups: Set<string> } {
  const h = inv.hosts.get(host);
  if (!h) return { vars: {}, groups: new Set() };
  const depth = groupDepths(inv);
  const groups = new Set<string>(['all']);
  const addWithParents = (name: string) => {
    if (groups.has(name)) return;
    groups.add(name);
    for (const p of parentsOf(inv, name)) addWithParents(p);
  };
  for (const g of h.groups) addWithParents(g);
  const ordered = [...groups].sort((a, b) => (depth.get(a) ?? 0) - (depth.get(b) ?? 0) || a.localeCompare(b));
  return { vars: Object.assign({}, ...ordered.map((g) => inv.groups.get(g)?.vars ?? {}), h.vars), groups };
}

/** group name → member host names (recursively through children), in inventory order within each group. */
export function groupMembers(inv: Inventory): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const name of inv.groups.keys()) out[name] = membersOf(inv, name);
  return out;
}

/** A group's hosts: its own first, then its children's (depth first), each once; `all` is every host. */
export function membersOf(inv: Inventory, name: string): string[] {
  if (name === 'all') return [...inv.hosts.keys()];
  const seen = new Set<string>();
  const visited = new Set<string>();
  const walk = (g: string) => {
    if (visited.has(g)) return;
    visited.add(g);
    const group = inv.groups.get(g);
    if (!group) return;
    for (const h of group.hosts) seen.add(h);
    for (const c of group.children) walk(c);
  };
  walk(name);
  return [...seen];
}

function parentsOf(inv: Inventory, name: string): string[] {
  return [...inv.groups.values()].filter((g) => g.children.includes(name)).map((g) => g.name);
}

/** Longest path from `all` (as Ansible: a group's depth is one more than its deepest parent's). */
function groupDepths(inv: Inventory): Map<string, number> {
  const depth = new Map<string, number>([['all', 0]]);
  const walk = (name: string, d: number, path: Set<string>) => {
    if (path.has(name)) return; // a cycle is reported by the loader
    if ((depth.get(name) ?? -1) >= d && name !== 'all') return;
    depth.set(name, d);
    path.add(name);
    for (const c of inv.groups.get(name)?.children ?? []) walk(c, d + 1, path);
    path.delete(name);
  };
  walk('all', 0, new Set());
  return depth;
}
