// e2e: a rolling upgrade stopped halfway (`lab up --etcd-version 3.6 --upgrade-from 3.5`: node1, node2 on 3.6, node3
// still on 3.5). health.yml and snapshot-save.yml work on the mixed cluster; re-adding node3 on its old 3.5 image is
// refused (it would hold the upgrade back) with nothing changed; re-adding it on 3.6 completes the upgrade, keys intact.
import { expect } from 'chai';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { etcdctl, parseEtcdJson } from '../../engine/lab/etcd-query.js';
import { isBuilt, pinnedReleases } from '../../engine/lab/etcd-versions.js';
import {
  clusterFingerprint, explain, settledFingerprint, labAvailable, labFail, labName, labStop, runPlaybook, settledLab, settledProblems, sh,
  verifyKeys, writeKeys, type Lab,
} from './harness.js';

const OLD = pinnedReleases().get('3.5')!;
const NEW = pinnedReleases().get('3.6')!;

/** The server version each member reports for itself (its own endpoint). */
async function versions(lab: Lab): Promise<string[]> {
  return Promise.all(lab.nodes.map(async (n) => {
    const out = await sh(lab, n, `for i in $(seq 40); do o=$(${etcdctl(lab.spec)} endpoint status -w json 2>/dev/null) && { printf '%s' "$o"; exit 0; }; sleep 0.5; done; exit 1`, 40_000);
    return String((parseEtcdJson(out) as Array<{ Status: { version: string } }>)[0].Status.version);
  }));
}

describe(`a mixed etcd ${NEW}/${OLD} cluster (rolling upgrade halfway) @lab @e2e`, function () {
  this.timeout(240_000);
  const NAME = labName('mix');
  let lab: Lab | undefined;
  let dir = '';

  before(async function () {
    this.timeout(150_000);
    if (!labAvailable()) this.skip();
    for (const v of [OLD, NEW]) if (!isBuilt(v)) throw new Error(`etcd ${v} is not built: run \`bash scripts/build-etcd.sh ${v}\` (scripts/setup.sh does)`);
    lab = await settledLab(NAME, 3, '3.6', '3.5');
    dir = mkdtempSync(join(tmpdir(), 'ring-e2e-mix-'));
    await writeKeys(lab, 1000, 'mix');
  });
  after(async function () {
    this.timeout(60_000);
    await labStop(lab, NAME);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it(`runs ${NEW} on node1 and node2 and ${OLD} on node3`, async () => {
    expect(await versions(lab!)).to.deep.equal([NEW, NEW, OLD]);
  });

  it('health.yml and snapshot-save.yml pass on the mixed cluster', async () => {
    const health = await runPlaybook(lab!, 'health.yml', {});
    expect(health.exitCode, explain(health)).to.equal(0);
    const save = await runPlaybook(lab!, 'snapshot-save.yml', { snapshot_dir: dir });
    expect(save.exitCode, explain(save)).to.equal(0);
    expect(readdirSync(dir).filter((f) => f.endsWith('.db'))).to.have.length(1);
  });

  it(`refuses (exit 8) to re-add node3 on its ${OLD} image, naming both versions, and changes nothing`, async () => {
    await labFail(lab!.state, 'node3', 'wipe');
    const before = await settledFingerprint(lab!);
    const r = await runPlaybook(lab!, 'replace-member.yml', { target: 'node3', force: 'true', snapshot_dir: dir });
    expect(r.exitCode, explain(r)).to.equal(8);
    expect(r.stdout + r.stderr).to.contain(OLD).and.contain(NEW);
    expect(await clusterFingerprint(lab!)).to.equal(before);
  });

  it(`re-adds node3 on ${NEW} (-e etcd_version=${NEW}): the upgrade is complete and every member holds the keys`, async () => {
    const r = await runPlaybook(lab!, 'replace-member.yml', { target: 'node3', force: 'true', snapshot_dir: dir, etcd_version: NEW });
    expect(r.exitCode, explain(r)).to.equal(0);
    expect(await versions(lab!)).to.deep.equal([NEW, NEW, NEW]);
    expect(await settledProblems(lab!)).to.deep.equal([]);
    for (const n of lab!.nodes) expect(await verifyKeys(lab!, 1000, 'mix', [], n), n).to.deep.equal([]);
  });
});
