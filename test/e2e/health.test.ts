// e2e: health.yml on the lab: a healthy read-only report, the manifest audit on real manifests, inventory drift and a stopped member.
import { expect } from 'chai';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { inventoryData } from '../../engine/lab/inventory.js';
import {
  changedCount, cli, clusterFingerprint, explain, labAvailable, labFail, labHeal, labName, settledLab, labStop,
  resultsOf, runPlaybook, settledProblems, sh, verifyKeys, writeKeys, type CliRun, type Lab,
} from './harness.js';

const NAME = labName('hl');
const DRIFT_INVENTORY = join(tmpdir(), `ringmaster-${NAME}-drift.yml`);
const VERSION_INVENTORY = join(tmpdir(), `ringmaster-${NAME}-version.yml`);
const HEALTH_TASK = 'Ask etcd for members, leader, health, cluster IDs and drift from the inventory';
const MANIFEST = '/etc/kubernetes/manifests/etcd.yaml';
const KEPT = '/etc/kubernetes/.etcd.yaml.e2e-orig';

describe('health.yml on the lab @lab @e2e', function () {
  this.timeout(90_000);
  let lab: Lab | undefined;

  before(async function () {
    this.timeout(60_000);
    if (!labAvailable()) this.skip();
    lab = await settledLab(NAME);
  });

  after(async function () {
    this.timeout(30_000);
    rmSync(DRIFT_INVENTORY, { force: true });
    rmSync(VERSION_INVENTORY, { force: true });
    await labStop(lab, NAME);
  });

  beforeEach(async () => {
    await writeKeys(lab!, 1000);
  });

  const health = (vars: Record<string, string> = {}, flags: string[] = []) => runPlaybook(lab!, 'health.yml', vars, flags);

  /** The registered result of the etcd_health task (what the operator's report is made of). */
  const report = (r: CliRun) => resultsOf(r, HEALTH_TASK)[0]?.result as {
    members: Array<{ name: string; healthy: boolean; started: boolean; learner: boolean }>; leader: string; cluster_ids: string[];
  };

  /** The pid of the etcd process the node's static-pod runner supervises (a restart changes it). */
  const etcdPid = async (node: string) => {
    const status = JSON.parse(await sh(lab!, node, 'cat /run/static-pods/status.json')) as { pods: Array<{ name: string; pid?: number }> };
    return status.pods.find((p) => p.name === 'etcd')?.pid;
  };

  /**
   * Edits live manifests (sed, one script per node) while each node's static-pod runner is paused, runs `fn`, then
   * puts the exact bytes back before resuming it: etcd never sees the edit, because a leftover --force-new-cluster
   * that took effect would split the lab's cluster, and the audit must find findings in files, not in a broken cluster.
   */
  async function withEditedManifests(edits: Record<string, string>, fn: () => Promise<void>): Promise<void> {
    const paused: string[] = [];
    try {
      for (const [node, sed] of Object.entries(edits)) {
        await sh(lab!, node, 'kill -STOP "$(cat /run/static-pods/runner.pid)"');
        paused.push(node);
        await sh(lab!, node, `cp -p ${MANIFEST} ${KEPT} && sed -i '${sed}' ${MANIFEST} && ! cmp -s ${MANIFEST} ${KEPT}`);
      }
      await fn();
    } finally {
      for (const node of paused) await sh(lab!, node, `if [ -e ${KEPT} ]; then cat ${KEPT} > ${MANIFEST} && rm ${KEPT}; fi; kill -CONT "$(cat /run/static-pods/runner.pid)"`);
    }
  }

  it('reports the members, the leader and one cluster ID on a healthy cluster, and changes nothing (twice, and in --check)', async () => {
    const before = await clusterFingerprint(lab!);
    const first = await health();
    expect(first.exitCode, explain(first)).to.equal(0);
    const r = report(first);
    expect(r.members.map((m) => m.name).sort()).to.deep.equal(['node1', 'node2', 'node3']);
    expect(r.members.every((m) => m.healthy && m.started && !m.learner)).to.equal(true);
    expect(['node1', 'node2', 'node3']).to.include(r.leader);
    expect(r.cluster_ids).to.have.length(1);
    expect(first.stdout).to.match(new RegExp(`healthy: 3/3 voters \\(node\\d, node\\d, node\\d\\), leader ${r.leader}, cluster ${r.cluster_ids[0]}`));
    expect(changedCount(first), explain(first)).to.equal(0);
    const second = await health();
    expect(second.exitCode, explain(second)).to.equal(0);
    expect(changedCount(second), explain(second)).to.equal(0);
    const checked = await health({}, ['--check']);
    expect(checked.exitCode, explain(checked)).to.equal(0);
    expect(changedCount(checked), explain(checked)).to.equal(0);
    expect(await clusterFingerprint(lab!)).to.equal(before);
    expect(await verifyKeys(lab!)).to.deep.equal([]);
  });

  it('finds a leftover --force-new-cluster, state new on a member with data and an --initial-cluster missing a live member', async () => {
    const pids = [await etcdPid('node1'), await etcdPid('node2'), await etcdPid('node3')];
    await withEditedManifests({
      node1: 's/^\\(\\s*\\)- --initial-cluster-state=existing$/&\\n\\1- --force-new-cluster/',
      node2: 's/--initial-cluster-state=existing/--initial-cluster-state=new/',
      // A bootstrap list without a live member matters only while the state says new (etcd reads it only then).
      node3: 's/--initial-cluster=node1=[^,]*,/--initial-cluster=/; s/--initial-cluster-state=existing/--initial-cluster-state=new/',
    }, async () => {
      const r = await health({ fail_on_findings: 'true' });
      expect(r.exitCode, explain(r)).to.equal(2);
      const failed = resultsOf(r, 'Fail on manifest findings');
      const msgOf = (n: string) => failed.find((x) => x.host === n && x.status === 'failed')?.msg ?? '';
      expect(msgOf('node1'), explain(r)).to.contain(`${MANIFEST} still has --force-new-cluster: remove it`);
      expect(msgOf('node1')).to.not.contain('initial-cluster');
      expect(msgOf('node2'), explain(r)).to.contain(`${MANIFEST} says --initial-cluster-state=new but /var/lib/etcd has data: set it to existing`);
      expect(msgOf('node2')).to.not.contain('force-new-cluster');
      expect(msgOf('node3'), explain(r)).to.contain(`problem: ${MANIFEST}: --initial-cluster lacks the live member node1=https://10.20.30.101:2380 (with --initial-cluster-state=new, a restart without data would bootstrap a cluster without it)`);
      expect(msgOf('node3')).to.not.match(/force-new-cluster|lacks the live member node[23]=/);
      // By default the problems fail and the risk (state new on a member with data) is only reported.
      const dflt = await health();
      expect(dflt.exitCode, explain(dflt)).to.equal(2);
      expect(resultsOf(dflt, 'Fail on manifest findings').filter((x) => x.status === 'failed').map((x) => x.host).sort(), explain(dflt)).to.deep.equal(['node1', 'node3']);
      const risk = resultsOf(dflt, 'Report manifest findings without failing').find((x) => x.host === 'node2');
      expect(risk?.status, explain(dflt)).to.equal('ok');
      expect(risk?.msg).to.contain(`risk: ${MANIFEST} says --initial-cluster-state=new but /var/lib/etcd has data`);
      // The same findings, reported without failing when asked.
      const soft = await health({ fail_on_findings: 'false' });
      expect(soft.exitCode, explain(soft)).to.equal(0);
      expect(resultsOf(soft, 'Report manifest findings without failing').filter((x) => x.status === 'ok').map((x) => x.host).sort())
        .to.deep.equal(['node1', 'node2', 'node3']);
    });
    // Paused runners, exact bytes back: the audit ran on real manifests and etcd was never restarted.
    expect([await etcdPid('node1'), await etcdPid('node2'), await etcdPid('node3')]).to.deep.equal(pids);
    expect(await settledProblems(lab!)).to.deep.equal([]);
    expect(await verifyKeys(lab!)).to.deep.equal([]);
  });

  it('reports (exit 0) an --experimental-* flag on a 3.6 member as a 3.7 risk with its replacement, and a stale etcd_version as a risk', async () => {
    expect(lab!.spec.etcdVersion, 'the default lab runs 3.6').to.match(/^3\.6\./);
    const inv = inventoryData(lab!.spec) as { all: { children: { etcd: { hosts: Record<string, Record<string, string>> } } } };
    inv.all.children.etcd.hosts.node2.etcd_version = '3.6.1';
    writeFileSync(VERSION_INVENTORY, stringify(inv));
    await withEditedManifests({ node1: 's/^\\(\\s*\\)- --initial-cluster-state=existing$/&\\n\\1- --experimental-initial-corrupt-check=true/' }, async () => {
      const r = await cli(['run', join('playbooks', 'health.yml'), '-i', VERSION_INVENTORY]);
      expect(r.exitCode, explain(r)).to.equal(0);
      const reported = resultsOf(r, 'Report manifest findings without failing');
      const msgOf = (n: string) => reported.find((x) => x.host === n && x.status === 'ok')?.msg ?? '';
      expect(msgOf('node1'), explain(r)).to.contain(`risk: ${MANIFEST}: etcd 3.7 refuses --experimental-initial-corrupt-check: replace --experimental-initial-corrupt-check with --feature-gates=InitialCorruptCheck=true before upgrading (this member runs ${lab!.spec.etcdVersion})`);
      expect(msgOf('node1')).to.not.contain('etcd_version');
      expect(msgOf('node2'), explain(r)).to.equal(`manifest audit of node2: risk: node2: etcd_version in the inventory says 3.6.1 but the member runs ${lab!.spec.etcdVersion}: set etcd_version to ${lab!.spec.etcdVersion} in the inventory (or remove it: the live members then decide)`);
      expect(reported.find((x) => x.host === 'node3')?.status, explain(r)).to.equal('skipped');
    });
  });

  it('refuses (exit 2) an inventory whose peer URL for a node disagrees with the live member, saying which and how to fix it', async () => {
    const inv = inventoryData(lab!.spec) as { all: { children: { etcd: { hosts: Record<string, Record<string, string>> } } } };
    inv.all.children.etcd.hosts.node2.etcd_peer_url = 'https://10.20.30.102:2390';
    writeFileSync(DRIFT_INVENTORY, stringify(inv));
    const before = await clusterFingerprint(lab!);
    const r = await cli(['run', join('playbooks', 'health.yml'), '-i', DRIFT_INVENTORY]);
    expect(r.exitCode, explain(r)).to.equal(2);
    expect(resultsOf(r, HEALTH_TASK)[0]?.msg, explain(r)).to.contain(
      "etcd is healthy but the inventory disagrees with the live members: node2's peer URL is https://10.20.30.102:2390 in the inventory but https://10.20.30.102:2380 live (fix etcd_peer_url)");
    expect(await clusterFingerprint(lab!)).to.equal(before);
    expect(await verifyKeys(lab!)).to.deep.equal([]);
  });

  it('fails naming node3 when node3\'s etcd is stopped', async () => {
    await labFail(lab!.state, 'node3', 'stop');
    try {
      const r = await health({ health_timeout: '3' });
      expect(r.exitCode, explain(r)).to.not.equal(0);
      expect(r.exitCode & 2, explain(r)).to.equal(2);
      expect(resultsOf(r, HEALTH_TASK)[0]?.msg, explain(r)).to.match(/2 healthy voter\(s\) of 3 live voter\(s\), 3 expected by the inventory \(not healthy: node3 \([0-9a-f]{16}, https:\/\/[0-9.]+:2380\)\)/);
    } finally {
      await labHeal(lab!.state, 'node3', 30_000);
    }
    expect(await settledProblems(lab!)).to.deep.equal([]);
    expect(await verifyKeys(lab!)).to.deep.equal([]);
  });
});
