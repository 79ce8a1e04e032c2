// e2e on the systemd flavour: kubespray's host mode (etcd.service with EnvironmentFile=/etc/etcd.env, binaries and
// etcdutl on the host) under a real systemd as each node's init. What holds here holds for Debian's systemd 252 with
// the default etcd line; nothing more is claimed.
import { expect } from 'chai';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { etcdctl, waitClusterHealthy } from '../../engine/lab/etcd-query.js';
import {
  endpointsOf, explain, keyOf, labAvailable, labName, labStart, labStop, members, readKeys, runPlaybook, sh, verifyKeysOnEveryMember, writeKeys, type Lab,
} from './harness.js';

const NAME = labName('sd');

/** ETCD_* lines of a node's /etc/etcd.env → { 'initial-cluster-state': 'existing', … }. */
async function envFlags(lab: Lab, node: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const m of (await sh(lab, node, 'cat /etc/etcd.env')).matchAll(/^ETCD_([A-Z0-9_]+)=(.*)$/gm)) out[m[1].toLowerCase().replace(/_/g, '-')] = m[2];
  return out;
}

/** Everything a run could change on the nodes: members, env files, units, data dirs and etcd's main PID. */
async function fingerprint(lab: Lab): Promise<string> {
  const parts = [JSON.stringify(await members(lab))];
  for (const n of lab.nodes) parts.push(await sh(lab, n, 'sha256sum /etc/etcd.env /etc/systemd/system/etcd.service; ls -d /var/lib/etcd*; ls /var/lib/etcd/member; systemctl show etcd -p MainPID -p NRestarts'));
  return parts.join('\n');
}

/** Every member healthy and started, names as the nodes, env files `existing` with no force flag. */
async function settled(lab: Lab): Promise<string[]> {
  const problems: string[] = [];
  await waitClusterHealthy(lab.spec, lab.state, lab.nodes[0], 30_000).catch((e: Error) => problems.push(e.message));
  const live = await members(lab);
  if (JSON.stringify(live.map((m) => m.name)) !== JSON.stringify(lab.nodes)) problems.push(`members ${live.map((m) => m.name).join(',')}`);
  for (const m of live) if (m.isLearner || !m.started) problems.push(`member ${m.name || m.id} is ${m.isLearner ? 'a learner' : 'unstarted'}`);
  for (const n of lab.nodes) {
    const f = await envFlags(lab, n);
    if (f['initial-cluster-state'] !== 'existing') problems.push(`${n}: ETCD_INITIAL_CLUSTER_STATE=${f['initial-cluster-state']}`);
    if (f['force-new-cluster']) problems.push(`${n}: ETCD_FORCE_NEW_CLUSTER present`);
    if ((await sh(lab, n, 'systemctl is-active etcd')).trim() !== 'active') problems.push(`${n}: etcd.service not active`);
  }
  return problems;
}

describe('the systemd flavour: kubespray host mode under a real systemd per node @lab @e2e', function () {
  this.timeout(240_000);
  let lab: Lab | undefined;
  let dir = '';
  let snapshot = '';

  before(async function () {
    this.timeout(120_000);
    if (!labAvailable()) this.skip();
    dir = mkdtempSync(join(tmpdir(), 'ring-e2e-sd-'));
    lab = await labStart(NAME, 3, undefined, undefined, 'systemd');
    await writeKeys(lab, 1000);
  });

  after(async function () {
    this.timeout(30_000);
    if (dir) rmSync(dir, { recursive: true, force: true });
    await labStop(lab, NAME);
  });

  it('health.yml reports the cluster and changes nothing (no restart, no file)', async () => {
    const before = await fingerprint(lab!);
    const r = await runPlaybook(lab!, 'health.yml');
    expect(r.exitCode, explain(r)).to.equal(0);
    expect(await fingerprint(lab!)).to.equal(before);
  });

  it('snapshot-save.yml saves with the host\'s etcdctl and fetches it with its sidecar', async () => {
    const r = await runPlaybook(lab!, 'snapshot-save.yml', { snapshot_dir: dir });
    expect(r.exitCode, explain(r)).to.equal(0);
    const file = readdirSync(dir).find((f) => f.endsWith('.db'));
    expect(file, explain(r)).to.not.equal(undefined);
    snapshot = join(dir, file!);
  });

  it('replace-member.yml --check changes nothing; the real run removes a stale fourth member (runbook 004) first, replaces the member, edits /etc/etcd.env in place and keeps the operator\'s lines', async () => {
    // The operator's own settings: a bigger quota, a comment, another heartbeat; etcd restarted on them.
    await sh(lab!, 'node3', `sed -i -e 's/^ETCD_QUOTA_BACKEND_BYTES=.*/# operator: 4 GiB for the big cluster\\nETCD_QUOTA_BACKEND_BYTES=4294967296/' -e 's/^ETCD_HEARTBEAT_INTERVAL=.*/ETCD_HEARTBEAT_INTERVAL=300/' /etc/etcd.env && systemctl restart etcd`);
    await waitClusterHealthy(lab!.spec, lab!.state, 'node1', 30_000);
    const oldId = (await members(lab!)).find((m) => m.name === 'node3')!.id;
    // Runbook 004's trap: a member added for a node that never came (it raises the quorum to 3 of 4); etcd refuses
    // `member add` for a few seconds after a member restarted: retried with a deadline.
    await sh(lab!, 'node1', `for i in $(seq 1 60); do ${etcdctl(lab!.spec, endpointsOf(lab!))} member add node4 --peer-urls=https://10.20.30.104:2380 >/dev/null 2>/tmp/add.err && exit 0; sleep 0.5; done; cat /tmp/add.err >&2; exit 1`, 60_000);
    expect(await members(lab!), 'the stale member is there').to.have.length(4);
    const before = await fingerprint(lab!);
    const planned = await runPlaybook(lab!, 'replace-member.yml', { target: 'node3', force: 'true', snapshot_dir: dir }, ['--check']);
    expect(planned.exitCode, explain(planned)).to.equal(0);
    expect(await fingerprint(lab!), 'check mode').to.equal(before);
    const r = await runPlaybook(lab!, 'replace-member.yml', { target: 'node3', force: 'true', snapshot_dir: dir });
    expect(r.exitCode, explain(r)).to.equal(0);
    const after = await members(lab!);
    expect(after.map((m) => m.name), 'the stale member is gone, node3 is back').to.deep.equal(['node1', 'node2', 'node3']);
    expect(after.find((m) => m.name === 'node3')!.id).to.not.equal(oldId);
    const env = await sh(lab!, 'node3', 'cat /etc/etcd.env');
    expect(env).to.contain('# operator: 4 GiB for the big cluster\nETCD_QUOTA_BACKEND_BYTES=4294967296\n').and.contain('ETCD_HEARTBEAT_INTERVAL=300\n')
      .and.contain('ETCD_INITIAL_CLUSTER_STATE=existing\n').and.contain('# CLI settings\nETCDCTL_ENDPOINTS=https://127.0.0.1:2379\n');
    expect(await sh(lab!, 'node3', 'tr "\\0" "\\n" < /proc/$(systemctl show etcd -p MainPID --value)/environ | grep -E "^ETCD_(QUOTA_BACKEND_BYTES|INITIAL_CLUSTER_STATE)="'))
      .to.equal('ETCD_INITIAL_CLUSTER_STATE=existing\nETCD_QUOTA_BACKEND_BYTES=4294967296\n');
    expect(await verifyKeysOnEveryMember(lab!, 1000)).to.deep.equal([]);
  });

  it('snapshot-restore.yml restores every member with the host\'s etcdutl: the 1000 keys back, a later key gone, env files rewritten', async () => {
    expect(snapshot, 'the save above').to.not.equal('');
    await sh(lab!, 'node1', `${etcdctl(lab!.spec)} put /e2e/after-snapshot x >/dev/null`);
    const r = await runPlaybook(lab!, 'snapshot-restore.yml', { snapshot, backup_dir: dir });
    expect(r.exitCode, explain(r)).to.equal(0);
    expect((await readKeys(lab!)).has('/e2e/after-snapshot')).to.equal(false);
    expect(await verifyKeysOnEveryMember(lab!, 1000)).to.deep.equal([]);
    expect(await settled(lab!)).to.deep.equal([]);
    for (const n of lab!.nodes) expect((await envFlags(lab!, n))['initial-cluster-token'], n).to.match(/-restore-/);
  });

  it('recover-quorum.yml recovers from the survivor after 2 of 3 members stopped, and every member holds the keys', async () => {
    await sh(lab!, 'node2', 'systemctl stop etcd');
    await sh(lab!, 'node3', 'systemctl stop etcd');
    const r = await runPlaybook(lab!, 'recover-quorum.yml', { backup_dir: dir });
    expect(r.exitCode, explain(r)).to.equal(0);
    expect(await settled(lab!)).to.deep.equal([]);
    expect(await verifyKeysOnEveryMember(lab!, 1000)).to.deep.equal([]);
  });

  it('repair-key.yml deletes exactly one key after a snapshot; every member lacks it and holds the other 999', async () => {
    const r = await runPlaybook(lab!, 'repair-key.yml', { key: keyOf(7), backup_dir: dir });
    expect(r.exitCode, explain(r)).to.equal(0);
    expect(await verifyKeysOnEveryMember(lab!, 1000)).to.deep.equal(lab!.nodes.flatMap((n) => [`${n}: ${keyOf(7)} = missing`, `${n}: 999 keys under /e2e/, expected 1000`]));
  });
});
