// The playbook, inventory and vars schemas: editor-ready ($id, title, a description on every property),
// in step with the module registry, and named by a modeline in every shipped YAML file.
import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { MODULES } from '../../engine/modules/registry.js';
import { packageRoot } from '../../engine/paths.js';
import { readSchema } from '../../engine/validate/ajv.js';

/** Every `properties` entry anywhere in a schema, with its path. */
function properties(node: unknown, path = '#'): Array<[string, Record<string, unknown>]> {
  if (!node || typeof node !== 'object') return [];
  const out: Array<[string, Record<string, unknown>]> = [];
  for (const [k, v] of Object.entries(node)) {
    if (k === 'properties' && v && typeof v === 'object') {
      for (const [name, p] of Object.entries(v)) if (p && typeof p === 'object') out.push([`${path}/properties/${name}`, p as Record<string, unknown>]);
    }
    out.push(...properties(v, `${path}/${k}`));
  }
  return out;
}

function yamlFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return yamlFiles(p);
    return /\.ya?ml$/.test(f) ? [p] : [];
  });
}

describe('schemas: playbook, inventory, vars', () => {
  for (const file of ['playbook.json', 'inventory.json', 'vars.json']) {
    it(`${file} has $id, title, description, and a description on every property`, () => {
      const s = readSchema(file);
      expect(s.$id).to.match(/^https:\/\/ringmaster\.dev\/schemas\//);
      expect(s.title).to.be.a('string');
      expect(s.description).to.be.a('string');
      for (const [path, p] of properties(s)) {
        // A module entry's description is its module schema's own; a `true` schema only names a key.
        const described = typeof p.description === 'string' || '$ref' in p || 'anyOf' in p;
        expect(described, `${file} ${path} has no description`).to.equal(true);
      }
    });
  }

  it('lists every registered module in the playbook schema, with a $ref to its schema (for editors)', () => {
    const task = (readSchema('playbook.json').definitions as Record<string, { properties: Record<string, unknown> }>).task;
    for (const [name, def] of MODULES) {
      expect(JSON.stringify(task.properties[name]), `module ${name} (run npm run gen)`).to.contain(`"$ref":"${def.schema}"`);
    }
  });

  it('every shipped playbook and inventory names its schema in a yaml-language-server modeline', () => {
    const root = packageRoot();
    for (const file of [...yamlFiles(join(root, 'playbooks')), ...yamlFiles(join(root, 'inventories'))]) {
      const text = readFileSync(file, 'utf8');
      const m = /^# yaml-language-server: \$schema=(\S+)$/m.exec(text);
      expect(m, `${file} lacks "# yaml-language-server: $schema=…"`).to.not.equal(null);
      expect(existsSync(resolve(dirname(file), m![1])), `${file}: ${m![1]} does not exist`).to.equal(true);
    }
  });
});
