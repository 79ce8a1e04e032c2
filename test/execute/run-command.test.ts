// `ringmaster run` through the CLI front door: flag errors, and a real run on the implicit localhost.
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../engine/cli.js';
import { captureIO } from '../helpers/cli-io.js';

const io = (cwd: string) => captureIO(cwd);

describe('ringmaster run', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'rm-run-'));
    writeFileSync(join(dir, 'site.yml'), `- name: local play\n  hosts: localhost\n  tasks:\n    - name: write\n      copy:\n        dest: "{{ out }}"\n        content: "hello {{ who }}\\n"\n`);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses an unknown flag and suggests the nearest one (exit 1)', async () => {
    const t = io(dir);
    expect(await main(['run', 'site.yml', '--chek'], t.io)).to.equal(1);
    expect(t.err()).to.contain('E_USAGE').and.to.contain("did you mean '--check'");
  });

  it('needs a playbook, a known --output and a terminal for --step', async () => {
    for (const argv of [['run'], ['run', 'site.yml', '--output', 'jsno'], ['run', 'site.yml', '--step'], ['run', 'site.yml', '-f', '0']]) {
      const t = io(dir);
      expect(await main(argv, t.io), argv.join(' ')).to.equal(1);
      expect(t.err()).to.contain('E_USAGE');
    }
  });

  it('runs a playbook on the implicit localhost with extra vars and prints a JSON event stream', async function () {
    const t = io(dir);
    const out = join(dir, 'out.txt');
    const code = await main(['run', 'site.yml', '-e', `out=${out}`, '-e', 'who=ring', '--output', 'json'], t.io);
    expect(code, t.err()).to.equal(0);
    expect(readFileSync(out, 'utf8')).to.equal('hello ring\n');
    const events = t.out().trim().split('\n').map((l) => JSON.parse(l));
    expect(events.map((e) => e.type)).to.include.members(['run_start', 'play_start', 'task_start', 'host_result', 'recap']);
  });
});
