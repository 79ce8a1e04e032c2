// e2e: replace-member.yml on the lab: wiped node, --check, the quorum guard, SSH lost mid-run, and a stale member (runbook 004).
import { expect } from 'chai';
import {
  changedCount, clusterFingerprint, editManifest, explain, labAvailable, labFail, labHeal, labName, settledLab, labStop,
  manifestFlags, members, runPlaybook, settledProblems, sh, verifyKeys, writeKeys, endpointsOf, type Lab,
} from './harness.js';
import { etcdctl } from '../../engine/lab/etcd-query.js';
import { versionAtLeast } from '../../engine/lab/manifests.js';

const NAME = labName('rm');
const SNAPS = `/tmp/ringmaster-e2e-${NAME}`;

describe('replace-member.yml on the lab @lab @e2e', function () {
  this.timeout(120_000);
  let lab: Lab | undefined;
  let tag = 'a';

  before(async function () {
    this.timeout(60_000);
    if (!labAvailable()) this.skip();
    lab = await settledLab(NAME);
  });

  after(async function () {
    this.timeout(30_000);
    await labStop(lab, NAME);
  });

  beforeEach(async function () {
    tag = `t${this.currentTest?.title.length ?? 0}`;
    await writeKeys(lab!, 1000, tag);
  });

  const replace = (target: string, extra: Record<string, string> = {}, flags: string[] = []) =>
    runPlaybook(lab!, 'replace-member.yml', { target, snapshot_dir: SNAPS, ...extra }, flags);

  it('replaces a member whose node was reinstalled with the same name and address, keeping the operator\'s flags and edits, and changes nothing on a re-run', async () => {
    // An operator's own flag and edit (kubeadm extraArgs, a patch): the rejoin edits the held manifest, never re-renders it.
    await editManifest(lab!, 'node3', 's/^\\( *\\)- --snapshot-count=10000$/\\1- --snapshot-count=10000\\n\\1- --quota-backend-bytes=4294967296/; s/^\\( *\\)tier: control-plane$/\\1tier: control-plane\\n\\1operator-edit: kept/');
    expect((await manifestFlags(lab!, 'node3'))!['quota-backend-bytes'], 'the edit before the replacement').to.equal('4294967296');
    await labFail(lab!.state, 'node3', 'wipe');
    // A wiped member restarted with `existing` can rejoin by itself within a second or two (the leader of a young
    // cluster still holds the whole raft log), so whether it still looks broken when the playbook reads the live
    // members is a race; force makes the replacement deterministic (the --check case covers detecting a broken one).
    const first = await replace('node3', { force: 'true' });
    expect(first.exitCode, explain(first)).to.equal(0);
    expect(first.stdout).to.match(/safety snapshot: \S+\.db/);
    expect(await settledProblems(lab!)).to.deep.equal([]);
    expect(await verifyKeys(lab!, 1000, tag, [], 'node3')).to.deep.equal([]);
    // The re-added member's manifest is the cluster's version: its image, and from 3.6 feature gates, never
    // --experimental-* (which 3.7 refuses).
    const flags = (await manifestFlags(lab!, 'node3'))!;
    const image = await sh(lab!, 'node3', "sed -n 's/^ *image: *//p' /etc/kubernetes/manifests/etcd.yaml");
    expect(image.trim()).to.equal(`registry.k8s.io/etcd:${lab!.spec.etcdVersion}-0`);
    if (versionAtLeast(lab!.spec.etcdVersion, '3.6.0')) {
      expect(flags['feature-gates'], 'node3 --feature-gates').to.contain('InitialCorruptCheck=true');
      expect(Object.keys(flags).filter((f) => f.startsWith('experimental-')), 'node3 --experimental-* flags').to.deep.equal([]);
    }
    expect(flags['quota-backend-bytes'], 'the operator\'s flag after the replacement').to.equal('4294967296');
    expect(await sh(lab!, 'node3', 'cat /etc/kubernetes/manifests/etcd.yaml')).to.contain('operator-edit: kept');
    expect(await sh(lab!, 'node3', 'ls /etc/kubernetes/ringmaster/etcd.yaml 2>/dev/null; true'), 'no stale held manifest').to.equal('');
    const second = await replace('node3');
    expect(second.exitCode, explain(second)).to.equal(0);
    expect(changedCount(second), explain(second)).to.equal(0);
  });

  it('changes nothing in --check mode, even with a broken member to replace', async () => {
    await labFail(lab!.state, 'node2', 'kill');
    const before = await clusterFingerprint(lab!);
    const r = await replace('node2', {}, ['--check']);
    expect(r.exitCode, explain(r)).to.equal(0);
    expect(r.results.some((x) => x.status === 'changed' && (x.commands ?? []).some((c) => c.includes('member remove'))), explain(r)).to.equal(true);
    expect(await clusterFingerprint(lab!)).to.equal(before);
    await labHeal(lab!.state, 'node2', 30_000);
    expect(await verifyKeys(lab!)).to.have.length.above(0); // the keys of this scenario carry its own tag
    expect(await verifyKeys(lab!, 1000, tag)).to.deep.equal([]);
  });

  it('refuses (exit 8) to remove a second started member while one of three is stopped, and changes nothing', async () => {
    await labFail(lab!.state, 'node1', 'stop');
    const before = await clusterFingerprint(lab!);
    const r = await replace('node2', { force: 'true' });
    expect(r.exitCode, explain(r)).to.equal(8);
    expect(r.recap?.aborted).to.match(/quorum guard: .*refused/);
    expect(await clusterFingerprint(lab!)).to.equal(before);
    await labHeal(lab!.state, 'node1', 30_000);
    expect(await settledProblems(lab!)).to.deep.equal([]);
    expect(await verifyKeys(lab!, 1000, tag)).to.deep.equal([]);
  });

  it('leaves a state a re-run completes when the target\'s SSH is down mid-replacement', async () => {
    await labFail(lab!.state, 'node2', 'ssh-down');
    const broken = await replace('node2', { force: 'true' });
    expect(broken.exitCode & 4, explain(broken)).to.equal(4);
    expect((await members(lab!, 'node1')).map((m) => m.name)).to.not.include('node2');
    await labHeal(lab!.state, 'node2', 30_000);
    const rerun = await replace('node2');
    expect(rerun.exitCode, explain(rerun)).to.equal(0);
    expect(await settledProblems(lab!)).to.deep.equal([]);
    expect(await verifyKeys(lab!, 1000, tag, [], 'node2')).to.deep.equal([]);
  });

  it('removes a stale member left by an earlier replacement before touching the target (runbook 004 quorum trap)', async () => {
    // etcd refuses `member add` for ~5 s after the previous scenario's member joined: retry like an operator would.
    await sh(lab!, 'node1', `for i in $(seq 40); do ${etcdctl(lab!.spec, endpointsOf(lab!))} member add ghost --peer-urls=https://10.20.30.199:2380 && exit 0; sleep 0.5; done; exit 1`, 60_000);
    expect(await members(lab!)).to.have.length(4);
    // Kept (remove_stale=false), the unstarted voter raises the quorum to 3: stopping node1 would leave 2 of 4.
    const before = await clusterFingerprint(lab!);
    const kept = await replace('node1', { force: 'true', remove_stale: 'false' });
    expect(kept.exitCode, explain(kept)).to.equal(8);
    expect(kept.recap?.aborted).to.match(/after stopping node1 \([0-9a-f]{16}, https:\/\/[0-9.]+:2380\): voters 4, healthy voters 2, quorum 3/);
    expect(await clusterFingerprint(lab!)).to.equal(before);
    const r = await replace('node1', { force: 'true' });
    expect(r.exitCode, explain(r)).to.equal(0);
    expect(r.results.filter((x) => x.task.startsWith('Remove stale members') && x.status === 'changed')).to.have.length.above(0);
    expect(await settledProblems(lab!)).to.deep.equal([]);
    expect(await verifyKeys(lab!, 1000, tag, [], 'node1')).to.deep.equal([]);
  });

  it('refuses a target that is not in the etcd group before changing anything', async () => {
    const before = await clusterFingerprint(lab!);
    const r = await replace('bastion');
    expect(r.exitCode).to.equal(2);
    expect(r.stdout).to.contain('target (or targets, comma-separated) must name hosts of the etcd group (node1, node2, node3)');
    expect(await clusterFingerprint(lab!)).to.equal(before);
  });
});
