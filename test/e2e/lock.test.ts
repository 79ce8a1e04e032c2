// e2e: the cluster lock on the lab: two replace-member runs started together (one refuses naming the other, quorum
// never lost, sampled every 100 ms), the lock gone after success and failure, a stale lock, and recover-quorum's files.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { etcdctl } from '../../engine/lab/etcd-query.js';
import { clientNsenter } from '../../engine/lab/hosts.js';
import { packageRoot } from '../../engine/paths.js';
import type { HostResult, Warning } from '../../engine/report/events.js';
import {
  endpointsOf, explain, labAvailable, labName, labStop, runPlaybook, settledLab, settledProblems, sh, verifyKeys, writeKeys,
  type CliRun, type Lab,
} from './harness.js';

const NAME = labName('lk');
const SNAPS = `/tmp/ringmaster-e2e-${NAME}`;
const KEY = '/ringmaster/lock';
const SAMPLES = '/tmp/e2e-lock-samples';
const STOP = '/tmp/e2e-lock-stop';

/** The lock task's result of a run (the task every changing playbook starts with). */
function lockResult(r: CliRun): HostResult | undefined {
  return r.results.find((x) => x.task.startsWith("Take the cluster's lock") || x.task.startsWith('Take the lock on every member'));
}

describe('the cluster lock on the lab @lab @e2e', function () {
  this.timeout(240_000);
  let lab: Lab | undefined;

  before(async function () {
    this.timeout(60_000);
    if (!labAvailable()) this.skip();
    lab = await settledLab(NAME);
    await writeKeys(lab, 1000, 'a');
  });

  after(async function () {
    this.timeout(30_000);
    await labStop(lab, NAME);
  });

  const e = () => etcdctl(lab!.spec, endpointsOf(lab!));
  /** The lock key as etcdctl prints it (key and value lines), '' when there is none. */
  const lockKey = async () => (await sh(lab!, 'node1', `${e()} get ${KEY}`)).trim();

  /**
   * Starts a sampler on node1: every 100 ms (each probe in the background, so a slow one does not stretch the
   * cadence) `endpoint health` of all members, logging how many answered healthy. Learners and stopped members
   * answer unhealthy, so the count is the healthy voters.
   */
  async function startSampler(): Promise<void> {
    const probe = `n=$(${e()} endpoint health -w json 2>/dev/null | grep -o '"health":true' | wc -l); echo "$(date +%s%N) $n" >> ${SAMPLES}`;
    await sh(lab!, 'node1', `rm -f ${SAMPLES} ${STOP}; setsid sh -c 'while [ ! -e ${STOP} ]; do (${probe.replace(/'/g, `'\\''`)}) & sleep 0.1; done' </dev/null >/dev/null 2>&1 &`);
    // The runs start only once the sampler has seen all three members healthy, so every dip is theirs.
    const healthy = `[ "$(grep -c ' 3$' ${SAMPLES} 2>/dev/null)" -ge 3 ]`;
    await sh(lab!, 'node1', `for i in $(seq 1 100); do ${healthy} && exit 0; sleep 0.1; done; echo "the sampler saw fewer than 3 samples with 3 healthy members in 10 s:" >&2; cat ${SAMPLES} >&2; exit 1`);
  }

  /** Samples as [seconds since the first, healthy voters], in the order they were taken. */
  async function stopSampler(): Promise<Array<[number, number]>> {
    const out = await sh(lab!, 'node1', `touch ${STOP}; sleep 3; cat ${SAMPLES}`);
    const rows = out.trim().split('\n').filter(Boolean).map((l) => l.split(' ').map(Number) as [number, number]).sort((x, y) => x[0] - y[0]);
    return rows.map(([ns, n]) => [(ns - rows[0][0]) / 1e9, n]);
  }

  /** Where quorum dipped, as `from..to` stretches (s), beside each run's task timeline, for a readable failure. */
  function dips(samples: Array<[number, number]>, runs: CliRun[]): string {
    const spans: Array<[number, number]> = [];
    for (const [t] of samples.filter(([, n]) => n < 2)) {
      const last = spans.at(-1);
      if (last && t - last[1] < 0.5) last[1] = t;
      else spans.push([t, t]);
    }
    const tasks = runs.map((r, i) => `run ${i + 1}:\n${r.results.map((x) => `  ${x.status} ${x.host} ${x.durationMs} ms '${x.task}'`).join('\n')}`);
    return `low samples at ${spans.map(([from, to]) => `${from.toFixed(1)}..${to.toFixed(1)}`).join(', ')} s (of ${samples.length})\n${tasks.join('\n')}`;
  }

  it('lets exactly one of two replace-member runs for different targets started together go on; the other refuses naming it; quorum is never lost', async () => {
    await startSampler();
    const t0 = Date.now();
    const [a, b] = await Promise.all([
      runPlaybook(lab!, 'replace-member.yml', { target: 'node2', force: 'true', snapshot_dir: SNAPS }),
      runPlaybook(lab!, 'replace-member.yml', { target: 'node3', force: 'true', snapshot_dir: SNAPS }),
    ]);
    const seconds = (Date.now() - t0) / 1000;
    const samples = await stopSampler();
    const codes = [a.exitCode, b.exitCode].sort();
    expect(codes, `${explain(a)}\n---\n${explain(b)}`).to.deep.equal([0, 8]);
    const [won, lost] = a.exitCode === 0 ? [a, b] : [b, a];
    const holder = (lockResult(won)?.result as { holder?: { run_id: string; user: string; host: string } } | undefined)?.holder;
    expect(holder?.run_id, explain(won)).to.be.a('string');
    expect(lost.recap?.aborted, explain(lost)).to.match(new RegExp(`${KEY} is locked by run ${holder!.run_id} of ${holder!.user}@${holder!.host} \\(playbook replace-member\\.yml, since `));
    expect(lost.recap?.aborted).to.contain('--break-lock');
    // The refused run changed nothing: its lock task was its first step that touches the cluster.
    expect(lost.results.filter((x) => x.status === 'changed'), explain(lost)).to.deep.equal([]);
    // Quorum (2 of 3) answered in every sample; enough samples that the sampler really ran the whole time.
    expect(samples.length, `samples over ${seconds}s`).to.be.above(seconds * 5);
    expect(samples.filter(([, n]) => n < 2).map(([, n]) => n), `samples with fewer than 2 healthy voters: ${dips(samples, [a, b])}`).to.deep.equal([]);
    expect(await settledProblems(lab!)).to.deep.equal([]);
    for (const node of lab!.nodes) expect(await verifyKeys(lab!, 1000, 'a', [], node), node).to.deep.equal([]);
    expect(await lockKey()).to.equal('');
  });

  it('holds the lock on a lease while a run lasts, and the key is gone after a success and after a failure', async () => {
    const running = runPlaybook(lab!, 'replace-member.yml', { target: 'node3', force: 'true', snapshot_dir: SNAPS });
    let seen = '';
    for (let i = 0; i < 100 && !seen; i++) {
      seen = (await sh(lab!, 'node1', `${e()} get ${KEY} -w json`)).includes('"kvs"') ? await sh(lab!, 'node1', `${e()} get ${KEY} -w fields`) : '';
      if (!seen) await new Promise((r) => setTimeout(r, 200));
    }
    const ok = await running;
    expect(ok.exitCode, explain(ok)).to.equal(0);
    expect(seen, 'the lock key while the run lasted').to.match(/"Lease" : [1-9]\d*/);
    expect(seen).to.contain('replace-member.yml');
    expect(await lockKey()).to.equal('');
    const failed = await runPlaybook(lab!, 'repair-key.yml', { key: '/e2e/no-such-key', backup_dir: SNAPS });
    expect(failed.exitCode, explain(failed)).to.equal(2);
    expect(lockResult(failed)?.status, explain(failed)).to.equal('ok');
    expect(await lockKey()).to.equal('');
    expect(await settledProblems(lab!)).to.deep.equal([]);
  });

  it('releases the lock at once when the run is interrupted (SIGTERM), not only after its lease expires', async () => {
    // Run inside the lab's client namespace directly (nsenter execs ringmaster), so the signal reaches the run itself.
    const root = packageRoot();
    const argv = ['run', join(root, 'playbooks', 'replace-member.yml'), '-i', lab!.inventory, '-e', 'target=node3', '-e', 'force=true', '-e', `snapshot_dir=${SNAPS}`, '--output', 'json'];
    const child = spawn('nsenter', [...clientNsenter(lab!.state, root), process.execPath, join(root, 'bin', 'ringmaster.js'), ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? 255)));
    let held = '';
    for (let i = 0; i < 100 && !held; i++) {
      held = await lockKey();
      if (!held) await new Promise((r) => setTimeout(r, 100));
    }
    expect(held, out).to.contain('replace-member.yml');
    child.kill('SIGTERM');
    const code = await exited;
    expect(code & 8, out).to.equal(8);
    expect(await lockKey(), `right after the interrupted run (the lease alone would keep it 30 s); the run printed:\n${out.slice(-3000)}`).to.equal('');
    // Whatever the interrupted replacement left, a re-run completes it.
    const fix = await runPlaybook(lab!, 'replace-member.yml', { target: 'node3', force: 'true', snapshot_dir: SNAPS });
    expect(fix.exitCode, explain(fix)).to.equal(0);
    expect(await settledProblems(lab!)).to.deep.equal([]);
    expect(await verifyKeys(lab!, 1000, 'a')).to.deep.equal([]);
  });

  it('refuses a stale lock put by hand (no lease), and --break-lock breaks it with a warning naming its holder', async () => {
    const stale = JSON.stringify({ run_id: 'dead-run-e2e', user: 'bob', host: 'gone-ctl', playbook: '/x/snapshot-restore.yml', started: '2026-01-01T00:00:00.000Z', pid: 1 });
    await sh(lab!, 'node1', `${e()} put ${KEY} '${stale}'`);
    const refused = await runPlaybook(lab!, 'replace-member.yml', { target: 'node3', snapshot_dir: SNAPS });
    expect(refused.exitCode, explain(refused)).to.equal(8);
    expect(refused.recap?.aborted).to.match(/locked by run dead-run-e2e of bob@gone-ctl \(playbook snapshot-restore\.yml, since 2026-01-01T00:00:00\.000Z, pid 1\) \(a key without a lease: it never expires by itself\); wait for it, or --break-lock/);
    expect(await lockKey()).to.contain('dead-run-e2e'); // a refused run leaves the other's lock alone
    const broken = await runPlaybook(lab!, 'replace-member.yml', { target: 'node3', snapshot_dir: SNAPS }, ['--break-lock']);
    expect(broken.exitCode, explain(broken)).to.equal(0);
    const warnings = broken.events.filter((x): x is Warning => x.type === 'warning').map((w) => w.msg);
    expect(warnings.some((w) => /^--break-lock: broke the lock \/ringmaster\/lock of run dead-run-e2e of bob@gone-ctl/.test(w)), warnings.join('\n')).to.equal(true);
    expect(await lockKey()).to.equal('');
  });

  it('takes lock files on every member for recover-quorum, refuses on another run\'s file, and removes only its own', async () => {
    const file = '/var/lib/etcd.ringmaster-lock';
    const other = JSON.stringify({ run_id: 'other-run-e2e', user: 'carol', host: 'ctl9', playbook: '/x/recover-quorum.yml', started: '2026-01-01T00:00:00.000Z', pid: 1, backend: 'files', ttl_s: 30 });
    // Written 5 minutes ago and never renewed: its run is dead, but only --break-lock may break it.
    await sh(lab!, 'node2', `printf '%s\\n' '${other}' > ${file} && touch -d @$(( $(date +%s) - 300 )) ${file}`);
    const r = await runPlaybook(lab!, 'recover-quorum.yml');
    expect(r.exitCode, explain(r)).to.equal(8);
    expect(r.recap?.aborted, explain(r)).to.match(/node2: \/var\/lib\/etcd\.ringmaster-lock is locked by run other-run-e2e of carol@ctl9 .*\(stale: not renewed for \d+s/);
    expect((await sh(lab!, 'node2', `cat ${file}`)).trim()).to.equal(other);
    for (const n of ['node1', 'node3']) expect(await sh(lab!, n, `ls ${file} 2>/dev/null; true`), n).to.equal('');
    await sh(lab!, 'node2', `rm -f ${file}`);
    expect(await settledProblems(lab!)).to.deep.equal([]);
  });
});
