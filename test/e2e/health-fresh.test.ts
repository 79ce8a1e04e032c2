// e2e: health.yml on a fresh lab, whose manifests still say --initial-cluster-state=new (as kubeadm leaves the first
// member's): a risk named per member, exit 0 — and exit 2 only when asked to fail on findings.
import { expect } from 'chai';
import { changedCount, clusterFingerprint, explain, labAvailable, labName, labStart, labStop, manifestFlags, resultsOf, runPlaybook, type Lab } from './harness.js';

const NAME = labName('hf');
const MANIFEST = '/etc/kubernetes/manifests/etcd.yaml';
const RISK = `risk: ${MANIFEST} says --initial-cluster-state=new but /var/lib/etcd has data: set it to existing`;

describe('health.yml on a fresh, unsettled lab @lab @e2e', function () {
  this.timeout(90_000);
  let lab: Lab | undefined;

  before(async function () {
    this.timeout(90_000);
    if (!labAvailable()) this.skip();
    lab = await labStart(NAME);
  });

  after(async function () {
    this.timeout(30_000);
    await labStop(lab, NAME);
  });

  it('reports state new on every member with data as a risk, per member, and exits 0', async () => {
    for (const n of lab!.nodes) expect((await manifestFlags(lab!, n))?.['initial-cluster-state'], n).to.equal('new');
    const before = await clusterFingerprint(lab!);
    const r = await runPlaybook(lab!, 'health.yml');
    expect(r.exitCode, explain(r)).to.equal(0);
    const reported = resultsOf(r, 'Report manifest findings without failing');
    for (const n of lab!.nodes) {
      const x = reported.find((y) => y.host === n);
      expect(x?.status, `${n}\n${explain(r)}`).to.equal('ok');
      expect(x?.msg).to.contain(`manifest audit of ${n}: ${RISK}`);
      expect(x?.msg).to.not.contain('problem: ');
    }
    expect(resultsOf(r, 'Fail on manifest findings').every((x) => x.status === 'skipped'), explain(r)).to.equal(true);
    expect(changedCount(r), explain(r)).to.equal(0);
    expect(await clusterFingerprint(lab!)).to.equal(before);
  });

  it('fails (exit 2) on the same risk, naming each member, with -e fail_on_findings=true', async () => {
    const r = await runPlaybook(lab!, 'health.yml', { fail_on_findings: 'true' });
    expect(r.exitCode, explain(r)).to.equal(2);
    const failed = resultsOf(r, 'Fail on manifest findings');
    for (const n of lab!.nodes) {
      const x = failed.find((y) => y.host === n);
      expect(x?.status, `${n}\n${explain(r)}`).to.equal('failed');
      expect(x?.msg).to.contain(`manifest audit of ${n}: ${RISK}`);
    }
  });
});
