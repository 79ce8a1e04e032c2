// e2e on kubeadm nodes as most are: etcd a CRI pod of containerd, etcd's tools only in its image (no etcdctl or
// etcdutl on the host), so ringmaster reaches etcdctl with `crictl exec` (etcdctl_via: crictl). What holds here holds
// for Debian's containerd 1.6 and crictl 1.37 with the default etcd line; nothing more is claimed.
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { etcdctl } from '../../engine/lab/etcd-query.js';
import { hostShell } from '../../engine/lab/hosts.js';
import { parse } from 'yaml';
import {
  explain, labAvailable, labFail, labName, labStart, labStop, markManifestsExisting, readKeys, resultsOf, runPlaybook, settledProblems, sh,
  verifyKeysOnEveryMember, writeKeys, type Lab,
} from './harness.js';

const NAME = labName('cri');

/** Each node's etcd container and pod (crictl): a restart or a new pod changes them. */
async function pods(lab: Lab): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const n of lab.nodes) out[n] = (await sh(lab, n, 'crictl ps -q --label io.kubernetes.container.name=etcd; crictl pods -q --label component=etcd')).trim();
  return out;
}

describe('kubeadm nodes without etcd tools on the host: etcdctl through crictl exec @lab @e2e', function () {
  this.timeout(180_000);
  let lab: Lab | undefined;
  let dir = '';

  before(async function () {
    this.timeout(120_000);
    if (!labAvailable()) this.skip();
    dir = mkdtempSync(join(tmpdir(), 'ring-e2e-cri-'));
    lab = await labStart(NAME, 3, undefined, undefined, 'kubeadm', false);
    await markManifestsExisting(lab);
    await writeKeys(lab, 1000);
  });

  after(async function () {
    this.timeout(30_000);
    if (dir) rmSync(dir, { recursive: true, force: true });
    await labStop(lab, NAME);
  });

  it('is such a node: no etcd tools on PATH, runbook 001\'s crictl commands work, the inventory says crictl', async () => {
    const inv = parse(readFileSync(lab!.inventory, 'utf8')) as { all: { children: { etcd: { vars: Record<string, unknown> } } } };
    expect(inv.all.children.etcd.vars.etcdctl_via).to.equal('crictl');
    for (const n of lab!.nodes) {
      const tools = await hostShell(lab!.state, n, 'command -v etcdctl etcdutl etcd');
      expect(tools.stdout.trim(), `${n} has etcd tools on PATH`).to.equal('');
      const table = await sh(lab!, n, `CONTAINER_ID=$(crictl ps -a --label io.kubernetes.container.name=etcd --label io.kubernetes.pod.namespace=kube-system | awk 'NR>1{r=$1} $0~/Running/{exit} END{print r}')
crictl exec "$CONTAINER_ID" etcdctl --cert /etc/kubernetes/pki/etcd/peer.crt --key /etc/kubernetes/pki/etcd/peer.key --cacert /etc/kubernetes/pki/etcd/ca.crt member list -w table`);
      for (const m of lab!.nodes) expect(table, `${n}:\n${table}`).to.match(new RegExp(`\\| started \\| ${m} \\| https://10\\.20\\.30\\.\\d+:2380 \\|`));
    }
  });

  it('health.yml reports the cluster through crictl exec and changes nothing (no container restarted)', async () => {
    const before = await pods(lab!);
    const r = await runPlaybook(lab!, 'health.yml');
    expect(r.exitCode, explain(r)).to.equal(0);
    expect(await pods(lab!)).to.deep.equal(before);
  });

  let snapshot = '';
  it('snapshot-save.yml saves through the pod\'s data mount, checks it with the image\'s etcdutl and fetches it; nothing left on the node', async () => {
    const before = await pods(lab!);
    const r = await runPlaybook(lab!, 'snapshot-save.yml', { snapshot_dir: dir });
    expect(r.exitCode, explain(r)).to.equal(0);
    const saved = resultsOf(r, 'Save the snapshot and fetch it to the controller').find((h) => h.status === 'changed');
    expect(saved, explain(r)).to.not.equal(undefined);
    const res = saved!.result as { path: string; sha256: string; key_count: number; host: string; commands: string[] };
    expect(res.commands.join('\n')).to.match(/crictl exec -i .* etcdctl .* snapshot save \/var\/lib\/etcd\/ringmaster-snapshot-/);
    expect(res.commands.join('\n')).to.match(/crictl exec -i .* etcdutl snapshot status \/var\/lib\/etcd\/ringmaster-snapshot-/);
    snapshot = res.path;
    expect(createHash('sha256').update(readFileSync(snapshot)).digest('hex')).to.equal(res.sha256);
    expect(JSON.parse(readFileSync(`${snapshot}.json`, 'utf8'))).to.include({ sha256: res.sha256 });
    expect(res.key_count).to.be.at.least(1000);
    expect(readdirSync(dir).filter((f) => f.endsWith('.db'))).to.have.length(1);
    for (const n of lab!.nodes) expect((await sh(lab!, n, 'ls -A /var/lib/etcd /var/lib/etcd-snapshots 2>/dev/null | grep -c "\\.db" || true')).trim(), n).to.equal('0');
    expect(await pods(lab!)).to.deep.equal(before);
  });

  it('replace-member.yml replaces a wiped member (force) with etcdctl only in the containers, and every member holds the keys', async () => {
    await labFail(lab!.state, 'node3', 'wipe');
    const r = await runPlaybook(lab!, 'replace-member.yml', { target: 'node3', force: 'true', snapshot_dir: dir });
    expect(r.exitCode, explain(r)).to.equal(0);
    expect(await settledProblems(lab!)).to.deep.equal([]);
    expect(await verifyKeysOnEveryMember(lab!, 1000)).to.deep.equal([]);
  });

  it('snapshot-restore.yml restores with the image\'s etcdutl (ctr mount, removed after): the 1000 keys on every member, a later key gone', async () => {
    expect(snapshot, 'the save above').to.not.equal('');
    await sh(lab!, 'node1', `${etcdctl(lab!.spec)} put /e2e/after-snapshot x >/dev/null`);
    const r = await runPlaybook(lab!, 'snapshot-restore.yml', { snapshot, backup_dir: dir });
    expect(r.exitCode, explain(r)).to.equal(0);
    const restores = resultsOf(r, 'Restore every member from the same snapshot into a fresh data dir (old one kept aside)').filter((h) => h.status === 'changed');
    expect(restores.map((h) => h.host).sort(), explain(r)).to.deep.equal(lab!.nodes);
    for (const h of restores) expect((h.result as { commands: string[] }).commands[0]).to.match(/image-tool registry\.k8s\.io\/etcd:\S+ \S+ \S+ \/usr\/local\/bin\/etcdutl snapshot restore/);
    expect((await readKeys(lab!)).has('/e2e/after-snapshot')).to.equal(false);
    expect(await verifyKeysOnEveryMember(lab!, 1000)).to.deep.equal([]);
    expect(await settledProblems(lab!)).to.deep.equal([]);
    for (const n of lab!.nodes) {
      expect((await sh(lab!, n, 'ls -d /run/ringmaster-image.* 2>/dev/null | wc -l')).trim(), `${n}: image mount folders left`).to.equal('0');
      expect((await sh(lab!, n, 'grep -c ringmaster-image /proc/self/mountinfo || true')).trim(), `${n}: image mounts left`).to.equal('0');
      expect((await sh(lab!, n, 'ctr -n k8s.io snapshots ls | grep -c ringmaster-image || true')).trim(), `${n}: ctr snapshots left`).to.equal('0');
    }
  });
});
