// e2e: recover-quorum.yml on the lab: two of three members stopped, recovered from the survivor with every key.
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toHexId } from '../../engine/etcd/json.js';
import { etcdctl } from '../../engine/lab/etcd-query.js';
import { changedCount, clusterFingerprint, explain, labAvailable, labFail, labHeal, labName, labStart, labStop, markManifestsExisting, members, resultsOf, runPlaybook, settledProblems, sh, timing, verifyKeys, writeKeys, type Lab } from './harness.js';

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

  it('recovers from the survivor after a majority is lost: every key, 3 healthy voters, existing manifests', async () => {
    await labFail(lab!.state, 'node2', 'stop');
    await labFail(lab!.state, 'node3', 'stop');
    const r = await runPlaybook(lab!, 'recover-quorum.yml', { backup_dir: dir });
    expect(r.exitCode, explain(r)).to.equal(0);
    console.log(`      recover timing: ${JSON.stringify(timing(r))}`);
    expect(r.stdout).to.match(/survivor: node1 \(node1\), raft index \d+, the highest/);
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
