// e2e: snapshot-save.yml on the lab: leader by default or a named member, checksum sidecar, retention, bad input and --check.
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { etcdctl } from '../../engine/lab/etcd-query.js';
import {
  clusterFingerprint, endpointsOf, explain, labAvailable, labName, settledLab, labStop,  resultsOf, runPlaybook,
  sh, verifyKeys, writeKeys, type CliRun, type Lab,
} from './harness.js';

const NAME = labName('ss');
const SAVE_TASK = 'Save the snapshot and fetch it to the controller';
const REMOTE_DIR = '/var/lib/etcd-snapshots';

/** The sidecar the playbook writes next to each snapshot. */
interface Sidecar { file: string; sha256: string; revision: number; total_keys: number; key_count?: number; member: string; host: string }

describe('snapshot-save.yml on the lab @lab @e2e', function () {
  this.timeout(60_000);
  let lab: Lab | undefined;
  let dir = '';
  let n = 0;

  before(async function () {
    this.timeout(60_000);
    if (!labAvailable()) this.skip();
    lab = await settledLab(NAME);
  });

  after(async function () {
    this.timeout(30_000);
    rmSync(`/tmp/ringmaster-e2e-${NAME}`, { recursive: true, force: true });
    await labStop(lab, NAME);
  });

  beforeEach(async () => {
    dir = `/tmp/ringmaster-e2e-${NAME}/s${++n}`;
    await writeKeys(lab!, 1000);
  });

  const save = (vars: Record<string, string> = {}, flags: string[] = []) => runPlaybook(lab!, 'snapshot-save.yml', { snapshot_dir: dir, ...vars }, flags);

  /** Members, manifests and data dirs; the snapshot folder a save creates on its member is the expected by-product. */
  const fingerprint = async () => (await clusterFingerprint(lab!)).split('\n').filter((l) => l !== REMOTE_DIR).join('\n');

  /** Snapshot files (with their sidecars) on every node. */
  const remoteSnapshots = async () => Promise.all(lab!.nodes.map((node) => sh(lab!, node, `ls ${REMOTE_DIR} 2>/dev/null; true`)));

  /** The one save result of a run, and its controller file checked against its sidecar with a checksum computed here. */
  function savedFile(r: CliRun): { host: string; path: string; sidecar: Sidecar } {
    const done = resultsOf(r, SAVE_TASK).filter((x) => x.status === 'changed');
    expect(done, explain(r)).to.have.length(1);
    const path = done[0].result?.path as string;
    expect(existsSync(path), path).to.equal(true);
    const sidecar = JSON.parse(readFileSync(`${path}.json`, 'utf8')) as Sidecar;
    expect(sidecar.sha256).to.equal(createHash('sha256').update(readFileSync(path)).digest('hex'));
    expect(sidecar.file).to.equal(path.split('/').pop());
    return { host: done[0].host, path, sidecar };
  }

  /** etcd's current revision, asked from the cluster (nothing writes between a save and this read). */
  const liveRevision = async () =>
    Number((JSON.parse(await sh(lab!, 'node1', `${etcdctl(lab!.spec, endpointsOf(lab!))} get /e2e/key-0000 -w json`)) as { header: { revision: number } }).header.revision);

  it('saves from the leader by default, with a sidecar whose checksum, revision and key counts match the cluster', async () => {
    const before = await fingerprint();
    const r = await save();
    expect(r.exitCode, explain(r)).to.equal(0);
    const leader = (resultsOf(r, 'Find a healthy cluster and its leader')[0]?.result as { leader: string }).leader;
    const { host, path, sidecar } = savedFile(r);
    expect(host).to.equal(leader);
    expect(sidecar.member).to.equal(leader);
    // the verified controller copy is the snapshot: the member's disk keeps none of them
    expect(await sh(lab!, host, `ls ${REMOTE_DIR} 2>/dev/null; true`)).to.equal('');
    expect(sidecar.revision).to.equal(await liveRevision());
    expect(sidecar.total_keys).to.be.at.least(1000);
    expect(sidecar.key_count).to.equal(1000);
    expect(r.stdout).to.contain(`snapshot ${path} (sha256 ${sidecar.sha256}, revision ${sidecar.revision}, ${sidecar.total_keys} keys)`);
    expect(await fingerprint()).to.equal(before);
    expect(await verifyKeys(lab!)).to.deep.equal([]);
  });

  it('saves from a named member, and keep=2 after three saves leaves two snapshots and two sidecars', async () => {
    const paths: string[] = [];
    for (let i = 0; i < 3; i++) {
      // Snapshot names carry a timestamp with one-second resolution: two saves of one member within a second share a name.
      if (i > 0) await new Promise((done) => setTimeout(done, 1000));
      const r = await save({ member: 'node2', keep: '2' });
      expect(r.exitCode, explain(r)).to.equal(0);
      const { host, path, sidecar } = savedFile(r);
      expect([host, sidecar.member]).to.deep.equal(['node2', 'node2']);
      expect(sidecar.key_count).to.equal(1000);
      paths.push(path);
    }
    expect(new Set(paths).size).to.equal(3);
    const left = readdirSync(dir).sort();
    const kept = paths.slice(1).map((p) => p.split('/').pop()!);
    expect(left).to.deep.equal(kept.flatMap((f) => [f, `${f}.json`]).sort());
    expect(await verifyKeys(lab!)).to.deep.equal([]);
  });

  it('refuses a member that is not in the etcd group before anything runs', async () => {
    const before = [await fingerprint(), ...(await remoteSnapshots())];
    const r = await save({ member: 'bastion' });
    expect(r.exitCode, explain(r)).to.equal(2);
    expect(r.stdout).to.contain('member must be empty (the leader) or a host of the etcd group (node1, node2, node3)');
    expect(r.results.filter((x) => x.status !== 'failed' && x.status !== 'skipped').map((x) => x.task)).to.deep.equal([]);
    expect(existsSync(dir)).to.equal(false);
    expect([await fingerprint(), ...(await remoteSnapshots())]).to.deep.equal(before);
  });

  it('writes nothing on the controller nor on the nodes in --check mode, and shows the etcdctl command it would run', async () => {
    const before = [await fingerprint(), ...(await remoteSnapshots())];
    const r = await save({ member: 'node3' }, ['--check']);
    expect(r.exitCode, explain(r)).to.equal(0);
    const planned = resultsOf(r, SAVE_TASK).find((x) => x.host === 'node3');
    expect(planned?.commands?.some((c) => / snapshot save \/var\/lib\/etcd-snapshots\/etcd-node3-\d{8}T\d{9}Z-[0-9a-f]{12}\.db$/.test(c)), explain(r)).to.equal(true);
    expect(existsSync(dir)).to.equal(false);
    expect([await fingerprint(), ...(await remoteSnapshots())]).to.deep.equal(before);
    expect(await verifyKeys(lab!)).to.deep.equal([]);
  });
});
