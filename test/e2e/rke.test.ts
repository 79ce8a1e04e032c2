// e2e on the rke flavour: RKE1's etcd container under a real dockerd per node, no etcd tools on the host. What holds
// here holds for the docker flavour on Debian's docker.io 20.10 with the default etcd line; nothing more is claimed.
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { shellQuote } from '../../engine/connection/command.js';
import { etcdctl } from '../../engine/lab/etcd-query.js';
import { hostShell } from '../../engine/lab/hosts.js';
import { rkeEtcdRunArgs } from '../../engine/lab/rke.js';
import {
  changedCount, endpointsOf, explain, labAvailable, labName, labStart, labStop, members, resultsOf, runPlaybook, sh,
  verifyKeysOnEveryMember, writeKeys, type Lab,
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

  it('is an RKE node: runbook 004\'s commands work verbatim (member list, member remove of a stale member), the container is RKE\'s, the host has no etcd tools', async () => {
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
    // Runbook 004's fix, verbatim: a member that never started removed by its ID with RKE's container environment.
    // (etcd refuses `member add` for a few seconds after its members started: retried with a deadline.)
    const added = await sh(lab!, 'node1', `for i in $(seq 1 60); do ${etcdctl(lab!.spec, endpointsOf(lab!))} member add etcd-node9 --peer-urls=https://10.20.30.109:2380 2>/tmp/add.err && exit 0; sleep 0.5; done; cat /tmp/add.err >&2; exit 1`, 60_000);
    const id = /Member ([0-9a-f]{16}) added/.exec(added)?.[1];
    expect(id, added).to.be.a('string');
    expect(await sh(lab!, 'node1', `docker exec etcd etcdctl member remove ${id}`)).to.contain(`Member ${id} removed`);
    expect((await members(lab!)).map((m) => m.name)).to.deep.equal(['etcd-node1', 'etcd-node2', 'etcd-node3']);
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

  it('replace-member.yml re-creates the container from docker inspect: a new member ID, the operator\'s flags, label and env kept, state existing; a stale fourth member (runbook 004) removed first; --check changes nothing', async () => {
    // node3's container as an operator tuned it: an extra flag, label and variable RKE never set.
    const node = lab!.spec.etcdNodes[2];
    const args = rkeEtcdRunArgs(lab!.spec, node, lab!.spec.etcdVersion);
    const image = args.findIndex((a) => a.startsWith('rancher/'));
    const tuned = [...args.slice(0, image), '--label', 'ops.example/owner=sre', '-e', 'TZ=UTC', ...args.slice(image), '--quota-backend-bytes=4294967296'];
    await sh(lab!, node.name, `docker rm -f etcd >/dev/null && docker ${tuned.map(shellQuote).join(' ')} >/dev/null`);
    await sh(lab!, 'node1', `for i in $(seq 1 100); do ${etcdctl(lab!.spec, endpointsOf(lab!))} endpoint health >/dev/null 2>&1 && exit 0; sleep 0.2; done; exit 1`);
    // Runbook 004's trap: a member added for a node that never came (it raises the quorum to 3 of 4).
    // etcd refuses `member add` ("unhealthy cluster") for a few seconds after a member restarted: retry with a deadline.
    await sh(lab!, 'node1', `for i in $(seq 1 60); do ${etcdctl(lab!.spec, endpointsOf(lab!))} member add etcd-node4 --peer-urls=https://10.20.30.104:2380 >/dev/null 2>/tmp/add.err && exit 0; sleep 0.5; done; cat /tmp/add.err >&2; exit 1`, 60_000);
    const before = await members(lab!);
    expect(before, 'the stale member is there').to.have.length(4);
    const ids = await containers(lab!);
    const checked = await runPlaybook(lab!, 'replace-member.yml', { target: 'node3', force: 'true', snapshot_dir: join(DIR, 'replace') }, ['--check']);
    expect(checked.exitCode, explain(checked)).to.equal(0);
    expect(await containers(lab!)).to.deep.equal(ids);
    expect(await members(lab!)).to.deep.equal(before);

    const r = await runPlaybook(lab!, 'replace-member.yml', { target: 'node3', force: 'true', snapshot_dir: join(DIR, 'replace') });
    expect(r.exitCode, explain(r)).to.equal(0);
    const after = await members(lab!);
    expect(after.map((m) => m.name), 'the stale member is gone, node3 is back').to.deep.equal(['etcd-node1', 'etcd-node2', 'etcd-node3']);
    expect(after.every((m) => m.started && !m.isLearner)).to.equal(true);
    expect(after.find((m) => m.name === 'etcd-node3')!.id).to.not.equal(before.find((m) => m.name === 'etcd-node3')!.id);
    const d = (JSON.parse(await sh(lab!, 'node3', 'docker inspect etcd')) as Array<{ Args: string[]; Config: { Labels: Record<string, string>; Env: string[] }; HostConfig: { RestartPolicy: { Name: string } } }>)[0];
    const [argv, labels, env, restart] = [d.Args, d.Config.Labels, d.Config.Env, d.HostConfig.RestartPolicy.Name];
    expect(argv).to.include('--quota-backend-bytes=4294967296').and.include('--initial-cluster-state=existing').and.include('--name=etcd-node3');
    expect(argv.find((a) => a.startsWith('--initial-cluster='))).to.equal('--initial-cluster=etcd-node1=https://10.20.30.101:2380,etcd-node2=https://10.20.30.102:2380,etcd-node3=https://10.20.30.103:2380');
    expect(labels['ops.example/owner']).to.equal('sre');
    expect(labels['io.rancher.rke.container.name']).to.equal('etcd');
    expect(env).to.include('TZ=UTC').and.include('ETCDCTL_ENDPOINTS=https://127.0.0.1:2379');
    expect(restart).to.equal('always');
    // The previous container is kept, stopped, and can never be restarted by the daemon; the old data is kept aside.
    const kept = (await sh(lab!, 'node3', "docker ps -a --filter name=etcd-ringmaster- --format '{{.Names}} {{.State}}'")).trim().split('\n');
    expect(kept, 'one previous container').to.have.length(1);
    expect(kept[0]).to.match(/^etcd-ringmaster-\d{8}T\d{9}Z-[0-9a-f]{12} exited$/);
    expect((await sh(lab!, 'node3', `docker inspect -f '{{.HostConfig.RestartPolicy.Name}}' ${kept[0].split(' ')[0]}`)).trim()).to.equal('no');
    expect((await sh(lab!, 'node3', 'ls -d /var/lib/etcd.replaced-*')).trim().split('\n')).to.have.length(1);
    expect(await verifyKeysOnEveryMember(lab!)).to.deep.equal([]);
    const health = await runPlaybook(lab!, 'health.yml');
    expect(health.exitCode, explain(health)).to.equal(0);
    expect(resultsOf(health, 'Report manifest findings without failing').find((x) => x.host === 'node3')?.status, 'node3 now says existing').to.equal('skipped');
  });

  it('snapshot-restore.yml restores every member in throwaway containers from the member\'s own image: the snapshot\'s 1000 keys on every member, a later write gone; --check changes nothing', async function () {
    this.timeout(240_000);
    const dest = join(DIR, 'restore');
    const saved = await runPlaybook(lab!, 'snapshot-save.yml', { snapshot_dir: dest });
    expect(saved.exitCode, explain(saved)).to.equal(0);
    const snapshot = join(dest, readdirSync(dest).find((f) => f.endsWith('.db'))!);
    await sh(lab!, 'node1', `${etcdctl(lab!.spec, endpointsOf(lab!))} put /e2e/after-the-snapshot x >/dev/null`);
    const ids = await containers(lab!);
    const checked = await runPlaybook(lab!, 'snapshot-restore.yml', { snapshot, backup_dir: join(DIR, 'restore-safety') }, ['--check']);
    expect(checked.exitCode, explain(checked)).to.equal(0);
    expect(await containers(lab!)).to.deep.equal(ids);
    const r = await runPlaybook(lab!, 'snapshot-restore.yml', { snapshot, backup_dir: join(DIR, 'restore-safety') });
    expect(r.exitCode, explain(r)).to.equal(0);
    expect(r.stdout).to.match(/restored revision \d+ and 1000 keys match the snapshot/);
    expect(await verifyKeysOnEveryMember(lab!)).to.deep.equal([]);
    for (const n of lab!.nodes) {
      // No etcd tool ever ran on the host: the restore ran in a container, and left no throwaway container behind.
      expect((await sh(lab!, n, "docker ps -a --format '{{.Image}} {{.Names}}' | grep -v ' etcd' || true")).trim(), n).to.equal('');
      expect((await sh(lab!, n, 'ls -d /var/lib/etcd.before-restore-* | wc -l')).trim(), `${n} keeps its old data dir`).to.equal('1');
      expect((await sh(lab!, n, "docker inspect -f '{{json .Args}}' etcd")), n).to.contain('"--initial-cluster-state=existing"');
    }
    const health = await runPlaybook(lab!, 'health.yml');
    expect(health.exitCode, explain(health)).to.equal(0);
  });

  it('recover-quorum.yml brings the ring back from the one member left: the others fenced and re-added, no --force-new-cluster left in any container, 1000 keys on every member', async function () {
    this.timeout(240_000);
    for (const n of ['node2', 'node3']) await sh(lab!, n, 'docker stop -t 10 etcd >/dev/null');
    const r = await runPlaybook(lab!, 'recover-quorum.yml', { backup_dir: join(DIR, 'recover') });
    expect(r.exitCode, explain(r)).to.equal(0);
    const after = await members(lab!);
    expect(after.map((m) => m.name)).to.deep.equal(['etcd-node1', 'etcd-node2', 'etcd-node3']);
    expect(after.every((m) => m.started && !m.isLearner)).to.equal(true);
    for (const n of lab!.nodes) expect(await sh(lab!, n, "docker inspect -f '{{json .Args}}' etcd"), n).to.not.contain('force-new-cluster');
    expect(await verifyKeysOnEveryMember(lab!)).to.deep.equal([]);
    const health = await runPlaybook(lab!, 'health.yml');
    expect(health.exitCode, explain(health)).to.equal(0);
    // A second run finds quorum intact and changes nothing (exit 8: the guard refuses).
    const again = await runPlaybook(lab!, 'recover-quorum.yml', { backup_dir: join(DIR, 'recover') });
    expect(again.exitCode, explain(again)).to.equal(8);
    expect(changedCount(again)).to.equal(0);
  });

  it('repair-key.yml deletes exactly one key after a snapshot through the container, keeping its raw value', async () => {
    const before = await containers(lab!);
    const r = await runPlaybook(lab!, 'repair-key.yml', { key: '/e2e/key-0007', backup_dir: join(DIR, 'repair') });
    expect(r.exitCode, explain(r)).to.equal(0);
    const saved = readdirSync(join(DIR, 'repair', 'keys'));
    expect(saved).to.have.length(1);
    expect(readFileSync(join(DIR, 'repair', 'keys', saved[0]), 'utf8')).to.contain(Buffer.from('v7-a').toString('base64'));
    expect(readdirSync(join(DIR, 'repair')).filter((f) => f.endsWith('.db'))).to.have.length(1);
    const problems = await verifyKeysOnEveryMember(lab!);
    expect(problems.filter((p) => !/key-0007|999 keys under/.test(p))).to.deep.equal([]);
    expect(problems.filter((p) => /key-0007 = missing/.test(p))).to.have.length(3);
    expect(await containers(lab!)).to.deep.equal(before);
  });
});
