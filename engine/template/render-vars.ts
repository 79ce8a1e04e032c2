// The variables `ringmaster render` gives a template: one host's inventory vars, extra vars and the magic variables.
import { RingError } from '../errors/index.js';
import type { Inventory } from '../load/model.js';
import { groupMembers, hostVars, runHostVars } from '../inventory/vars.js';
import type { TemplateEngine } from './engine.js';

/** The inventory functions used (injectable so the variables can be tested on a hand-built inventory). */
export interface InventoryApi {
  hostVars: typeof hostVars;
  groupMembers: typeof groupMembers;
}

/**
 * Precedence, lowest first: inventory (all < groups < host) < extra vars < magic variables
 * (`inventory_hostname`, `inventory_hostname_short`, `groups`, `hostvars`). Templated values
 * (`peer_url: "https://{{ ansible_host }}:2380"`) render on first read against the same host's view.
 */
export function renderVars(
  inv: Inventory,
  host: string,
  extra: Record<string, unknown>,
  engine: TemplateEngine,
  inventoryApi: InventoryApi = { hostVars: runHostVars, groupMembers },
): Record<string, unknown> {
  const groups = inventoryApi.groupMembers(inv);
  const views = new Map<string, Record<string, unknown>>();
  const hostvars: Record<string, unknown> = {};
  const viewOf = (name: string): Record<string, unknown> => {
    let v = views.get(name);
    if (!v) {
      v = lazyView({ ...inventoryApi.hostVars(inv, name), ...extra }, engine, name);
      Object.assign(v, { inventory_hostname: name, inventory_hostname_short: name.split('.')[0], groups, hostvars });
      views.set(name, v);
    }
    return v;
  };
  for (const name of inv.hosts.keys()) {
    Object.defineProperty(hostvars, name, { enumerable: true, get: () => viewOf(name) });
  }
  return viewOf(host);
}

/** Values containing `{{` become getters that render once, with the view itself as context. */
function lazyView(merged: Record<string, unknown>, engine: TemplateEngine, host: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(merged)) {
    if (!JSON.stringify(raw ?? null).includes('{{')) {
      out[key] = raw;
      continue;
    }
    let cache: { v: unknown } | undefined;
    let busy = false;
    Object.defineProperty(out, key, {
      enumerable: true,
      configurable: true,
      get() {
        if (cache) return cache.v;
        if (busy) throw new RingError('E_UNDEFINED_VAR', `variable \`${key}\` of host ${host} refers to itself (directly or through other variables)`);
        busy = true;
        try {
          cache = { v: engine.renderValue(raw, out, { host, what: `variable \`${key}\`` }) };
        } finally {
          busy = false;
        }
        return cache.v;
      },
    });
  }
  return out;
}
