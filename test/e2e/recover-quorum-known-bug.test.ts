// e2e: recover-quorum.yml on etcd 3.4.23 (Debian), which has the --force-new-cluster learner bug (etcd #20893, never
// fixed on 3.4): refused with exit 8 before anything changes; `-e accept_known_bug=true` recovers, warned.
import { expect } from 'chai';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toHexId } from '../../engine/etcd/json.js';
import { etcdctl, parseEtcdJson, waitClusterHealthy } from '../../engine/lab/etcd-query.js';
import { inventoryPath } from '../../engine/lab/inventory.js';
import { labDown } from '../../engine/lab/down.js';
import { labUp } from '../../engine/lab/up.js';
import { readState, specOf } from '../../engine/lab/state.js';
import { clusterFingerprint, explain, labAvailable, labFail, labHeal, labName, labStop, markManifestsExisting, nodeFingerprint, resultsOf, runPlaybook, settledProblems, sh, verifyKeys, writeKeys, type Lab } from './harness.js';

const NAME = labName('rqkb');

/** Waits until the node's static-pod runner has started etcd with `flag` (its log has a `starting …` line per start). */
async function restartedWith(lab: Lab, node: string, flag: string): Promise<void> {
  await sh(lab, node, `for i in $(seq 60); do grep -q -e "starting .*${flag}" /var/log/static-pods/etcd.log && exit 0; sleep 0.5; done; exit 1`, 40_000);
}
let lab: Lab | undefined;
let dir = '';

describe('recover-quorum.yml on etcd 3.4 (the known learner bug) @lab @e2e', function () {
  this.timeout(240_000);
  before(async function () {
    this.timeout(90_000);
    if (!labAvailable()) this.skip();
    await labDown(NAME);
    await labUp({ name: NAME, nodes: 3, tls: true, etcdVersion: '3.4', install: false, keepOnFailure: false, log: () => undefined });
    const state = readState(NAME)!;
    const spec = specOf(state);
    lab = { name: NAME, spec, state, inventory: inventoryPath(spec), nodes: spec.etcdNodes.map((n) => n.name) };
    await markManifestsExisting(lab);
    // The runner restarts each member on its rewritten manifest a little later: a 3.4 member restarted once quorum is
    // gone never serves its client port, so wait for every restart before breaking the cluster.
    await Promise.all(lab.nodes.map((n) => restartedWith(lab!, n, '--initial-cluster-state=existing')));
    await waitClusterHealthy(lab.spec, lab.state, lab.nodes[0], 30_000);
    dir = mkdtempSync(join(tmpdir(), 'ring-e2e-rqkb-'));
    await writeKeys(lab, 200, 'k');
  });
  after(async function () {
    this.timeout(30_000);
    await labStop(lab, NAME);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses the forced recovery (exit 8) naming 3.4.23, the fixed releases and what to do; nothing changed', async () => {
    expect(lab!.spec.etcdVersion).to.equal('3.4.23');
    const before = await clusterFingerprint(lab!);
    await labFail(lab!.state, 'node2', 'stop');
    await labFail(lab!.state, 'node3', 'stop');
    try {
      const offline = await nodeFingerprint(lab!);
      const r = await runPlaybook(lab!, 'recover-quorum.yml', { backup_dir: dir });
      expect(r.exitCode, explain(r)).to.equal(8);
      const refusal = resultsOf(r, 'Refuse to force a new cluster on an etcd with the known learner bug (-e accept_known_bug=true proceeds)').filter((x) => x.status !== 'skipped');
      expect(refusal.map((x) => [x.host, x.status]), explain(r)).to.deep.equal([['node1', 'failed']]);
      expect(refusal[0].msg).to.contain('node1 runs etcd 3.4.23 (image in /etc/kubernetes/manifests/etcd.yaml)');
      expect(refusal[0].msg).to.match(/fixed in 3\.5\.25 and 3\.6\.6; 3\.7 has the fix.*nothing was changed\. Upgrade .*-e accept_known_bug=true/s);
      expect(resultsOf(r, 'Snapshot the survivor before touching anything'), 'the run went past the refusal').to.deep.equal([]);
      expect(readdirSync(dir)).to.deep.equal([]);
      expect(await nodeFingerprint(lab!)).to.equal(offline);
    } finally {
      for (const node of ['node2', 'node3']) await labHeal(lab!.state, node, 60_000);
    }
    expect(await clusterFingerprint(lab!)).to.equal(before);
  });

  it('proceeds with -e accept_known_bug=true, with a warning, and checks that no learner was left behind', async () => {
    await labFail(lab!.state, 'node2', 'stop');
    await labFail(lab!.state, 'node3', 'stop');
    const r = await runPlaybook(lab!, 'recover-quorum.yml', { backup_dir: dir, accept_known_bug: 'true' });
    expect(r.exitCode, explain(r)).to.equal(0);
    const warnings = r.events.filter((e) => e.type === 'warning').map((e) => String((e as { msg?: string }).msg));
    expect(warnings.filter((w) => /node1 runs etcd 3\.4\.23 .*proceeding because accept_known_bug=true/.test(w)), explain(r)).to.have.length(1);
    for (const task of ['Check that the forced start left only the survivor (no learner of the old cluster)', 'Check that every inventory member is a voter and no learner was left behind']) {
      expect(resultsOf(r, task).filter((x) => x.status !== 'skipped').map((x) => x.status), task).to.deep.equal(['ok']);
    }
    expect(await verifyKeys(lab!, 200, 'k')).to.deep.equal([]);
    expect(await settledProblems(lab!)).to.deep.equal([]);
  });

  // Last: it leaves the survivor alone in a forced cluster (the lab is torn down after it).
  it('with the bug accepted, a learner the forced start really left behind fails the run, naming its ID and peer URL', async () => {
    // etcd #20893 as reported: learners recorded in a snapshot survive --force-new-cluster. Make node1 snapshot often,
    // add a learner that never starts (peer URL on the node's own loopback), then write past a snapshot.
    // The previous test's `stop` faults are still recorded and the recovery replaced those manifests: clear the record.
    for (const node of ['node2', 'node3']) {
      await sh(lab!, node, 'rm -f /etc/kubernetes/lab-stopped/etcd.yaml');
      await labHeal(lab!.state, node, 60_000);
    }
    const ctl = etcdctl(lab!.spec);
    await sh(lab!, 'node1', "sed -i 's/--snapshot-count=10000/--snapshot-count=2/' /etc/kubernetes/manifests/etcd.yaml");
    await restartedWith(lab!, 'node1', '--snapshot-count=2');
    await waitClusterHealthy(lab!.spec, lab!.state, 'node1', 60_000);
    const ghost = 'https://127.0.0.1:12380';
    // etcd refuses reconfiguration for a few seconds after node1's restart ("unhealthy cluster"): retry.
    const add = `for i in $(seq 40); do o=$(${ctl} member add ghost --learner --peer-urls=${ghost} -w json 2>/dev/null) && { printf '%s' "$o"; exit 0; }; sleep 0.5; done; exit 1`;
    const added = parseEtcdJson(await sh(lab!, 'node1', add, 40_000)) as { member: { ID: string } };
    const id = toHexId(added.member.ID);
    await sh(lab!, 'node1', `for i in $(seq 10); do ${ctl} put /e2e-bug/$i v >/dev/null || exit 1; done`);
    await labFail(lab!.state, 'node2', 'stop');
    await labFail(lab!.state, 'node3', 'stop');
    const r = await runPlaybook(lab!, 'recover-quorum.yml', { backup_dir: dir, accept_known_bug: 'true' });
    expect(r.exitCode, explain(r)).to.equal(2);
    const check = resultsOf(r, 'Check that the forced start left only the survivor (no learner of the old cluster)').filter((x) => x.status !== 'skipped');
    expect(check.map((x) => [x.host, x.status]), explain(r)).to.deep.equal([['node1', 'failed']]);
    expect(check[0].msg).to.contain(`leftover learner ${id} (peer URL ${ghost})`);
    expect(check[0].msg).to.contain(`etcdctl member remove ${id}`);
    expect(resultsOf(r, 'Register this member on the survivor (as a learner where supported)'), 'the run went on re-adding members').to.deep.equal([]);
  });
});
