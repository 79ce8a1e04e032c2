// e2e on the rke flavour: RKE1's etcd container under a real dockerd per node, no etcd tools on the host. What holds
// here holds for the docker flavour on Debian's docker.io 20.10 with the default etcd line; nothing more is claimed.
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { hostShell } from '../../engine/lab/hosts.js';
import {
  changedCount, explain, labAvailable, labName, labStart, labStop, resultsOf, runPlaybook, sh, verifyKeysOnEveryMember,
  writeKeys, type Lab,
} from './harness.js';

const NAME = labName('rke');
const DIR = `/tmp/ringmaster-e2e-${NAME}`;

/** Each node's etcd container ID and start time: a container re-created or restarted changes them. */
async function containers(lab: Lab): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const n of lab.nodes) out[n] = (await sh(lab, n, "docker inspect -f '{{.Id}} {{.State.StartedAt}} {{.RestartCount}}' etcd")).trim();
  return out;
}

describe('the rke flavour: RKE1 etcd containers under a real dockerd per node @lab @e2e', function () {
  this.timeout(120_000);
  let lab: Lab | undefined;

  before(async function () {
    this.timeout(120_000);
    if (!labAvailable()) this.skip();
    rmSync(DIR, { recursive: true, force: true });
    lab = await labStart(NAME, 3, undefined, undefined, 'rke');
    await writeKeys(lab, 1000);
  });

  after(async function () {
    this.timeout(30_000);
    rmSync(DIR, { recursive: true, force: true });
    await labStop(lab, NAME);
  });

  it('is an RKE node: runbook 004\'s commands work verbatim, the container is RKE\'s, the host has no etcd tools', async () => {
    for (const n of lab!.nodes) {
      // Runbook 004, verbatim: RKE's container environment supplies endpoint and certificates.
      const table = await sh(lab!, n, 'docker exec etcd etcdctl --write-out=table member list');
      for (const m of lab!.nodes) expect(table, `${n}:\n${table}`).to.match(new RegExp(`\\| [0-9a-f]{16} \\| started \\| etcd-${m} \\| https://10\\.20\\.30\\.\\d+:2380 \\|`));
      const shape = (await sh(lab!, n, "docker inspect -f '{{.HostConfig.NetworkMode}} {{.HostConfig.RestartPolicy.Name}} {{.Config.Image}} {{index .Config.Labels \"io.rancher.rke.container.name\"}}' etcd")).trim();
      expect(shape).to.equal(`host always rancher/mirrored-coreos-etcd:v${lab!.spec.etcdVersion} etcd`);
      expect(await sh(lab!, n, 'docker logs etcd 2>&1 | tail -n 50')).to.match(/"msg":"(?:serving client traffic securely|ready to serve client requests)"/);
      const tools = await hostShell(lab!.state, n, 'command -v etcdctl etcdutl etcd');
      expect(tools.stdout.trim(), `${n} has etcd tools on PATH`).to.equal('');
      expect(tools.code).to.not.equal(0);
      // The daemon is the node's own: its PID namespace, Debian's 20.10 engine.
      expect((await sh(lab!, n, "docker version --format '{{.Server.Version}}'")).trim()).to.match(/^20\.10\./);
    }
  });

  it('health.yml: healthy, read-only, audits each container\'s own flags (state new on a member with data is a risk), --check changes nothing', async () => {
    const before = await containers(lab!);
    const r = await runPlaybook(lab!, 'health.yml');
    expect(r.exitCode, explain(r)).to.equal(0);
    expect(r.stdout, explain(r)).to.match(/healthy: 3\/3 voters \(etcd-node\d, etcd-node\d, etcd-node\d\), leader etcd-node\d/);
    for (const n of lab!.nodes) {
      const x = resultsOf(r, 'Report manifest findings without failing').find((y) => y.host === n);
      expect(x?.msg, explain(r)).to.equal(`manifest audit of ${n}: risk: container etcd on ${n} says --initial-cluster-state=new but /var/lib/etcd has data: set it to existing (a member that restarts after losing its data would otherwise try to bootstrap a new cluster)`);
    }
    expect(changedCount(r)).to.equal(0);
    const checked = await runPlaybook(lab!, 'health.yml', {}, ['--check']);
    expect(checked.exitCode, explain(checked)).to.equal(0);
    expect(changedCount(checked)).to.equal(0);
    expect(await containers(lab!)).to.deep.equal(before);
    expect(await verifyKeysOnEveryMember(lab!)).to.deep.equal([]);
  });

  it('health.yml finds a leftover --force-new-cluster in a container\'s command (a problem: exit 2)', async () => {
    // A container created by hand with the flag, as an operator mid-recovery would leave it (not started: the
    // audit reads the definition, and a one-member cluster must not run in the lab's ring).
    const n = lab!.nodes[2];
    await sh(lab!, n, "docker rename etcd etcd-real && docker create --name etcd --net=host $(docker inspect -f '{{.Config.Image}}' etcd-real) /usr/local/bin/etcd --name=etcd-node3 --force-new-cluster --initial-cluster-state=existing --data-dir=/var/lib/rancher/etcd/ >/dev/null");
    try {
      const r = await runPlaybook(lab!, 'health.yml');
      expect(r.exitCode, explain(r)).to.equal(2);
      const failed = resultsOf(r, 'Fail on manifest findings').find((x) => x.host === n);
      expect(failed?.status, explain(r)).to.equal('failed');
      expect(failed?.msg).to.contain(`problem: container etcd on ${n} still has --force-new-cluster: remove it`);
    } finally {
      await sh(lab!, n, 'docker rm etcd >/dev/null && docker rename etcd-real etcd');
    }
  });

  it('snapshot-save.yml saves through the container into its data mount, moves it out, fetches it verified; --check saves nothing', async () => {
    const before = await containers(lab!);
    const dest = join(DIR, 'backups');
    const checked = await runPlaybook(lab!, 'snapshot-save.yml', { snapshot_dir: dest, member: 'node2' }, ['--check']);
    expect(checked.exitCode, explain(checked)).to.equal(0);
    expect(() => readdirSync(dest)).to.throw(/ENOENT/);
    const r = await runPlaybook(lab!, 'snapshot-save.yml', { snapshot_dir: dest, member: 'node2' });
    expect(r.exitCode, explain(r)).to.equal(0);
    const files = readdirSync(dest).sort();
    expect(files, explain(r)).to.have.length(2);
    const sidecar = JSON.parse(readFileSync(join(dest, files[1]), 'utf8')) as { file: string; sha256: string; revision: number; key_count: number; member: string };
    expect(sidecar.member).to.equal('etcd-node2');
    expect(sidecar.key_count, 'live keys at the snapshot revision').to.equal(1000);
    expect(sidecar.revision).to.be.above(1);
    expect(createHash('sha256').update(readFileSync(join(dest, sidecar.file))).digest('hex')).to.equal(sidecar.sha256);
    // Nothing left on the node: not in the data dir's mount (etcd's own folder), not in the snapshot folder.
    expect((await sh(lab!, 'node2', 'ls -A /var/lib/etcd; echo --; ls -A /var/lib/etcd-snapshots')).trim()).to.equal('member\n--');
    expect(await containers(lab!)).to.deep.equal(before);
    expect(await verifyKeysOnEveryMember(lab!)).to.deep.equal([]);
  });
});
