// Hostile input ends fast in a located error: alias bombs, deep nesting (YAML, expressions, templates),
// catastrophic regular expressions. Each case goes through the real CLI entry and is timed.
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasTemplate } from '../../engine/execute/vars.js';
import { runCli } from '../helpers/cli-io.js';

/** Runs the CLI, returning what it printed and how long it took. */
async function timed(argv: string[], cwd: string) {
  const t0 = Date.now();
  const r = await runCli(argv, cwd);
  return { ...r, ms: Date.now() - t0, all: r.out + r.err };
}

function bombLines(indent: string): string {
  const lines = [`${indent}a0: &a0 [x, x, x, x, x, x, x, x, x, x]`];
  for (let i = 1; i < 10; i++) lines.push(`${indent}a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]`);
  return lines.join('\n') + '\n';
}

describe('hostile input: hangs and crashes end in a located error within a second', function () {
  this.timeout(20000);
  let dir: string;
  const inv = () => join(dir, 'inv.ini');
  const write = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const task = (extra: string) => `- hosts: all\n  tasks:\n    - debug: {msg: hi}\n${extra}`;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'ringmaster-hostile-'));
    write('inv.ini', '[etcd]\nnode1 ansible_connection=local\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a YAML alias bomb in an inventory (inventory --list), naming the alias', async () => {
    const f = write('bomb-inv.yml', `all:\n  hosts:\n    node1:\n  vars:\n${bombLines('    ')}`);
    const r = await timed(['inventory', '-i', f, '--list'], dir);
    expect(r.code).to.equal(1);
    expect(r.err).to.match(/bomb-inv\.yml:\d+:\d+: error\[E_YAML_SYNTAX\]: .*aliases here expand the document to more than 100000 values/);
    expect(r.ms).to.be.below(1000);
  });

  it('refuses a YAML alias bomb in play vars (validate and run)', async () => {
    const f = write('bomb-pb.yml', `- hosts: all\n  vars:\n${bombLines('    ')}  tasks:\n    - debug: {msg: hi}\n`);
    for (const cmd of ['validate', 'run']) {
      const r = await timed([cmd, '-i', inv(), f], dir);
      expect(r.code, cmd).to.equal(1);
      expect(r.err).to.match(/bomb-pb\.yml:\d+:\d+: .*alias bomb/);
      expect(r.ms).to.be.below(1000);
    }
  });

  it('refuses an alias bomb in -e YAML', async () => {
    const e = `{${Array.from({ length: 10 }, (_, i) => `a${i}: &a${i} [${i === 0 ? 'x,x,x,x,x,x,x,x,x,x' : Array(10).fill(`*a${i - 1}`).join(',')}]`).join(', ')}}`;
    const r = await timed(['validate', '-i', inv(), '-e', e, write('pb.yml', task(''))], dir);
    expect(r.code).to.equal(1);
    expect(r.err).to.match(/-e #1:1:\d+: .*alias bomb/);
    expect(r.ms).to.be.below(1000);
  });

  it('keeps shared anchors legal (a default mapping merged into many tasks)', async () => {
    const tasks = Array.from({ length: 300 }, (_, i) => `    - <<: *d\n      name: t${i}\n      debug: {msg: hi}\n`).join('');
    const f = write('anchors.yml', `- hosts: all\n  vars:\n    defaults: &d {tags: [a, b], ignore_errors: false}\n  tasks:\n${tasks}`);
    const r = await timed(['validate', '-i', inv(), f], dir);
    expect(r.all).to.not.include('alias bomb');
  });

  it('refuses 5 000-deep YAML nesting with a located error (no "maximum call stack")', async () => {
    for (const depth of [150, 5000]) {
      const f = write(`deep${depth}.yml`, `- hosts: all\n  vars:\n    x: ${'['.repeat(depth)}${']'.repeat(depth)}\n  tasks:\n    - debug: {msg: hi}\n`);
      const r = await timed(['validate', '-i', inv(), f], dir);
      expect(r.code).to.equal(1);
      expect(r.err).to.match(new RegExp(`deep${depth}\\.yml:3:\\d+: error\\[E_YAML_SYNTAX\\]: YAML syntax error: lists and mappings nest too deeply`));
      expect(r.err).to.not.match(/call stack|at .*\.js:\d+/);
      expect(r.ms).to.be.below(1000);
    }
  });

  it('refuses a `when` with 20 000 nested parentheses (validate and run: exit 1, located, before any task)', async () => {
    const f = write('parens.yml', task(`      when: '${'('.repeat(20000)}1${')'.repeat(20000)}'\n`));
    const v = await timed(['validate', '-i', inv(), f], dir);
    expect(v.code).to.equal(1);
    expect(v.err).to.match(/parens\.yml:4:13: error\[E_EXPR_SYNTAX\]: the expression nests too deeply \(more than 100 levels/);
    expect(v.ms).to.be.below(1000);
    const r = await timed(['run', '-i', inv(), f], dir);
    expect(r.code).to.equal(1);
    expect(r.all).to.include('the expression nests too deeply').and.include('parens.yml:4:13');
    expect(r.all).to.not.match(/call stack|internal error/i);
    expect(r.ms).to.be.below(1000);
  });

  it('refuses a `not not ...` chain and a 5 000-operation `and` chain before they overflow the evaluator', async () => {
    const nots = await timed(['validate', '-i', inv(), write('nots.yml', task(`      when: "${'not '.repeat(5000)}1"\n`))], dir);
    expect(nots.code).to.equal(1);
    expect(nots.err).to.match(/nots\.yml:4:13: .*nests too deeply/);
    const chain = await timed(['validate', '-i', inv(), write('chain.yml', task(`      when: "${'1 and '.repeat(5000)}1"\n`))], dir);
    expect(chain.code).to.equal(1);
    expect(chain.err).to.match(/chain\.yml:4:13: .*too deep to evaluate \(more than 1000 operations/);
    expect(nots.ms + chain.ms).to.be.below(1000);
  });

  it('refuses 3 000-deep {{#if}}, `{{else if}}` chains and sub-expressions in templates, located', async () => {
    const cases: Record<string, string> = {
      ifs: `${'{{#if true}}'.repeat(3000)}x${'{{/if}}'.repeat(3000)}`,
      elseifs: `{{#if a}}${'{{else if b}}'.repeat(3000)}x{{/if}}`,
      subexpr: `{{default ${'(default '.repeat(3000)}1${')'.repeat(3000)} 2}}`,
    };
    for (const [name, tpl] of Object.entries(cases)) {
      const f = write(`${name}.yml`, `- hosts: all\n  tasks:\n    - debug:\n        msg: '${tpl}'\n`);
      const r = await timed(['validate', '-i', inv(), f], dir);
      expect(r.code, name).to.equal(1);
      expect(r.err, name).to.match(new RegExp(`${name}\\.yml:4:\\d+: error\\[E_TEMPLATE_SYNTAX\\]: the template nests too deeply`));
      expect(r.err).to.not.match(/call stack/i);
      expect(r.ms, name).to.be.below(1000);
    }
  });

  it('checks a template of 200 000 `{{` without `}}` in linear time', async () => {
    const f = write('opens.yml', `- hosts: all\n  tasks:\n    - debug:\n        msg: '${'{{'.repeat(200000)}'\n`);
    const r = await timed(['validate', '-i', inv(), f], dir);
    expect(r.code).to.equal(1);
    expect(r.err).to.match(/opens\.yml:4:\d+: error\[E_TEMPLATE_SYNTAX\]: template syntax error/);
    expect(r.ms).to.be.below(1000);
  });

  it('stops a catastrophic regular expression in `match`, `search`, `regex_search` and `regex_replace`', async () => {
    const s = `'${'a'.repeat(40)}!'`;
    for (const cond of [`${s} is match('(a+)+$')`, `${s} is search('(a|aa)+$')`, `(${s} | regex_search('(a*)*$')) == 'x'`, `(${s} | regex_replace('(a+)+$', 'b')) == 'x'`]) {
      const f = write('re.yml', task(`      when: "${cond}"\n`));
      const r = await timed(['run', '-i', inv(), f], dir);
      expect(r.code, cond).to.equal(2);
      expect(r.all, cond).to.match(/took longer than 250 ms on a 41-character text and was stopped: it backtracks catastrophically at column \d+/);
      expect(r.all).to.include('re.yml:3');
      expect(r.ms, cond).to.be.below(1000);
    }
  });

  it('still runs ordinary regular expressions (and a worker restarted after a timeout)', async () => {
    const f = write('re-ok.yml', task(`      when: "('abc' | regex_replace('b', 'X')) == 'aXc' and ('abc' | regex_search('b.')) == 'bc' and 'abc' is match('a') and 'abc' is search('c') and not ('abc' is match('b'))"\n`));
    const r = await timed(['run', '-i', inv(), f], dir);
    expect(r.code).to.equal(0);
    expect(r.all).to.include('ok: [node1] => hi');
  });

  it('a host pattern with an unclosed `[` or a catastrophic `~regex` is a located E_BAD_PATTERN, not an internal error', async () => {
    const bad = await timed(['validate', '-i', inv(), write('pat.yml', "- hosts: 'etcd[1:'\n  tasks:\n    - debug: {msg: hi}\n")], dir);
    expect(bad.code).to.equal(1);
    expect(bad.err).to.include("pat.yml:1:10: error[E_BAD_PATTERN]: host pattern 'etcd[1:' is malformed: `etcd[1:` has a `[` without its `]`");
    const longName = write('long.ini', `[etcd]\n${'a'.repeat(40)} ansible_connection=local\n`);
    const slow = await timed(['validate', '-i', longName, write('pat2.yml', "- hosts: '~(a+)+b'\n  tasks:\n    - debug: {msg: hi}\n")], dir);
    expect(slow.code).to.equal(1);
    expect(slow.err).to.match(/pat2\.yml:1:10: error\[E_BAD_PATTERN\]: .*took too long on host/);
    expect(slow.ms).to.be.below(1000);
  });

  it('an alias with no anchor is an error, not a silent null', async () => {
    const r = await timed(['validate', '-i', inv(), write('alias.yml', '- hosts: all\n  vars: {a: *nothing}\n  tasks: []\n')], dir);
    expect(r.code).to.equal(1);
    expect(r.err).to.include('alias.yml:2:13: error[E_YAML_SYNTAX]: YAML syntax error: this alias (`*name`) refers to no anchor');
  });

  it('hasTemplate walks a shared (aliased) value once, not once per reference', () => {
    let v: unknown = ['x'];
    for (let i = 0; i < 26; i++) v = [v, v];
    const t0 = Date.now();
    expect(hasTemplate(v)).to.equal(false);
    expect(Date.now() - t0).to.be.below(100);
  });
});
