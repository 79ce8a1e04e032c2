// The small defects of issue 10 ("Low"), each through the real CLI entry where it shows.
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fetchTarget } from '../../engine/modules/fetch.js';
import { runCli } from '../helpers/cli-io.js';

describe('low: small input defects', function () {
  this.timeout(30000);
  let dir: string;
  const write = (name: string, text: string | Buffer) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const inv = () => join(dir, 'inv.ini');
  const pb = (tasks: string) => write('pb.yml', `- hosts: all\n  tasks:\n${tasks}`);

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'ringmaster-low-'));
    write('inv.ini', '[etcd]\nnode1 ansible_connection=local\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a playbook that starts with a UTF-8 byte-order mark', async () => {
    const f = write('bom.yml', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('- hosts: all\n  tasks:\n    - debug: {msg: hi}\n')]));
    const r = await runCli(['validate', '-i', inv(), f], dir);
    expect(r.err).to.equal('');
    expect(r.code).to.equal(0);
  });

  it("sets every variable of -e $'a=1\\nb=2' (a newline separates like a space), and locates errors on line 2", async () => {
    const f = pb('    - debug: {msg: "{{a}}-{{b}}"}\n');
    const r = await runCli(['run', '-i', inv(), f, '-e', 'a=1\nb=2'], dir);
    expect(r.out + r.err).to.include('ok: [node1] => 1-2');
    expect(r.code).to.equal(0);
    const bad = await runCli(['validate', '-i', inv(), f, '-e', 'a=1\n3b=2'], dir);
    expect(bad.code).to.equal(1);
    expect(bad.err).to.include('-e #1:2:1: error[E_EXTRA_VARS]: `3b`');
  });

  it('reports an unclosed `[` or `{` where it opens, not on the line after the end of the file', async () => {
    const a = await runCli(['validate', '-i', inv(), write('u1.yml', '- hosts: all\n  tasks: [\n    {debug: {msg: 1}}\n')], dir);
    expect(a.code).to.equal(1);
    expect(a.err).to.match(/u1\.yml:2:10: error\[E_YAML_SYNTAX\]: YAML syntax error: a `\[` opened here is never closed/);
    const b = await runCli(['validate', '-i', inv(), write('u2.yml', '- hosts: all\n  vars: {a: [1, 2]\n  tasks: []\n')], dir);
    expect(b.code).to.equal(1);
    expect(b.err).to.match(/u2\.yml:2:9: error\[E_YAML_SYNTAX\]: YAML syntax error: a `\{` opened here is never closed/);
  });

  it('names a duplicate key and points at its second occurrence, also after an empty value', async () => {
    const r = await runCli(['inventory', '-i', write('dup.yml', 'all:\n  hosts:\n    node1:\n    node1:\n'), '--list'], dir);
    expect(r.code).to.equal(1);
    expect(r.err).to.include('dup.yml:4:5: error[E_YAML_SYNTAX]: YAML syntax error: duplicate key `node1`');
    const c = await runCli(['inventory', '-i', write('dup2.yml', 'all:\n  vars:\n    a:\n    # again\n    a: 1\n'), '--list'], dir);
    expect(c.err).to.include('dup2.yml:5:5: error[E_YAML_SYNTAX]: YAML syntax error: duplicate key `a`');
  });

  it('refuses host names with `;`, NUL, spaces or `/` (INI and YAML), each located', async () => {
    const ini = await runCli(['inventory', '-i', write('names.ini', '[etcd]\n"a;b"\n"a b"\n../../x\n'), '--list'], dir);
    expect(ini.code).to.equal(1);
    expect(ini.err).to.match(/names\.ini:2:1: .*host `a;b`: not a valid host name: it contains `;`/);
    expect(ini.err).to.match(/names\.ini:3:1: .*host `a b`: not a valid host name: it contains ` `/);
    expect(ini.err).to.match(/names\.ini:4:1: .*host `\.\.\/\.\.\/x`: not a valid host name: it contains `\/`/);
    const yml = await runCli(['inventory', '-i', write('names.yml', 'all:\n  hosts:\n    "a\\0b":\n    "../../../../tmp/x":\n'), '--list'], dir);
    expect(yml.code).to.equal(1);
    expect(yml.err).to.match(/names\.yml:3:5: .*not a valid host name: it contains `\\u0000`/);
    expect(yml.err).to.match(/names\.yml:4:5: .*host `\.\.\/\.\.\/\.\.\/\.\.\/tmp\/x`: not a valid host name/);
  });

  it('fetch never writes outside dest, whatever the host name', () => {
    expect(() => fetchTarget(dir, '../../../../tmp/x', '/etc/hosts', 'backups', false)).to.throw(/host name '..\/..\/..\/..\/tmp\/x' cannot be used as a folder/);
    expect(() => fetchTarget(dir, '..', '/etc/hosts', 'backups', false)).to.throw(/cannot be used as a folder/);
    expect(fetchTarget(dir, 'node1', '/etc/../../hosts', 'backups', false)).to.equal(join(dir, 'backups', 'node1', 'hosts'));
  });

  it('bounds host ranges: node[1:1000000] is refused at once, node[1:3] still expands', async () => {
    const t0 = Date.now();
    const r = await runCli(['inventory', '-i', write('range.ini', '[etcd]\nnode[1:1000000]\nweb[a:z][0:999]\n'), '--list'], dir);
    expect(Date.now() - t0).to.be.below(1000);
    expect(r.code).to.equal(1);
    expect(r.err).to.include('range.ini:2:1: error[E_INI_SYNTAX]: host `node[1:1000000]`: range [1:1000000] makes more than 10000 hosts');
    expect(r.err).to.include('range.ini:3:1: error[E_INI_SYNTAX]: host `web[a:z][0:999]`: range [0:999] makes more than 10000 hosts');
    const ok = await runCli(['inventory', '-i', write('range-ok.ini', '[etcd]\nnode[1:3]\n'), '--list'], dir);
    expect(ok.code).to.equal(0);
    expect(JSON.parse(ok.out).etcd.hosts).to.deep.equal(['node1', 'node2', 'node3']);
  });

  it('refuses INI ansible_port=ssh on a host line and in a :vars section', async () => {
    const r = await runCli(['inventory', '-i', write('port.ini', '[etcd]\nnode1 ansible_port=ssh\n[etcd:vars]\nansible_port=0\n'), '--list'], dir);
    expect(r.code).to.equal(1);
    expect(r.err).to.include("port.ini:2:7: error[E_INI_SYNTAX]: host `node1`: ansible_port must be a TCP port number (1-65535), got 'ssh'");
    expect(r.err).to.include("port.ini:4:1: error[E_INI_SYNTAX]: `[etcd:vars]`: ansible_port must be a TCP port number (1-65535), got '0'");
    const ok = await runCli(['inventory', '-i', write('port-ok.ini', '[etcd]\nnode1 ansible_port=2222\nnode2:2200\n'), '--list'], dir);
    expect(ok.code).to.equal(0);
  });

  it("makes a printed {{lookup this 'missing'}} an undefined-variable error (a lookup inside #if stays lenient)", async () => {
    // The pre-flight renders it before any task: exit 1, nothing run.
    const r = await runCli(['run', '-i', inv(), pb("    - debug: {msg: \"{{lookup this 'missing'}}\"}\n")], dir);
    expect(r.code).to.equal(1);
    expect(r.out + r.err).to.match(/undefined variable `lookup … 'missing'`.*pb\.yml:3/);
    const ok = await runCli(['run', '-i', inv(), pb("    - debug: {msg: \"x{{#if (lookup this 'missing')}}y{{/if}}{{lookup inventory_hostname_short 0}}\"}\n")], dir);
    expect(ok.out).to.include('ok: [node1] => xn');
  });

  it('refuses {{* decorator}} and {{> partial}} at validate, located, instead of "internal error: Missing decorator"', async () => {
    for (const [tpl, what] of [['{{* decorator}}', 'decorators'], ['{{> part}}', 'partials']]) {
      const r = await runCli(['validate', '-i', inv(), pb(`    - debug:\n        msg: "a {{x}} ${tpl}"\n`)], dir);
      expect(r.code, tpl).to.equal(1);
      expect(r.err).to.match(new RegExp(`pb\\.yml:4:\\d+: error\\[E_TEMPLATE_SYNTAX\\]: ${what} \\(.*\\) are not supported in templates`));
      expect(r.err).to.not.include('internal error');
    }
  });

  it('cuts a 1 MB source line (and a 1 MB quoted value) in error output', async () => {
    const big = 'A'.repeat(1_000_000);
    for (const body of [`    - debug: msg=${big}\n`, `    - debug: {msg: hi}\n      when: "${'a and '.repeat(100_000)} == == 1"\n`]) {
      const r = await runCli(['validate', '-i', inv(), pb(body)], dir);
      expect(r.code).to.equal(1);
      expect(r.err).to.match(/pb\.yml:\d+:\d+: error\[/);
      expect(r.err.length).to.be.below(2000);
      expect(r.err).to.include('…');
    }
  });

  it('validates in linear time: no quadratic error concatenation in the generated validators', async function () {
    this.timeout(60000);
    const code = readFileSync(new URL('../../engine/generated/validators.js', import.meta.url), 'utf8');
    expect(code).to.not.match(/vErrors\.concat\(/);
    const tasks = (n: number) => pb(Array.from({ length: n }, (_, i) => `    - name: t${i}\n      debug: {msg: hi}\n`).join(''));
    const time = async (n: number) => {
      const f = tasks(n);
      const t0 = process.hrtime.bigint();
      const r = await runCli(['validate', '-i', inv(), f], dir);
      expect(r.code).to.equal(0);
      return Number(process.hrtime.bigint() - t0) / 1e6;
    };
    await time(500); // warm up
    const small = await time(2000);
    const large = await time(16000);
    // Linear: ~8x; the quadratic version was ~30x here (5k tasks 0.54 s, 40k 13 s).
    expect(large / small).to.be.below(16);
  });
});
