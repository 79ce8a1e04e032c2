// e2e: SIGTERM to the operator's `ringmaster run` on a lab inventory (the outer process, which re-runs itself in the
// lab's client namespace): exit 8 within seconds, no host blamed, no inner run and no remote command left behind.
// And `lab heal` after a playbook repaired the node: the stale pre-fault data is not put back over the new member.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { childrenOf, isAlive, procRef, sleep } from '../../engine/lab/proc.js';
import { packageRoot } from '../../engine/paths.js';
import type { Recap, RunEvent } from '../../engine/report/events.js';
import {
  explain, labAvailable, labFail, labHeal, labName, labStop, members, runPlaybook, settledLab, settledProblems, sh,
  verifyKeys, writeKeys, type Lab,
} from './harness.js';

const NAME = labName('int');
const FIXTURE = join(packageRoot(), 'test', 'fixtures', 'e2e', 'interrupt-sleep.yml');
/** PIDs of `sleep 60` processes on a node (its own PID namespace: only the node's processes are listed). */
/** Running (not a zombie: an orphan ended by itself waits a moment for its new parent to reap it). */
function running(ref: ReturnType<typeof procRef>): boolean {
  if (!isAlive(ref)) return false;
  try {
    const stat = readFileSync(`/proc/${ref!.pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}
const SLEEPS = `for d in /proc/[0-9]*; do [ "$(tr '\\0' ' ' < $d/cmdline 2>/dev/null)" = 'sleep 60 ' ] && echo \${d#/proc/}; done; true`;

describe('interrupts and heal on the lab @lab @e2e', function () {
  this.timeout(120_000);
  let lab: Lab | undefined;

  before(async function () {
    this.timeout(90_000);
    if (!labAvailable()) this.skip();
    lab = await settledLab(NAME);
  });

  after(async function () {
    this.timeout(30_000);
    await labStop(lab, NAME);
  });

  /** Starts the fixture run from the root namespace and resolves once its `sleep 60` runs on node2. */
  async function startRun() {
    await sh(lab!, 'node2', 'rm -f /tmp/e2e-interrupt-mark /tmp/e2e-interrupt-after');
    const outer = spawn(process.execPath, [join(packageRoot(), 'bin', 'ringmaster.js'), 'run', FIXTURE, '-i', lab!.inventory, '--output', 'json'], { cwd: packageRoot(), stdio: ['ignore', 'pipe', 'pipe'] });
    const io = { stdout: '', stderr: '' };
    outer.stdout.on('data', (d: Buffer) => (io.stdout += d.toString()));
    outer.stderr.on('data', (d: Buffer) => (io.stderr += d.toString()));
    // 'close': the inner run shares these pipes, so they close when both processes are gone
    const closed = new Promise<number | null>((r) => outer.on('close', (code) => r(code)));
    const until = Date.now() + 60_000;
    while (!io.stdout.includes('"task":"Sleep long"') || (await sh(lab!, 'node2', SLEEPS)).trim() === '') {
      if (Date.now() > until || outer.exitCode !== null) throw new Error(`the run never reached its sleep:\n${io.stdout}\n${io.stderr}`);
      await sleep(100);
    }
    const inner = procRef(childrenOf(outer.pid!)[0]);
    expect(inner, 'the inner run (nsenter execs it) is the outer process’s child').to.not.equal(undefined);
    const events = () => io.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as RunEvent);
    return { outer, io, closed, inner, events };
  }

  async function cleanUp(outer: ReturnType<typeof spawn>, inner: ReturnType<typeof procRef>): Promise<void> {
    if (outer.exitCode === null && outer.signalCode === null) outer.kill('SIGKILL');
    if (inner && running(inner)) process.kill(inner.pid, 'SIGKILL');
    for (const pid of (await sh(lab!, 'node2', SLEEPS).catch(() => '')).split('\n').filter(Boolean)) await sh(lab!, 'node2', `kill -KILL ${pid}`).catch(() => undefined);
  }

  it('SIGTERM to the outer run: exit 8 within seconds, no host failed or unreachable, inner run and remote sleep gone', async () => {
    const { outer, io, closed, inner, events: all } = await startRun();
    try {
      const t0 = Date.now();
      outer.kill('SIGTERM');
      const code = await closed;
      const took = Date.now() - t0;
      const events = all();
      const recap = events.find((e): e is Recap => e.type === 'recap');
      expect(code, `${io.stdout}\n${io.stderr}`).to.equal(8);
      expect(took).to.be.below(5000);
      expect(recap?.exitCode).to.equal(8);
      expect(events.filter((e) => e.type === 'host_result' && (e.status === 'failed' || e.status === 'unreachable'))).to.deep.equal([]);
      expect(Object.values(recap!.hosts).every((h) => h.failed === 0 && h.unreachable === 0)).to.equal(true);
      expect(recap!.interrupted).to.deep.equal({ reason: 'SIGTERM', task: 'Sleep long', hosts: ['node2'] });
      expect(recap!.changes).to.deep.equal([{ task: 'Leave a mark', hosts: ['node2'] }]);
      expect(running(inner), 'the inner ringmaster has ended').to.equal(false);
      expect((await sh(lab!, 'node2', SLEEPS)).trim(), 'no `sleep 60` is left on node2').to.equal('');
      expect((await sh(lab!, 'node2', 'ls /tmp/e2e-interrupt-after 2>/dev/null; true')).trim()).to.equal('');
    } finally {
      await cleanUp(outer, inner);
    }
  });

  it('SIGKILL to the outer run: the inner run notices, ends the remote sleep and stops as interrupted', async () => {
    const { outer, io, closed, inner, events } = await startRun();
    try {
      outer.kill('SIGKILL');
      await closed;
      expect(running(inner), 'the inner ringmaster has ended').to.equal(false);
      const recap = events().find((e): e is Recap => e.type === 'recap');
      expect(recap?.exitCode, io.stderr).to.equal(8);
      expect(recap!.interrupted?.reason).to.match(/^the end of the ringmaster process that started this run \(PID \d+\)$/);
      expect(Object.values(recap!.hosts).every((h) => h.failed === 0 && h.unreachable === 0)).to.equal(true);
      expect((await sh(lab!, 'node2', SLEEPS)).trim(), 'no `sleep 60` is left on node2').to.equal('');
    } finally {
      await cleanUp(outer, inner);
    }
  });

  it('lab heal after replace-member rebuilt a wiped node does not put the pre-fault data back: the new member stays healthy', async () => {
    await writeKeys(lab!, 500, 'h');
    const before = (await members(lab!)).find((m) => m.name === 'node3')!;
    await labFail(lab!.state, 'node3', 'wipe');
    const repaired = await runPlaybook(lab!, 'replace-member.yml', { target: 'node3', force: 'true', snapshot_dir: `/tmp/ringmaster-e2e-${NAME}` });
    expect(repaired.exitCode, explain(repaired)).to.equal(0);
    const after = (await members(lab!)).find((m) => m.name === 'node3')!;
    expect(after.id, 'the replacement is a new member').to.not.equal(before.id);
    await writeKeys(lab!, 500, 'i'); // written after the repair: the pre-fault data does not have them
    const r = await labHeal(lab!.state, 'node3', 30_000);
    expect(r.healed).to.deep.equal([]);
    expect(r.notRestored.map((n) => n.mode)).to.deep.equal(['wipe']);
    expect(r.notRestored[0].why).to.match(new RegExp(`is now ${after.id}, not ${before.id} as when the fault was injected: it was replaced since`));
    expect(r.notRestored[0].why).to.contain('the pre-fault copy stays in /var/lib/ringmaster-lab-fault/etcd on node3');
    expect(lab!.state.faults.node3).to.equal(undefined);
    // stays healthy (a restored pre-fault dir crash-loops within a second or two: "tocommit(N) is out of range")
    await sleep(3000);
    expect(await settledProblems(lab!)).to.deep.equal([]);
    expect((await members(lab!)).find((m) => m.name === 'node3')!.id).to.equal(after.id);
    expect(await verifyKeys(lab!, 500, 'i', [], 'node3')).to.deep.equal([]);
  });
});
