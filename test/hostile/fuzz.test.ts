// Fuzz: hundreds of generated malformed playbooks, inventories, `-e` values and templates, across every
// module's arguments (from its schema and its README example), through the CLI's entry (in-process).
// Each must exit 1 with a located `file:line:col: error[...]`, no stack trace, within a few seconds.
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import YAML from 'yaml';
import { MODULES } from '../../engine/modules/registry.js';
import { schemaPath } from '../../engine/validate/ajv.js';
import { runCli } from '../helpers/cli-io.js';

interface Case {
  name: string;
  /** Files to write (name → text); the first `.yml` that is not `inv.*` is the playbook. */
  files?: Record<string, string>;
  argv: string[];
}

type Schema = { type?: string | string[]; enum?: unknown[]; properties?: Record<string, Schema>; required?: string[]; additionalProperties?: boolean | object };

const LOCATED = /^(?:\S[^\n]*?):\d+:\d+: error\[E_[A-Z_]+\]/m;
const STACK = /^\s+at (?:\S+ )?\(?[^\s()]+:\d+:\d+\)?$/m;
const PER_CASE_MS = 3000;

/** A value of a JSON type the property does not allow (undefined when every candidate is allowed). */
function wrongValue(p: Schema): unknown {
  const types = p.type === undefined ? [] : Array.isArray(p.type) ? p.type : [p.type];
  if (p.enum && !types.length) return 'zz-not-in-enum';
  if (!types.length) return undefined;
  const candidates: Array<[string[], unknown]> = [
    [['object'], { zz: 1 }],
    [['array'], [{ zz: 1 }]],
    [['boolean'], true],
    [['integer', 'number'], 3.5],
    [['string'], 'zz-not-valid'],
  ];
  for (const [ts, v] of candidates) {
    if (ts.some((t) => types.includes(t))) continue;
    if (ts[0] === 'integer' && types.includes('integer') && !types.includes('number')) continue;
    return v;
  }
  if (types.includes('integer') && !types.includes('number')) return 3.5;
  if (p.enum) return 'zz-not-in-enum';
  return undefined;
}

const yaml = (v: unknown) => YAML.stringify(v, { lineWidth: 0 });

function play(tasks: unknown[], extra: Record<string, unknown> = {}): string {
  return yaml([{ name: 'fuzz', hosts: 'etcd', gather_facts: false, ...extra, tasks }]);
}

/**
 * What the examples take from the rest of a playbook: the variables they use (the pre-flight renders every task
 * with the inventory and -e, like run) and the template file the `template` example names. Module mutations get
 * the same, so it is the mutation that is refused, as the control case shows.
 */
const EXAMPLE_ARGV = ['-e', JSON.stringify({ joined: { initial_cluster: 'node3=https://10.0.0.13:2380' }, etcd_member_name: 'node3' })];
const EXAMPLE_FILES = { 'templates/etcd.yaml.hbs': 'name: {{ inventory_hostname }}\n' };

/** Mutations of each module's own example: unknown argument, wrong types, bad templates, missing requirements. */
function moduleCases(): Case[] {
  const out: Case[] = [];
  for (const [name, def] of MODULES) {
    const example = (YAML.parse(def.example) as Array<Record<string, unknown>>)[0];
    const schema = JSON.parse(readFileSync(schemaPath(def.schema), 'utf8')) as Schema;
    const args = example[name];
    const base = args && typeof args === 'object' && !Array.isArray(args) ? (args as Record<string, unknown>) : undefined;
    const task = (a: unknown) => ({ ...example, [name]: a });
    const add = (what: string, a: unknown, tweak: Record<string, unknown> = {}) => out.push({ name: `${name}: ${what}`, files: { 'pb.yml': play([{ ...task(a), ...tweak }]), ...EXAMPLE_FILES }, argv: [...EXAMPLE_ARGV] });
    if (schema.additionalProperties === false && name !== 'set_fact') add('unknown argument', { ...(base ?? {}), zz_bogus_arg: 1 });
    add('a list instead of arguments', [1, 2]);
    add('an unknown task keyword', base ?? args, { zz_keyword: true });
    add('a broken `when`', base ?? args, { when: '1 == == 1' });
    add('an unclosed template in `name`', base ?? args, { name: 'x {{ unclosed' });
    for (const [prop, p] of Object.entries(schema.properties ?? {})) {
      const bad = wrongValue(p);
      if (bad !== undefined && name !== 'set_fact') add(`\`${prop}\` of the wrong type`, { ...(base ?? {}), [prop]: bad });
      const types = p.type === undefined ? [] : [p.type].flat();
      if (types.includes('string') && !p.enum) {
        add(`\`${prop}\`: unclosed {{`, { ...(base ?? {}), [prop]: 'a {{ unclosed' });
        add(`\`${prop}\`: unknown helper`, { ...(base ?? {}), [prop]: '{{qoute x}}' });
        add(`\`${prop}\`: decorator`, { ...(base ?? {}), [prop]: '{{* deco}}' });
      }
    }
    for (const req of schema.required ?? []) {
      if (base && req in base) {
        const { [req]: _gone, ...rest } = base;
        add(`missing required \`${req}\``, rest);
      }
    }
  }
  return out;
}

/** Broken playbook structure and YAML. */
function playbookCases(): Case[] {
  const ok = '    - debug: {msg: hi}\n';
  const texts: Record<string, string> = {
    'tab indent': `- hosts: etcd\n  tasks:\n\t- debug: {msg: hi}\n`,
    'unclosed double quote': `- hosts: etcd\n  tasks:\n    - debug: {msg: "hi}\n`,
    'unclosed single quote': `- hosts: etcd\n  tasks:\n    - debug: {msg: 'hi}\n`,
    'unclosed [': `- hosts: etcd\n  tasks: [\n${ok}`,
    'unclosed {': `- hosts: etcd\n  vars: {a: 1\n  tasks: []\n`,
    'duplicate key': `- hosts: etcd\n  hosts: etcd\n  tasks: []\n`,
    'duplicate empty key': `- hosts: etcd\n  vars:\n    a:\n    a:\n  tasks: []\n`,
    'BOM then garbage': `\uFEFF- hosts: etcd\n  tasks:\n    - : x\n`,
    'not a list': `hosts: etcd\ntasks: []\n`,
    'a scalar': `just text\n`,
    'a number': `42\n`,
    'several documents': `- hosts: etcd\n  tasks: []\n---\n- hosts: etcd\n  tasks: []\n`,
    'unknown play keyword': `- hosts: etcd\n  zz_play: 1\n  tasks: []\n`,
    'hosts a mapping': `- hosts: {a: 1}\n  tasks: []\n`,
    'no hosts': `- tasks:\n${ok}`,
    'tasks a mapping': `- hosts: etcd\n  tasks: {a: 1}\n`,
    'task a string': `- hosts: etcd\n  tasks:\n    - debug\n`,
    'two modules': `- hosts: etcd\n  tasks:\n    - debug: {msg: a}\n      fail: {msg: b}\n`,
    'unknown module': `- hosts: etcd\n  tasks:\n    - zz_module: {a: 1}\n`,
    'misspelt module': `- hosts: etcd\n  tasks:\n    - degub: {msg: a}\n`,
    'bad host pattern': `- hosts: 'etcd[1:'\n  tasks:\n${ok}`,
    'serial text': `- hosts: etcd\n  serial: lots\n  tasks:\n${ok}`,
    'loop a number': `- hosts: etcd\n  tasks:\n    - debug: {msg: hi}\n      loop: 3\n`,
    'retries text': `- hosts: etcd\n  tasks:\n    - debug: {msg: hi}\n      retries: many\n      until: x\n`,
    'bad until': `- hosts: etcd\n  tasks:\n    - debug: {msg: hi}\n      until: 'a ==='\n      retries: 2\n`,
    'bad changed_when': `- hosts: etcd\n  tasks:\n    - debug: {msg: hi}\n      changed_when: 'not'\n`,
    'bad failed_when': `- hosts: etcd\n  tasks:\n    - debug: {msg: hi}\n      failed_when: '(1'\n`,
    'unknown filter': `- hosts: etcd\n  tasks:\n    - debug: {msg: hi}\n      when: x | zz_filter\n`,
    'unknown test': `- hosts: etcd\n  tasks:\n    - debug: {msg: hi}\n      when: x is zz_test\n`,
    'forbidden name': `- hosts: etcd\n  tasks:\n    - debug: {msg: hi}\n      when: x.__proto__\n`,
    'javascript call': `- hosts: etcd\n  tasks:\n    - debug: {msg: hi}\n      when: process.exit(1)\n`,
    'deep parens': `- hosts: etcd\n  tasks:\n    - debug: {msg: hi}\n      when: '${'('.repeat(5000)}1${')'.repeat(5000)}'\n`,
    'deep YAML': `- hosts: etcd\n  vars:\n    x: ${'['.repeat(3000)}${']'.repeat(3000)}\n  tasks: []\n`,
    'deep blocks': `- hosts: etcd\n  tasks:\n    - debug:\n        msg: '${'{{#if a}}'.repeat(1000)}${'{{/if}}'.repeat(1000)}'\n`,
    'alias bomb': `- hosts: etcd\n  vars:\n    a0: &a0 [x,x,x,x,x,x,x,x,x,x]\n${Array.from({ length: 8 }, (_, i) => `    a${i + 1}: &a${i + 1} [${Array(10).fill(`*a${i}`).join(',')}]\n`).join('')}  tasks: []\n`,
    'undefined alias': `- hosts: etcd\n  vars: {a: *nothing}\n  tasks: []\n`,
    'merge of a scalar': `- hosts: etcd\n  vars:\n    <<: 3\n  tasks: []\n`,
    'block a string': `- hosts: etcd\n  tasks:\n    - block: nope\n`,
    'rescue without block': `- hosts: etcd\n  tasks:\n    - rescue:\n        - debug: {msg: hi}\n`,
    'handler without name': `- hosts: etcd\n  handlers:\n    - debug: {msg: hi}\n  tasks: []\n`,
    'vars a list': `- hosts: etcd\n  vars: [1, 2]\n  tasks: []\n`,
    'bad var name': `- hosts: etcd\n  vars:\n    3x: 1\n  tasks: []\n`,
    'become text': `- hosts: etcd\n  become: perhaps\n  tasks:\n${ok}`,
    'tags a mapping': `- hosts: etcd\n  tasks:\n    - debug: {msg: hi}\n      tags: {a: 1}\n`,
    'loop_control junk': `- hosts: etcd\n  tasks:\n    - debug: {msg: hi}\n      loop: [1]\n      loop_control: {zz: 1}\n`,
    'register a number': `- hosts: etcd\n  tasks:\n    - debug: {msg: hi}\n      register: 3\n`,
    'register bad name': `- hosts: etcd\n  tasks:\n    - debug: {msg: hi}\n      register: a-b\n`,
    'key without value colon': `- hosts: etcd\n  tasks:\n    - debug: {msg: hi}\n      : x\n`,
    'binary junk': `- hosts: etcd\n  tasks: \u0001\u0002\u0003 [\n`,
    '1 MB line': `- hosts: etcd\n  tasks:\n    - debug: msg=${'A'.repeat(1_000_000)}\n`,
    'regex invalid': `- hosts: etcd\n  tasks:\n    - debug: {msg: hi}\n      when: "'a' is match('(')"\n`.replace("is match('(')", "is zz_match('(')"),
    'lookup decorator in name': `- hosts: etcd\n  tasks:\n    - name: '{{* d}}'\n      debug: {msg: hi}\n`,
    'partial in msg': `- hosts: etcd\n  tasks:\n    - debug: {msg: '{{> p}}'}\n`,
    'unclosed block': `- hosts: etcd\n  tasks:\n    - debug: {msg: '{{#if a}}x'}\n`,
    'mismatched block': `- hosts: etcd\n  tasks:\n    - debug: {msg: '{{#if a}}x{{/each}}'}\n`,
  };
  return Object.entries(texts).map(([name, text]) => ({ name: `playbook: ${name}`, files: { 'pb.yml': text }, argv: [] }));
}

/** Broken inventories (INI and YAML). */
function inventoryCases(): Case[] {
  const ini: Record<string, string> = {
    'unclosed section': '[etcd\nnode1\n',
    'unknown section type': '[etcd:variables]\nx=1\n',
    'bad group name': '[et cd]\nnode1\n',
    'host with ;': '[etcd]\n"a;b"\n',
    'host with space': '[etcd]\n"a b"\n',
    'host with ../': '[etcd]\n../../../../tmp/x\n',
    'huge range': '[etcd]\nnode[1:1000000]\n',
    'backwards range': '[etcd]\nnode[9:1]\n',
    'mixed range': '[etcd]\nnode[1:c]\n',
    'port ssh': '[etcd]\nnode1 ansible_port=ssh\n',
    'port 70000': '[etcd]\nnode1 ansible_port=70000\n',
    'vars port': '[etcd]\nnode1\n[etcd:vars]\nansible_port=x\n',
    'vars without =': '[etcd]\nnode1\n[etcd:vars]\njustaword\n',
    'bad var name': '[etcd]\nnode1 3x=1\n',
    'var without =': '[etcd]\nnode1 loose\n',
    'unclosed quote': '[etcd]\nnode1 a="b\n',
    'own child': '[etcd:children]\netcd\n',
    'bad child name': '[etcd:children]\na b\n',
  };
  const yml: Record<string, string> = {
    'a list': '- node1\n- node2\n',
    'a scalar': 'hello\n',
    'hosts a list': 'all:\n  hosts:\n    - node1\n',
    'unknown group key': 'all:\n  zz: 1\n',
    'bad port': 'all:\n  hosts:\n    node1:\n      ansible_port: ssh\n',
    'host with /': 'all:\n  hosts:\n    "a/b":\n',
    'host with NUL': 'all:\n  hosts:\n    "a\\0b":\n',
    'huge range': 'all:\n  hosts:\n    node[0:99999]:\n',
    'duplicate host': 'all:\n  hosts:\n    node1:\n    node1:\n',
    'alias bomb': `all:\n  vars:\n    a0: &a0 [x,x,x,x,x,x,x,x,x,x]\n${Array.from({ length: 8 }, (_, i) => `    a${i + 1}: &a${i + 1} [${Array(10).fill(`*a${i}`).join(',')}]\n`).join('')}  hosts:\n    node1:\n`,
    'deep nesting': `all:\n  vars:\n    x: ${'{a: '.repeat(2000)}1${'}'.repeat(2000)}\n`,
    'tab': 'all:\n\thosts:\n',
    'own child': 'all:\n  children:\n    all:\n',
    'bad var name': 'all:\n  vars:\n    a-b: 1\n',
    'connection junk': 'all:\n  hosts:\n    node1:\n      ansible_connection: telepathy\n',
  };
  const pb = play([{ debug: { msg: 'hi' } }]);
  return [
    ...Object.entries(ini).map(([name, text]) => ({ name: `inventory ini: ${name}`, files: { 'pb.yml': pb, 'inv.ini': text }, argv: [] })),
    ...Object.entries(yml).map(([name, text]) => ({ name: `inventory yaml: ${name}`, files: { 'pb.yml': pb, 'inv.yml': text }, argv: [] })),
  ];
}

/** Broken `-e` values. */
function extraVarCases(): Case[] {
  const values = [
    'novalue', '3x=1', 'a-b=1', '=1', "a='unclosed", 'a="unclosed', '{a: [}', '{a: 1', '[1, 2]', '{"a": 1 "b": 2}', '{a: 1, a: 2}',
    'a=1\n3b=2', 'a=1\nbare', '{a: *x}', `{${'['.repeat(3000)}}`, '\t{a: 1}\n\tb', 'a=1 b', '{1: [2: 3]}',
    `{a0: &a0 [x,x,x,x,x,x,x,x,x,x], ${Array.from({ length: 8 }, (_, i) => `a${i + 1}: &a${i + 1} [${Array(10).fill(`*a${i}`).join(',')}]`).join(', ')}}`,
  ];
  const pb = play([{ debug: { msg: 'hi' } }]);
  return values.map((v, i) => ({ name: `-e #${i}: ${JSON.stringify(v).slice(0, 40)}`, files: { 'pb.yml': pb }, argv: ['-e', v] }));
}

describe('fuzz: malformed input always ends in exit 1 with a located error', function () {
  this.timeout(120000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'ringmaster-fuzz-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const groups: Array<[string, () => Case[]]> = [
    ['every module’s arguments', moduleCases],
    ['playbooks', playbookCases],
    ['inventories', inventoryCases],
    ['-e values', extraVarCases],
  ];
  let total = 0;

  for (const [label, make] of groups) {
    it(`${label}`, async () => {
      const cases = make();
      total += cases.length;
      const failures: string[] = [];
      for (const [i, c] of cases.entries()) {
        const sub = join(dir, `${label.replace(/\W+/g, '-')}-${i}`);
        rmSync(sub, { recursive: true, force: true });
        mkdirSync(sub, { recursive: true });
        const files = { 'inv.ini': '[etcd]\nnode1 ansible_connection=local\nnode2 ansible_connection=local\nnode3 ansible_connection=local\n', ...c.files };
        for (const [f, text] of Object.entries(files)) {
          mkdirSync(dirname(join(sub, f)), { recursive: true });
          writeFileSync(join(sub, f), text);
        }
        const inv = files['inv.yml' as keyof typeof files] !== undefined ? 'inv.yml' : 'inv.ini';
        const t0 = Date.now();
        const r = await runCli(['validate', '-i', join(sub, inv), join(sub, 'pb.yml'), ...c.argv], sub);
        const ms = Date.now() - t0;
        const all = r.out + r.err;
        const problems = [
          r.code !== 1 && `exit ${r.code}`,
          !LOCATED.test(r.err) && 'no file:line:col',
          STACK.test(all) && 'a stack trace',
          /E_INTERNAL|internal error/i.test(all) && 'an internal error',
          ms > PER_CASE_MS && `${ms} ms`,
        ].filter(Boolean);
        if (problems.length) failures.push(`${c.name}: ${problems.join(', ')}\n    ${all.split('\n').slice(0, 3).join('\n    ').slice(0, 400)}`);
      }
      expect(failures, failures.join('\n')).to.deep.equal([]);
    });
  }

  it('control: every module’s example, unmutated, validates (so a mutation is what gets refused)', async () => {
    const failures: string[] = [];
    for (const [name, def] of MODULES) {
      const sub = join(dir, `control-${name}`);
      mkdirSync(sub, { recursive: true });
      writeFileSync(join(sub, 'inv.ini'), '[etcd]\nnode1 ansible_connection=local\nnode2 ansible_connection=local\nnode3 ansible_connection=local\n');
      writeFileSync(join(sub, 'pb.yml'), play(YAML.parse(def.example) as unknown[]));
      for (const [f, text] of Object.entries(EXAMPLE_FILES)) {
        mkdirSync(dirname(join(sub, f)), { recursive: true });
        writeFileSync(join(sub, f), text);
      }
      const r = await runCli(['validate', '-i', join(sub, 'inv.ini'), join(sub, 'pb.yml'), ...EXAMPLE_ARGV], sub);
      if (r.code !== 0) failures.push(`${name}: exit ${r.code}: ${r.err.split('\n')[0]}`);
    }
    expect(failures, failures.join('\n')).to.deep.equal([]);
  });

  it('covered at least 200 inputs, and every module', () => {
    expect(total, `${total} inputs`).to.be.at.least(200);
    console.log(`      (${total} malformed inputs)`);
    expect(moduleCases().map((c) => c.name.split(':')[0])).to.include.members([...MODULES.keys()]);
  });
});
