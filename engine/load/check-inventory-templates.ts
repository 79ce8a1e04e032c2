// Template syntax of every inventory value (host vars, group vars, group_vars/ and host_vars/ files), checked before
// anything runs: a value is rendered only when a task uses it, which may be after members were stopped.
import { RingError } from '../errors/index.js';
import type { TemplateEngine } from '../template/engine.js';
import { values } from './check-templates.js';
import type { Inventory } from './model.js';

export function checkInventoryTemplates(inv: Inventory, engine: TemplateEngine): RingError[] {
  const errors: RingError[] = [];
  const owners = [...[...inv.hosts.values()].map((h) => ({ kind: 'host', ...h })), ...[...inv.groups.values()].map((g) => ({ kind: 'group', ...g }))];
  for (const o of owners) {
    values(o.vars, (text, loc, path) => {
      if (!/\{\{|\{%/.test(text)) return;
      try {
        engine.check(text, { what: `inventory variable \`${path}\` of ${o.kind} ${o.name}`, location: loc ?? o.loc ?? { file: inv.sources[0] ?? 'inventory', line: 1, col: 1 } });
      } catch (e) {
        if (e instanceof RingError) errors.push(e);
        else throw e;
      }
    });
  }
  return errors;
}
