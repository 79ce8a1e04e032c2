// Tests that the bench's playbooks are what both tools can run: the generated one validates in ringmaster, the Ansible one parses.
import { expect } from 'chai';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { trueTasksPlaybook } from '../../bench/fleet.js';
import { timedRun } from '../../bench/timed-run.js';
import { packageRoot } from '../../engine/paths.js';
import { removeDir, workDir } from '../helpers/sshd.js';

describe('bench playbooks', () => {
  let dir = '';
  before(() => (dir = workDir()));
  after(() => removeDir(dir));

  it('generates N string `command: "true"` tasks on the bench group without fact gathering', () => {
    const [play] = parse(trueTasksPlaybook(3)) as Array<{ hosts: string; gather_facts: boolean; tasks: Array<{ command: unknown }> }>;
    expect(play.hosts).to.equal('bench');
    expect(play.gather_facts).to.equal(false);
    expect(play.tasks.map((t) => t.command)).to.deep.equal(['true', 'true', 'true']);
  });

  it('generates a playbook that ringmaster validate accepts', async () => {
    const pb = join(dir, 'true-3.yml');
    writeFileSync(pb, trueTasksPlaybook(3));
    const r = await timedRun([process.execPath, join(packageRoot(), 'bin', 'ringmaster.js'), 'validate', pb], { timeoutMs: 20_000 });
    expect(r.exitCode, r.stdout + r.stderr).to.equal(0);
    expect(r.stdout).to.include('3 tasks');
  });

  it('ships an Ansible replace-member playbook that only uses command, shell and built-in glue modules', () => {
    const [play] = parse(readFileSync(join(packageRoot(), 'bench', 'ansible', 'replace-member.yml'), 'utf8')) as Array<{ tasks: Array<Record<string, unknown>> }>;
    const keywords = new Set(['name', 'args', 'when', 'register', 'loop', 'until', 'retries', 'delay', 'run_once', 'delegate_to', 'changed_when', 'failed_when']);
    const modules = play.tasks.map((t) => Object.keys(t).filter((k) => !keywords.has(k))).flat();
    expect([...new Set(modules)].sort()).to.deep.equal(['assert', 'command', 'fetch', 'set_fact', 'shell']);
  });
});
