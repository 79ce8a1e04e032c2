// e2e: the promise under runbook 004's trap (a dead member left by an earlier replacement, named like a live node),
// runbook 003's cluster-ID split, and two of five members dead at once — 1000 keys checked on every member after.
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { etcdctl, waitClusterHealthy } from '../../engine/lab/etcd-query.js';
import { ETCD_POD } from '../../engine/lab/fault.js';
import { inventoryData } from '../../engine/lab/inventory.js';
import {
  clusterFingerprint, explain, labAvailable, labFail, labName, labStop, members, runPlaybook, settledLab,
  settledProblems, sh, verifyKeys, writeKeys, type Lab,
} from './harness.js';

const PEER = (lab: Lab, node: string) => `https://${lab.spec.etcdNodes.find((n) => n.name === node)!.address}:2380`;
const MANIFEST = '/etc/kubernetes/manifests/etcd.yaml';
const AWAY = '/etc/kubernetes/e2e-away.yaml';
/**
 * Moves the manifest out and waits until the static-pod runner has no etcd pod left (the process has exited). A closed
 * 127.0.0.1:2379 is not enough: a stopping etcd closes its listeners one by one, and an old member still answering
 * on its node address is the likeliest reason the split test's health once saw no split (CI under load).
 */
const STOP = `mv ${MANIFEST} ${AWAY}; i=0; while [ -n "$(${ETCD_POD})" ]; do i=$((i+1)); [ $i -gt 150 ] && exit 1; sleep 0.1; done`;
const START = `mv ${AWAY} ${MANIFEST}`;

/** The lab restricted to its first `n` nodes: what an inventory without the others describes. */
function firstNodes(lab: Lab, n: number): Lab {
  const etcdNodes = lab.spec.etcdNodes.slice(0, n);
  const data = inventoryData(lab.spec) as { all: { children: { etcd: { hosts: Record<string, unknown> } } } };
  for (const extra of lab.spec.etcdNodes.slice(n)) delete data.all.children.etcd.hosts[extra.name];
  const inventory = join(lab.spec.dir, `inventory-${n}.yml`);
  writeFileSync(inventory, stringify(data));
  return { ...lab, spec: { ...lab.spec, etcdNodes, nodes: n }, nodes: etcdNodes.map((x) => x.name), inventory };
}

/** Waits (up to 30 s) until `node`'s own member answers a linearizable health check. */
async function waitMemberUp(lab: Lab, node: string, e: string): Promise<void> {
  await sh(lab, node, `for i in $(seq 60); do ${e} endpoint health >/dev/null 2>&1 && exit 0; sleep 0.5; done; exit 1`, 60_000);
}

describe('replace-member.yml under the runbook 004 trap (5 nodes, inventory of 3) @lab @e2e', function () {
  this.timeout(180_000);
  const NAME = labName('tr');
  const SNAPS = `/tmp/ringmaster-e2e-${NAME}`;
  let full: Lab | undefined;
  let lab: Lab;

  before(async function () {
    this.timeout(90_000);
    if (!labAvailable()) this.skip();
    full = await settledLab(NAME, 5);
    lab = firstNodes(full, 3);
    await writeKeys(full, 1000, 'trap');
    // Two members the inventory of 3 knows nothing of, both dead: node4 under its own name, and node5 restarted
    // once as `node2` (etcd republishes its name on start) before it died — a dead member named like a live node.
    const e = etcdctl(full.spec);
    await sh(full, 'node5', `${STOP}\nsed -i 's/--name=node5/--name=node2/' ${AWAY}\n${START}`, 60_000);
    await waitMemberUp(full, 'node5', e);
    await sh(full, 'node5', STOP, 60_000);
    await sh(full, 'node4', STOP, 60_000);
    // Two of five down leaves exactly a quorum: wait until it has a leader again (node4 or node5 may have led).
    await waitClusterHealthy(lab.spec, lab.state, 'node1', 30_000);
    const named = (await members(full)).filter((m) => m.name === 'node2');
    expect(named, 'two members named node2').to.have.length(2);
  });

  after(async function () {
    this.timeout(30_000);
    await labStop(full, NAME);
  });

  it('health.yml does not call the cluster healthy: it names both dead members by ID and peer URL', async () => {
    const r = await runPlaybook(lab, 'health.yml', { health_timeout: '2' });
    expect(r.exitCode, explain(r)).to.equal(2);
    expect(r.stdout, explain(r)).to.contain('3 healthy voter(s) of 5 live voter(s), 3 expected by the inventory (not healthy: ');
    for (const [name, node] of [['node4', 'node4'], ['node2', 'node5']]) {
      expect(r.stdout).to.match(new RegExp(`${name} \\([0-9a-f]{16}, ${PEER(full!, node).replace(/\./g, '\\.')}\\)`));
    }
  });

  it('refuses (exit 8) before any change with remove_stale=false: stopping node2 would leave 2 healthy of 5 voters', async () => {
    const before = await clusterFingerprint(lab);
    const r = await runPlaybook(lab, 'replace-member.yml', { target: 'node2', force: 'true', remove_stale: 'false', snapshot_dir: SNAPS });
    expect(r.exitCode, explain(r)).to.equal(8);
    expect(r.recap?.aborted).to.match(/after stopping node2 \([0-9a-f]{16}, https:\/\/[0-9.]+:2380\): voters 5, healthy voters 2, quorum 3/);
    expect(r.results.filter((x) => x.status === 'changed'), explain(r)).to.deep.equal([]);
    expect(await clusterFingerprint(lab)).to.equal(before);
  });

  it('removes both dead members by ID first (the namesake included), then replaces node2; 1000 keys on every member', async () => {
    const r = await runPlaybook(lab, 'replace-member.yml', { target: 'node2', force: 'true', snapshot_dir: SNAPS });
    expect(r.exitCode, explain(r)).to.equal(0);
    // Exactly the two members on node4's and node5's peer URLs were removed as stale (a loop also reports a summary).
    const removed = r.results.filter((x) => x.task.startsWith('Remove stale members') && /^removed /.test(x.msg ?? '')).map((x) => x.msg ?? '');
    expect(removed, explain(r)).to.have.length(2);
    for (const [name, node] of [['node4', 'node4'], ['node2', 'node5']]) {
      expect(removed.some((msg) => msg.startsWith(`removed ${name} (`) && msg.includes(`, ${PEER(full!, node)})`)), `${name} on ${node}'s peer URL: ${removed.join(' | ')}`).to.equal(true);
    }
    const live = await members(lab);
    expect(live.map((m) => `${m.name} ${m.peerURLs[0]}`)).to.deep.equal(['node1', 'node2', 'node3'].map((n) => `${n} ${PEER(full!, n)}`));
    expect(await settledProblems(lab)).to.deep.equal([]);
    for (const n of lab.nodes) expect(await verifyKeys(lab, 1000, 'trap', [], n), n).to.deep.equal([]);
  });
});

describe('replace-member.yml on runbook 003\'s split and on two dead members of five @lab @e2e', function () {
  this.timeout(240_000);
  const NAME = labName('sp');
  const SNAPS = `/tmp/ringmaster-e2e-${NAME}`;
  let lab: Lab | undefined;

  before(async function () {
    this.timeout(90_000);
    if (!labAvailable()) this.skip();
    lab = await settledLab(NAME, 5);
    await writeKeys(lab, 1000, 'split');
  });

  after(async function () {
    this.timeout(30_000);
    await labStop(lab, NAME);
  });

  it('finds a member that bootstrapped its own cluster, names it, and replaces it without force', async () => {
    const l = lab!;
    // node5 loses its data and starts as a one-member cluster of its own (`new`, itself alone in --initial-cluster).
    await sh(l, 'node5', `${STOP}\nmv /var/lib/etcd /var/lib/etcd.e2e-split && mkdir -m 700 /var/lib/etcd
sed -i -e 's#--initial-cluster=.*#--initial-cluster=node5=${PEER(l, 'node5')}#' -e 's/--initial-cluster-state=existing/--initial-cluster-state=new/' ${AWAY}\n${START}`, 60_000);
    await waitMemberUp(l, 'node5', etcdctl(l.spec));
    // A status read that times out says only "not healthy" (safe, but not the split): on a loaded CI machine give the
    // probes 5 s instead of 2 (etcdctl_health_timeout, the inventory's knob for slow networks).
    const health = await runPlaybook(l, 'health.yml', { health_timeout: '2', etcdctl_health_timeout: '5s' });
    expect(health.exitCode, explain(health)).to.equal(2);
    expect(health.stdout, `${explain(health)}\n${health.results.map((x) => `${x.status} ${x.host} '${x.task}': ${x.msg ?? ''}`).join('\n')}`).to.match(/node5 \([0-9a-f]{16}, https:\/\/[0-9.]+:2380\) is in cluster [0-9a-f]{16}, the others in [0-9a-f]{16}: it bootstrapped its own cluster — runbook: replace-member.yml -e target=node5/);
    const r = await runPlaybook(l, 'replace-member.yml', { target: 'node5', snapshot_dir: SNAPS });
    expect(r.exitCode, explain(r)).to.equal(0);
    expect(r.results.some((x) => x.task.startsWith('Remove the targets') && x.status === 'changed'), explain(r)).to.equal(true);
    expect(await settledProblems(l)).to.deep.equal([]);
    const ids = await sh(l, 'node1', `${etcdctl(l.spec, l.spec.etcdNodes.map((n) => `https://${n.address}:2379`))} endpoint status -w json`);
    expect(new Set([...ids.matchAll(/"cluster_id":(\d+)/g)].map((m) => m[1])).size, 'one cluster ID').to.equal(1);
    for (const n of l.nodes) expect(await verifyKeys(l, 1000, 'split', [], n), n).to.deep.equal([]);
  });

  it('replaces two dead members of five in one run (-e targets=node4,node5): both removed, then re-added one at a time', async () => {
    const l = lab!;
    await labFail(l.state, 'node4', 'stop');
    await labFail(l.state, 'node5', 'stop');
    const r = await runPlaybook(l, 'replace-member.yml', { targets: 'node4,node5', snapshot_dir: SNAPS });
    expect(r.exitCode, explain(r)).to.equal(0);
    const order = r.results.filter((x) => x.status === 'changed' && /^(Add|Promote)/.test(x.task)).map((x) => `${x.task.split(' ')[0]} ${x.host}`);
    expect(order).to.deep.equal(['Add node4', 'Promote node4', 'Add node5', 'Promote node5']);
    expect(await settledProblems(l)).to.deep.equal([]);
    for (const n of l.nodes) expect(await verifyKeys(l, 1000, 'split', [], n), n).to.deep.equal([]);
  });
});
