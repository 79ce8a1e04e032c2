// e2e: replace-member.yml refuses (exit 8) to add node3 back with an etcd older than the running cluster — an older
// image asked for with -e etcd_version — before anything changes; an older etcd binary on node3's PATH does not run a
// static pod (the lab's kubelet stand-in runs the image's binaries), so the replacement goes through on the image.
import { expect } from 'chai';
import { rmSync } from 'node:fs';
import { binDirOf, DEBIAN_ETCD, defaultEtcdLine, isBuilt, pinnedReleases } from '../../engine/lab/etcd-versions.js';
import { minorOf, parseVersion } from '../../engine/etcd/versions.js';
import { etcdctl } from '../../engine/lab/etcd-query.js';
import {
  clusterFingerprint, explain, labAvailable, labFail, labName, labStop, runPlaybook, settledLab, settledProblems, sh,
  verifyKeys, writeKeys, type CliRun, type Lab,
} from './harness.js';

const NAME = labName('vg');
const SNAPS = `/tmp/ringmaster-e2e-${NAME}`;

/** The newest built release of a line older than the lab's default (3.5.35 while the default is 3.6). */
function olderRelease(): string | undefined {
  const key = (v: string) => { const p = parseVersion(v)!; return p[0] * 1000 + p[1]; };
  const def = key(defaultEtcdLine());
  return [...pinnedReleases()].filter(([line, v]) => key(line) < def && v !== DEBIAN_ETCD && isBuilt(v)).sort(([a], [b]) => key(b) - key(a))[0]?.[1];
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Commands of the run that change membership: a refusal must have run none. */
const memberChanges = (r: CliRun) => r.results.flatMap((x) => x.commands ?? []).filter((c) => /member (add|remove)/.test(c));
/** Puts `version`'s etcd at /usr/local/bin/etcd on node3 (its own overlay), as a reinstall with that release would. */
const installEtcd = (lab: Lab, version: string) =>
  sh(lab, 'node3', `cp ${binDirOf(version)}/etcd /usr/local/bin/.etcd.e2e && mv -f /usr/local/bin/.etcd.e2e /usr/local/bin/etcd && etcd --version | head -n1`);

describe('replace-member.yml refuses a member older than the cluster @lab @e2e', function () {
  this.timeout(150_000);
  let lab: Lab | undefined;
  let older = '';
  let clusterMinor = '';
  let current = '';

  before(async function () {
    this.timeout(60_000);
    if (!labAvailable()) this.skip();
    const o = olderRelease();
    if (!o) this.skip();
    older = o!;
    // What the lab runs (the spec the harness rebuilds does not carry it): the default line's pinned release.
    current = pinnedReleases().get(defaultEtcdLine())!;
    clusterMinor = minorOf(current)!;
    lab = await settledLab(NAME);
    await writeKeys(lab, 200);
    // node3 reinstalled: etcd stopped (the lab holds its manifest outside the manifests folder) and its data gone.
    await labFail(lab.state, 'node3', 'stop');
    await sh(lab, 'node3', 'rm -rf /var/lib/etcd && mkdir -m 700 /var/lib/etcd');
  });

  after(async function () {
    this.timeout(30_000);
    await labStop(lab, NAME);
    rmSync(SNAPS, { recursive: true, force: true });
  });

  const replace = (extra: Record<string, string> = {}) => runPlaybook(lab!, 'replace-member.yml', { target: 'node3', snapshot_dir: SNAPS, ...extra });

  it('refuses an older image asked for with -e etcd_version, naming both versions, and changes nothing', async () => {
    const before = await clusterFingerprint(lab!);
    const r = await replace({ etcd_version: older });
    expect(r.exitCode, explain(r)).to.equal(8);
    expect(r.recap?.aborted, explain(r)).to.match(new RegExp(`^node3: version guard: node3's member would run etcd ${esc(older)} \\(image \\S+:${esc(older)}-0 .*: etcd ${esc(older)} is older than the cluster version ${esc(clusterMinor)}`));
    expect(memberChanges(r)).to.deep.equal([]);
    expect(await clusterFingerprint(lab!)).to.equal(before);
  });

  it('an older etcd binary on node3\'s PATH does not count for a static pod (the kubelet runs the image): node3 is replaced and runs the cluster\'s version', async () => {
    expect(await installEtcd(lab!, older)).to.contain(older);
    const ok = await replace();
    expect(ok.exitCode, explain(ok)).to.equal(0);
    expect(await settledProblems(lab!)).to.deep.equal([]);
    expect(await verifyKeys(lab!, 200, 'a', [], 'node3')).to.deep.equal([]);
    const status = await sh(lab!, 'node3', `${etcdctl(lab!.spec)} endpoint status -w json`);
    expect(status, 'node3 runs the image\'s etcd, not the binary on its PATH').to.contain(`"version":"${current}"`);
  });
});
