// A host's variables for one task: the precedence layers merged, templated values rendered lazily, magic vars added.
import { OMIT } from '../template/omit.js';
import { RingError } from '../errors/index.js';
import { isSecretName } from '../inventory/secret-names.js';
import type { TemplateEngine } from '../template/engine.js';
import type { PlayState } from './state.js';

/** Implicit localhost (as Ansible): usable in `hosts:` and `delegate_to` without an inventory entry. */
export const IMPLICIT_LOCALHOST = 'localhost';

/** Layers above the host's facts, lowest first: block vars, task vars, loop item. */
export type UpperLayers = Array<Record<string, unknown> | undefined>;

/**
 * Precedence, lowest first: inventory (group < host) < play vars < vars_files < facts/set_fact/register
 * < block vars < task vars < loop item < extra vars; then the magic variables.
 */
export function hostView(play: PlayState, host: string, upper: UpperLayers = []): Record<string, unknown> {
  const ctx = play.ctx;
  const merged: Record<string, unknown> = Object.assign(
    {},
    inventoryVars(play, host),
    play.play.vars,
    play.varsFiles,
    play.run.host(host).facts,
    ...upper.filter((l): l is Record<string, unknown> => l !== undefined),
    ctx.options.extraVars,
  );
  const view = lazyRender(merged, ctx.templates, host);
  Object.assign(view, magicVars(play, host));
  return view;
}

/** The inventory's vars for a host (group < host), or the implicit localhost's. */
export function inventoryVars(play: PlayState, host: string): Record<string, unknown> {
  const inv = play.ctx.inventory;
  if (!inv.hosts.has(host)) return host === IMPLICIT_LOCALHOST ? { ansible_connection: 'local' } : {};
  return play.ctx.hostVars(inv, host);
}

/**
 * Templated values render on first read, with the view itself as context, so
 * `peer_url: "https://{{ ansible_host }}:2380"` sees the host's own (higher-precedence) values.
 */
function lazyRender(merged: Record<string, unknown>, templates: TemplateEngine, host: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const resolving = new Set<string>();
  for (const [key, raw] of Object.entries(merged)) {
    if (!hasTemplate(raw)) {
      out[key] = raw;
      continue;
    }
    let cache: { v: unknown } | undefined;
    Object.defineProperty(out, key, {
      enumerable: true,
      configurable: true,
      get() {
        if (cache) return cache.v;
        if (resolving.has(key)) throw new RingError('E_UNDEFINED_VAR', `variable '${key}' refers to itself (directly or through other variables)`, { host });
        resolving.add(key);
        try {
          cache = { v: templates.renderValue(raw, out, { host, what: `variable \`${key}\`` }) };
          return cache.v;
        } finally {
          resolving.delete(key);
        }
      },
      set(v: unknown) {
        cache = { v };
      },
    });
  }
  return out;
}

// YAML aliases share one object under many keys: remember each object's answer so the walk is linear.
const templated = new WeakMap<object, boolean>();

export function hasTemplate(v: unknown): boolean {
  if (typeof v === 'string') return v.includes('{{');
  if (!v || typeof v !== 'object') return false;
  const hit = templated.get(v);
  if (hit !== undefined) return hit;
  templated.set(v, false); // a cycle (not possible from YAML, but from code) ends here
  const found = (Array.isArray(v) ? v : Object.values(v)).some(hasTemplate);
  templated.set(v, found);
  return found;
}

function magicVars(play: PlayState, host: string): Record<string, unknown> {
  const ctx = play.ctx;
  const playHosts = play.hosts.filter((h) => !play.run.host(h).failed && !play.run.host(h).unreachable);
  const facts = play.run.host(host).facts;
  return {
    inventory_hostname: host,
    inventory_hostname_short: host.split('.')[0],
    groups: groupsOf(play),
    hostvars: hostvarsOf(play),
    ansible_play_hosts: playHosts,
    ansible_play_hosts_all: [...play.hosts],
    ansible_play_batch: play.batch.filter((h) => playHosts.includes(h)),
    ansible_check_mode: ctx.options.check,
    ansible_diff_mode: ctx.options.diff,
    playbook_dir: play.playbook.dir,
    ringmaster_run_id: play.run.id,
    omit: OMIT,
    ansible_facts: (facts.ansible_facts as Record<string, unknown> | undefined) ?? {},
  };
}

const groupsCache = new WeakMap<object, Record<string, string[]>>();

function groupsOf(play: PlayState): Record<string, string[]> {
  const inv = play.ctx.inventory;
  let g = groupsCache.get(inv);
  if (!g) {
    g = play.ctx.groupMembers(inv);
    groupsCache.set(inv, g);
  }
  return g;
}

/** `hostvars[name]`: every inventory host's current vars, built only when read. */
function hostvarsOf(play: PlayState): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const names = new Set([...play.ctx.inventory.hosts.keys(), ...play.hosts]);
  for (const name of names) {
    let cache: Record<string, unknown> | undefined;
    Object.defineProperty(out, name, { enumerable: true, get: () => (cache ??= hostView(play, name)) });
  }
  return out;
}

/** Values of secret-named variables (and their nested strings), for masking. Unrenderable ones are skipped. */
export function secretValues(view: Record<string, unknown>): string[] {
  const found: string[] = [];
  for (const key of Object.keys(view)) {
    if (!isSecretName(key)) continue;
    try {
      collectStrings(view[key], found);
    } catch {
      // an undefined variable inside a secret's template: reported when a task uses it
    }
  }
  return found;
}

/** Every string leaf of a value (minimum 4 characters: shorter ones would mask ordinary words). */
export function collectStrings(v: unknown, into: string[] = []): string[] {
  if (typeof v === 'string') {
    if (v.length >= 4) into.push(v);
  } else if (Array.isArray(v)) for (const x of v) collectStrings(x, into);
  else if (v && typeof v === 'object') for (const x of Object.values(v)) collectStrings(x, into);
  return into;
}

/** A connection-relevant snapshot of the view: ansible_* and ringmaster_* keys rendered. */
export function connectionVars(view: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(view)) {
    if (!/^(ansible_|ringmaster_)/.test(key) || key === 'ansible_facts') continue;
    out[key] = view[key];
  }
  return out;
}
