// e2e: recover-quorum.yml on the lab: two of three members stopped, recovered from the survivor with every key.
import { expect } from 'chai';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toHexId } from '../../engine/etcd/json.js';
import { etcdctl } from '../../engine/lab/etcd-query.js';
import { specOf } from '../../engine/lab/state.js';
import { changedCount, clusterFingerprint, explain, labAvailable, labFail, labHeal, labName, labStart, labStop, markManifestsExisting, members, nodeFingerprint, resultsOf, runPlaybook, settledProblems, sh, timing, verifyKeys, writeKeys, type Lab } from './harness.js';

const NAME = labName('rq');

let lab: Lab | undefined;
let dir = '';

describe('recover-quorum.yml on the lab @lab @e2e', function () {
  this.timeout(240_000);
  before(async function () {
    if (!labAvailable()) this.skip();
    lab = await labStart(NAME);
    await markManifestsExisting(lab);
    dir = mkdtempSync(join(tmpdir(), 'ring-e2e-rq-'));
    await writeKeys(lab, 1000, 'a');
  });
  after(async () => {
    await labStop(lab, NAME);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses (exit 8) and changes nothing on a healthy cluster, also in check mode', async () => {
    const before = await clusterFingerprint(lab!);
    for (const extra of [[], ['--check']]) {
      const r = await runPlaybook(lab!, 'recover-quorum.yml', { backup_dir: dir }, extra);
      expect(r.exitCode, explain(r)).to.equal(8);
      expect(changedCount(r)).to.equal(0);
    }
    expect(await clusterFingerprint(lab!)).to.equal(before);
  });

  it('plans a real quorum loss in --check (survivor, fenced members, forced restart) quickly, and changes nothing', async () => {
    const before = await clusterFingerprint(lab!);
    await labFail(lab!.state, 'node2', 'stop');
    await labFail(lab!.state, 'node3', 'stop');
    try {
      // Without quorum the member list cannot be read: compare what each node holds instead.
      const offline = await nodeFingerprint(lab!);
      const r = await runPlaybook(lab!, 'recover-quorum.yml', { backup_dir: dir }, ['--check']);
      expect(r.exitCode, explain(r)).to.equal(0);
      expect(r.wallMs, explain(r)).to.be.lessThan(30_000);
      expect(r.stdout).to.match(/survivor: node1 \(node1\), raft index \d+, the highest/);
      const plan = resultsOf(r, 'Show the plan (check mode changes nothing)')[0]?.msg ?? '';
      expect(plan, explain(r)).to.match(/^plan: snapshot node1; fence node2, node3 \(etcd stopped, data dir moved to \/var\/lib\/etcd\.fenced-\d{8}T\d{9}Z-[0-9a-f]{12}\); restart node1 once with --force-new-cluster/);
      expect(plan).to.contain('re-add node2, node3 one at a time');
      expect(resultsOf(r, 'Wait for every member to be a healthy voter, with no drift from the inventory').map((x) => x.status)).to.deep.equal(['skipped']);
      expect(await nodeFingerprint(lab!)).to.equal(offline);
      expect(readdirSync(dir)).to.deep.equal([]);
    } finally {
      for (const node of ['node2', 'node3']) await labHeal(lab!.state, node, 60_000);
    }
    expect(await clusterFingerprint(lab!)).to.equal(before);
    expect(await verifyKeys(lab!, 1000, 'a')).to.deep.equal([]);
  });

  it('recovers from the survivor after a majority is lost: every key, 3 healthy voters, existing manifests', async () => {
    await labFail(lab!.state, 'node2', 'stop');
    await labFail(lab!.state, 'node3', 'stop');
    const r = await runPlaybook(lab!, 'recover-quorum.yml', { backup_dir: dir });
    expect(r.exitCode, explain(r)).to.equal(0);
    console.log(`      recover timing: ${JSON.stringify(timing(r))}`);
    expect(r.stdout).to.match(/survivor: node1 \(node1\), raft index \d+, the highest/);
    // The lab's etcd (3.6.16 by default) has the learner fix: the survivor's version was read and let through, and
    // the member list was checked after the forced start (only node1) and at the end (three voters, no learner).
    const guard = resultsOf(r, 'Refuse to force a new cluster on an etcd with the known learner bug (-e accept_known_bug=true proceeds)').filter((x) => x.status !== 'skipped');
    expect(guard.map((x) => [x.host, x.status]), explain(r)).to.deep.equal([['node1', 'ok']]);
    expect(guard[0].msg).to.contain(`node1 runs etcd ${specOf(lab!.state).etcdVersion} (image in /etc/kubernetes/manifests/etcd.yaml)`);
    for (const task of ['Check that the forced start left only the survivor (no learner of the old cluster)', 'Check that every inventory member is a voter and no learner was left behind']) {
      expect(resultsOf(r, task).filter((x) => x.status !== 'skipped').map((x) => x.status), task).to.deep.equal(['ok']);
    }
    expect(await verifyKeys(lab!, 1000, 'a')).to.deep.equal([]);
    expect(await settledProblems(lab!)).to.deep.equal([]);
  });

  it('completes an interrupted recovery on a re-run, without forcing a new cluster again', async () => {
    // The previous test's `stop` faults are still recorded; the recovery already replaced those manifests, so drop
    // the lab's stale copies and let heal only clear the record (and wait until the members are healthy).
    for (const node of ['node2', 'node3']) {
      await sh(lab!, node, 'rm -f /etc/kubernetes/lab-stopped/etcd.yaml');
      await labHeal(lab!.state, node, 60_000);
    }
    // The state a run leaves when it stops right after the forced restart: node1 alone leads a one-member cluster.
    const ids = Object.fromEntries((await members(lab!)).map((m) => [m.name, toHexId(m.id)]));
    const local = etcdctl(lab!.spec);
    await labFail(lab!.state, 'node3', 'stop');
    await sh(lab!, 'node1', `${local} member remove ${ids.node3}`);
    await sh(lab!, 'node1', `${local} member remove ${ids.node2}`);
    await labFail(lab!.state, 'node2', 'stop');
    const r = await runPlaybook(lab!, 'recover-quorum.yml', { backup_dir: dir });
    expect(r.exitCode, explain(r)).to.equal(0);
    expect(r.stdout).to.match(/already runs with quorum on node1 .*nothing is forced again; re-adding node2, node3/);
    const forced = resultsOf(r, 'Start the survivor once as a one-member cluster');
    expect(forced.length, explain(r)).to.be.greaterThan(0);
    expect(forced.filter((x) => x.status !== 'skipped'), explain(r)).to.deep.equal([]);
    expect(await verifyKeys(lab!, 1000, 'a')).to.deep.equal([]);
    expect(await settledProblems(lab!)).to.deep.equal([]);
  });
});
