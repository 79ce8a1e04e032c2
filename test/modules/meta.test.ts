// The meta-test: every registered module is documented, validated by a strict schema, exemplified and tested.
import { expect } from 'chai';
import Ajv from 'ajv';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadModuleSchema, type SchemaNode } from '../../engine/modules/describe.js';
import { MODULES } from '../../engine/modules/registry.js';
import { packageRoot } from '../../engine/paths.js';

/** Every property schema under `node` that lacks a description, as JSON-pointer-ish paths. */
function undocumented(node: SchemaNode, path: string): string[] {
  const out: string[] = [];
  const children: Array<[string, unknown]> = [
    ...Object.entries(node.properties ?? {}).map(([k, v]) => [`${path}/properties/${k}`, v] as [string, unknown]),
    ...Object.entries(node.patternProperties ?? {}).map(([k, v]) => [`${path}/patternProperties/${k}`, v] as [string, unknown]),
    ...(node.items ? [[`${path}/items`, node.items] as [string, unknown]] : []),
  ];
  for (const [p, child] of children) {
    if (typeof child !== 'object' || child === null) continue; // `cmd: true` inside oneOf groups
    if (typeof (child as SchemaNode).description !== 'string' || !(child as SchemaNode).description) out.push(p);
    out.push(...undocumented(child as SchemaNode, p));
  }
  for (const [i, alt] of [...(node.anyOf ?? []), ...(node.oneOf ?? [])].entries()) {
    if (typeof alt === 'object' && alt !== null && path !== '') out.push(...undocumented(alt, `${path}/anyOf/${i}`));
  }
  return out;
}

describe('modules: meta', () => {
  const root = packageRoot();
  const ajv = new Ajv.default({ strict: true, allErrors: true });
  const testSources = readdirSync(join(root, 'test', 'modules'))
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => readFileSync(join(root, 'test', 'modules', f), 'utf8'))
    .join('\n');

  it('registers the modules sorted by name', () => {
    const names = [...MODULES.keys()];
    expect(names).to.deep.equal([...names].sort());
  });

  it('has a registered module for every schema in schemas/modules (no orphan documentation)', () => {
    const schemas = readdirSync(join(root, 'schemas', 'modules')).map((f) => f.replace(/\.json$/, ''));
    expect(schemas.filter((s) => !MODULES.has(s))).to.deep.equal([]);
  });

  for (const def of MODULES.values()) {
    describe(def.name, () => {
      const schema = loadModuleSchema(def);

      it('has a strict draft-07 schema with $id, title, description and additionalProperties: false', () => {
        expect(def.schema).to.equal(`modules/${def.name}.json`);
        expect(schema.$schema).to.equal('http://json-schema.org/draft-07/schema#');
        expect(schema.$id).to.equal(`https://ringmaster.dev/schemas/modules/${def.name}.json`);
        expect(schema.title).to.equal(def.name);
        expect(schema.description).to.be.a('string').and.not.equal('');
        expect(schema.additionalProperties).to.equal(false);
        expect(() => ajv.compile(schema)).not.to.throw();
      });

      it('describes every argument, recursively', () => {
        expect(undocumented(schema, '')).to.deep.equal([]);
      });

      it('declares defaults that its own schema accepts', () => {
        for (const [k, prop] of Object.entries(schema.properties ?? {})) {
          if (prop.default === undefined) continue;
          const ok = new Ajv.default({ strict: false }).validate(prop, prop.default);
          expect(ok, `default of ${k}`).to.equal(true);
        }
      });

      it('has a description, flags and an example task that validates against its schema', () => {
        expect(def.description).to.match(/^[A-Z].*\.$/);
        expect(def.supportsCheckMode).to.be.a('boolean');
        expect(def.idempotent).to.be.a('boolean');
        const tasks = parse(def.example) as Array<Record<string, unknown>>;
        expect(tasks).to.be.an('array').with.length(1);
        expect(tasks[0]).to.have.property(def.name);
        expect(tasks[0].name, 'the example task has a name').to.be.a('string');
        const raw = tasks[0][def.name];
        if (typeof raw === 'string') expect(def.freeForm, 'a free-form example needs freeForm').to.be.a('string');
        const args = typeof raw === 'string' ? { [def.freeForm as string]: raw } : raw;
        const validate = ajv.getSchema(String(schema.$id)) ?? ajv.compile(schema);
        expect(validate(args), JSON.stringify(validate.errors)).to.equal(true);
      });

      it('lives in a file named after it', () => {
        const file = join(root, 'engine', 'modules', `${def.name}.ts`);
        expect(existsSync(file), file).to.equal(true);
        expect(readFileSync(file, 'utf8')).to.contain(`name: '${def.name}'`);
      });

      it('is exercised by a test in test/modules', () => {
        expect(testSources).to.match(new RegExp(`['\`]${def.name}['\` ]`));
      });
    });
  }
});
