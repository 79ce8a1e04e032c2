// Ansible's YAML inventory (`all:` / `children:` / `hosts:` / `vars:`, nested) → hosts and groups.
import type { RingError } from '../errors/index.js';
import { validatorFor } from '../validate/ajv.js';
import { getAt, translateErrors, type Phrasing, type Segs } from '../validate/translate.js';
import { keyLocationOf, sourceOf } from './located.js';
import type { Inventory } from './model.js';
import { child, expandHostRange, group, host } from './inventory-build.js';
import { passwordVarErrors } from './password-vars.js';
import { errorAt, type ParsedYaml } from './yaml.js';

type Raw = Record<string, unknown>;

const isMap = (v: unknown): v is Raw => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Validates a parsed YAML inventory and adds its hosts and groups to `inv`; returns every problem. */
export function addYamlInventory(parsed: ParsedYaml, inv: Inventory): RingError[] {
  if (parsed.errors.length) return parsed.errors;
  const root = parsed.value;
  if (root === null || root === undefined) return [];
  if (!isMap(root)) {
    const start = sourceOf(root)?.loc ?? { file: parsed.source.file, line: 1, col: 1 };
    return [errorAt('E_SCHEMA', `an inventory must be a mapping of groups (usually \`all:\`), got ${Array.isArray(root) ? 'a list' : `the ${typeof root} ${String(root)}`}`, start, parsed.source, 'start with `all:` and put `hosts:` / `children:` under it')];
  }
  const validate = validatorFor('inventory.json');
  if (!validate(root)) return translateErrors(validate.errors, inventoryPhrasing(root, parsed));
  const errors: RingError[] = [];
  for (const [name, body] of Object.entries(root)) addGroup(name, body, undefined, root, inv, parsed, errors);
  return errors;
}

function addGroup(name: string, body: unknown, parent: string | undefined, owner: Raw, inv: Inventory, parsed: ParsedYaml, errors: RingError[]): void {
  const g = group(inv, name, keyLocationOf(owner, name));
  if (parent) child(inv, parent, name, keyLocationOf(owner, name));
  if (!isMap(body)) return;
  if (isMap(body.vars)) Object.assign(g.vars, body.vars);
  if (isMap(body.vars)) errors.push(...passwordVarErrors(body.vars, `group ${name}`, keyLocationOf(body, 'vars')));
  if (isMap(body.hosts)) {
    for (const [pattern, vars] of Object.entries(body.hosts)) {
      const loc = keyLocationOf(body.hosts, pattern);
      const names = expandHostRange(pattern);
      if (typeof names === 'string') {
        errors.push(errorAt('E_SCHEMA', `host \`${pattern}\`: ${names}`, loc, parsed.source));
        continue;
      }
      if (isMap(vars)) for (const n of names) errors.push(...passwordVarErrors(vars, `host ${n}`, loc));
      for (const n of names) host(inv, n, isMap(vars) ? { ...vars } : {}, loc, name);
    }
  }
  if (isMap(body.children)) {
    for (const [c, cbody] of Object.entries(body.children)) {
      if (c === name) {
        errors.push(errorAt('E_SCHEMA', `group \`${name}\` cannot be its own child`, keyLocationOf(body.children, c), parsed.source));
        continue;
      }
      addGroup(c, cbody, name, body.children, inv, parsed, errors);
    }
  }
}

/** Names things as "group 'etcd'" / "host 'node1'", and explains the classic list-for-mapping slip. */
function inventoryPhrasing(root: Raw, parsed: ParsedYaml): Phrasing {
  return {
    root,
    src: parsed.source,
    context: (segs: Segs) => {
      let label = 'the inventory';
      let depth = 0;
      for (let i = 0; i < segs.length; ) {
        if (i === 0) {
          label = `group '${segs[0]}'`;
          depth = i = 1;
        } else if (segs[i] === 'children' && i + 1 < segs.length) {
          label = `group '${segs[i + 1]}'`;
          depth = i += 2;
        } else if (segs[i] === 'hosts' && i + 1 < segs.length) {
          label = `host '${segs[i + 1]}'`;
          depth = i + 2;
          break;
        } else break;
      }
      return { label, rel: segs.slice(depth) };
    },
    hint: (segs, keyword) => {
      const last = segs[segs.length - 1];
      if (keyword === 'type' && (last === 'hosts' || last === 'children') && Array.isArray(getAt(root, segs))) {
        return `\`${last}\` is a mapping, not a list: write each name as a key ending with \`:\` (e.g. \`node1:\`), with its ${last === 'hosts' ? 'variables' : 'hosts / children / vars'} indented below or nothing`;
      }
      return undefined;
    },
  };
}
