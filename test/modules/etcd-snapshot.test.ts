// etcd_snapshot: save+fetch with sidecar and retention, verified distribute, checksum-gated restore into a sibling dir with the swap.
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { downloadInto } from '../../engine/connection/download-target.js';
import type { DownloadOptions, Downloaded } from '../../engine/connection/types.js';
import { validateModuleArgs } from '../../engine/validate/module-args.js';
import { runModule } from './context.js';
import { ScriptedConnection, type Step } from './fake-connection.js';
import { fail, fixture, ok, VARS } from '../etcd/etcd-script.js';

const DATA = 'etcd snapshot bytes';
const SHA = createHash('sha256').update(DATA).digest('hex');
const OTHER = 'f'.repeat(64);
const probe = (file: string, sha: string | undefined, rest = 'absent\nclosed\nnone') => ({ exec: new RegExp(`^sh -c .* probe ${file.replace(/[.]/g, '\\.')} `), reply: { stdout: `${sha ?? 'absent'}\n${rest}\n` } });

/** The snapshot file name carries a timestamp: answer `download` for whatever path the module asks (the controller side is real). */
class SnapshotConnection extends ScriptedConnection {
  constructor(steps: Step[], private readonly data: string) { super(steps); }
  override async download(path: string, localPath: string, options: DownloadOptions = {}): Promise<Downloaded> {
    this.calls.push({ kind: 'download', text: path });
    return downloadInto(this.host, path, localPath, options.mode ?? 0o600, () => writeFile(localPath, this.data));
  }
}

let dir = '';
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'ring-snap-')); });
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function check(conn: ScriptedConnection) {
  expect(conn.unexpected).to.deep.equal([]);
  expect(conn.remaining()).to.deep.equal([]);
}

describe('etcd_snapshot action=save', () => {
  const steps = (): Step[] => [
    { exec: /^mkdir -p -m 0700 \/var\/lib\/etcd-snapshots && sh -c 'set -C && : > "\$1"' reserve \/var\/lib\/etcd-snapshots\/etcd-m1-\d{8}T\d{9}Z-[0-9a-f]{12}\.db$/ },
    { exec: /etcdctl --endpoints=http:\/\/127\.0\.0\.1:24591 .* snapshot save \/var\/lib\/etcd-snapshots\/etcd-m1-\d{8}T\d{9}Z-[0-9a-f]{12}\.db$/, ...ok(fixture('snapshot-save.stdout')) },
    { exec: /^sh -c .* probe \/var\/lib\/etcd-snapshots\/etcd-m1-\d{8}T\d{9}Z-[0-9a-f]{12}\.db /, reply: { stdout: `${SHA}\nabsent\nclosed\nnone\n` } },
    { exec: /etcdctl .* endpoint status -w json$/, ...ok(fixture('endpoint-status.json')) },
    { exec: /etcdctl .* snapshot status \/var\/lib\/etcd-snapshots\/etcd-m1-.*\.db -w json$/, ...ok(fixture('snapshot-status.json')) },
    { exec: /etcdctl .* get '' --from-key --rev=5 --keys-only --limit=1 -w json$/, ...ok(fixture('get-count.json')) },
  ];

  const inspect = (binds: Array<[string, string]>, args = ['--name=m1', '--data-dir=/var/lib/rancher/etcd/']) => ({
    exec: /^sh -c .* inspect etcd$/,
    reply: { stdout: JSON.stringify([{ Name: '/etcd', Path: '/usr/local/bin/etcd', Args: args, State: { Running: true }, Config: { Image: 'rancher/mirrored-coreos-etcd:v3.6.16', Env: [] },
      HostConfig: { Binds: binds.map(([a, b]) => `${a}:${b}:z`), NetworkMode: 'host', RestartPolicy: { Name: 'always' } }, Mounts: binds.map(([a, b]) => ({ Type: 'bind', Source: a, Destination: b })) }]) },
  });
  const DOCKER = { ...VARS, etcdctl_via: 'docker', etcd_flavor: 'docker' };
  // The member runs 3.6 (the fixture's 3.4.23 respelled): its image's etcdutl checks the snapshot.
  const status = { exec: /docker exec -i .* etcd etcdctl endpoint status -w json$/, ...ok(fixture('endpoint-status.json').replace(/3\.4\.23/g, '3.6.16')) };

  it('docker: plans the save into the data dir\'s bind mount, the status with the image\'s etcdutl, and the move out on the host (check mode runs only reads)', async () => {
    const conn = new ScriptedConnection([status, inspect([['/var/lib/etcd', '/var/lib/rancher/etcd/'], ['/etc/kubernetes', '/etc/kubernetes']])]);
    const r = await runModule('etcd_snapshot', conn, { action: 'save', dest: dir }, { vars: DOCKER, check: true });
    check(conn);
    const c = (r.commands as string[]).join('\n');
    expect(c).to.match(/docker exec -i -e ETCDCTL_API=3 .* etcd etcdctl snapshot save \/var\/lib\/rancher\/etcd\/ringmaster-snapshot-\d{8}T\d{9}Z-[0-9a-f]{12}\.db/);
    expect(c).to.match(/docker exec etcd etcdutl snapshot status \/var\/lib\/rancher\/etcd\/ringmaster-snapshot-.*\.db -w json/);
    expect(c).to.match(/move-out \/var\/lib\/etcd\/ringmaster-snapshot-(\d{8}T\d{9}Z-[0-9a-f]{12})\.db \/var\/lib\/etcd-snapshots\/etcd-m1-\1\.db/);
  });

  // kubeadm's pod: the data dir is the etcd-data hostPath volume; crictl inspect shows the runtime's mounts and command.
  const criInspect = (mounts: Array<[string, string]>) => ({
    exec: /^sh -c .*crictl.* ps -q --label io\.kubernetes\.container\.name=etcd --label io\.kubernetes\.pod\.namespace=kube-system --state running .*inspect -o json .* inspect$/,
    reply: { stdout: JSON.stringify({ status: { metadata: { name: 'etcd' }, state: 'CONTAINER_RUNNING', image: { image: 'registry.k8s.io/etcd:3.6.16-0' }, mounts: mounts.map(([h, c]) => ({ hostPath: h, containerPath: c })) },
      info: { config: { command: ['etcd', '--name=m1', '--data-dir=/var/lib/etcd'], args: [] } } }) },
  });
  const CRI = { ...VARS, etcdctl_via: 'crictl' };
  const criStatus = { exec: /exec crictl exec -i "\$id" etcdctl "\$@".*' etcdctl .* endpoint status -w json$/, ...ok(fixture('endpoint-status.json').replace(/3\.4\.23/g, '3.6.16')) };

  it('crictl: saves into the pod\'s etcd-data mount, checks it with the image\'s etcdutl, moves it out on the host (check mode runs only reads)', async () => {
    const conn = new ScriptedConnection([criStatus, criInspect([['/var/lib/etcd', '/var/lib/etcd'], ['/etc/kubernetes/pki/etcd', '/etc/kubernetes/pki/etcd']])]);
    const r = await runModule('etcd_snapshot', conn, { action: 'save', dest: dir }, { vars: CRI, check: true });
    check(conn);
    const c = (r.commands as string[]).join('\n');
    expect(c).to.match(/exec crictl exec -i "\$id" etcdctl "\$@".*' etcdctl .* snapshot save \/var\/lib\/etcd\/ringmaster-snapshot-\d{8}T\d{9}Z-[0-9a-f]{12}\.db/);
    expect(c).to.match(/crictl exec -i "\$\(.*\)" etcdutl snapshot status \/var\/lib\/etcd\/ringmaster-snapshot-.*\.db -w json/);
    expect(c).to.match(/move-out \/var\/lib\/etcd\/ringmaster-snapshot-(\d{8}T\d{9}Z-[0-9a-f]{12})\.db \/var\/lib\/etcd-snapshots\/etcd-m1-\1\.db/);
  });

  it('crictl: refuses, before writing anything, a pod whose data dir is not mounted from the host', async () => {
    const conn = new ScriptedConnection([criStatus, criInspect([['/etc/kubernetes/pki/etcd', '/etc/kubernetes/pki/etcd']])]);
    const err = await runModule('etcd_snapshot', conn, { action: 'save', dest: dir }, { vars: CRI }).catch((e: Error) => e);
    check(conn);
    expect(String(err)).to.match(/the running etcd container \(crictl\) on \S+: its --data-dir \/var\/lib\/etcd is not a bind mount, so a snapshot written inside it would not reach the host/);
  });

  it('docker: refuses, before writing anything, a container whose data dir is not mounted from the host, or that does not exist', async () => {
    const conn = new ScriptedConnection([status, inspect([['/etc/kubernetes', '/etc/kubernetes']])]);
    const err = await runModule('etcd_snapshot', conn, { action: 'save', dest: dir }, { vars: DOCKER }).catch((e: Error) => e);
    check(conn);
    expect(String(err)).to.match(/container etcd on \S+: its --data-dir \/var\/lib\/rancher\/etcd\/ is not a bind mount, so a snapshot written inside it would not reach the host/);
    const gone = new ScriptedConnection([status, { exec: /^sh -c .* inspect etcd$/, reply: { code: 3 } }]);
    const err2 = await runModule('etcd_snapshot', gone, { action: 'save', dest: dir }, { vars: DOCKER }).catch((e: Error) => e);
    check(gone);
    expect(String(err2)).to.match(/container etcd on \S+ does not exist: nothing to save a snapshot from/);
  });

  it('a failed save removes its empty name reservation on the host, and nothing else', async () => {
    const conn = new ScriptedConnection([steps()[0], { exec: (steps()[1] as { exec: RegExp }).exec, ...fail('Error: context deadline exceeded') }, { exec: /^sh -c '\[ -s "\$1" \] \|\| rm -f -- "\$1"' unreserve \/var\/lib\/etcd-snapshots\/etcd-m1-\d{8}T\d{9}Z-[0-9a-f]{12}\.db$/ }]);
    const err = await runModule('etcd_snapshot', conn, { action: 'save', dest: dir }, { vars: VARS }).catch((e: Error) => e);
    check(conn);
    expect((err as Error).message).to.match(/snapshot save .* failed: Error: context deadline exceeded$/);
  });

  it('fetches the snapshot with a JSON sidecar, keeps only the newest `keep`, and removes the member\'s copy', async () => {
    for (const t of ['2020-01-01T00:00:00.000Z', '2020-01-02T00:00:00.000Z']) {
      const f = `etcd-m1-${t.slice(0, 10)}.db`;
      writeFileSync(join(dir, f), 'old');
      writeFileSync(join(dir, `${f}.json`), JSON.stringify({ file: f, member: 'm1', time: t, sha256: OTHER }));
    }
    writeFileSync(join(dir, 'unrelated.db'), 'not ours');
    const conn = new SnapshotConnection([...steps(), { exec: /^rm -f \/var\/lib\/etcd-snapshots\/etcd-m1-\d{8}T\d{9}Z-[0-9a-f]{12}\.db$/ }], DATA);
    // keep as a digit string: what `-e keep=2` renders to; the schema accepts it and retention still counts 2.
    const args = { action: 'save', dest: dir, keep: '2' };
    expect(validateModuleArgs('etcd_snapshot', args)).to.deep.equal([]);
    const r = await runModule('etcd_snapshot', conn, args, { vars: VARS });
    check(conn);
    expect(r).to.include({ changed: true, sha256: SHA, revision: 5, total_keys: 10, size: 28672, member: 'm1', remote_kept: false });
    const sidecar = JSON.parse(readFileSync(`${r.path}.json`, 'utf8'));
    expect(sidecar).to.include({ sha256: SHA, revision: 5, total_keys: 10, key_count: 3, member: 'm1', host: 'node1' });
    expect(readFileSync(r.path as string, 'utf8')).to.equal(DATA);
    expect(r.removed).to.deep.equal([join(dir, 'etcd-m1-2020-01-01.db')]);
    expect(readdirSync(dir).sort()).to.deep.equal(['etcd-m1-2020-01-02.db', 'etcd-m1-2020-01-02.db.json', (r.path as string).split('/').pop(), `${(r.path as string).split('/').pop()}.json`, 'unrelated.db'].sort());
  });

  it('keeps the member\'s copy with keep_remote: true', async () => {
    const conn = new SnapshotConnection(steps(), DATA);
    const r = await runModule('etcd_snapshot', conn, { action: 'save', dest: dir, keep_remote: true }, { vars: VARS });
    check(conn);
    expect(r).to.include({ remote_kept: true });
  });

  it('reads the live server version: a 3.6 member gets etcdutl snapshot status, and an inventory saying 3.5 is reported as drift', async () => {
    const st = steps();
    st[2] = { exec: (st[2] as { exec: RegExp }).exec, reply: { stdout: `${SHA}\nabsent\nclosed\netcdutl\n3.6.16\n3.6.16\n` } };
    st[3] = { exec: (st[3] as { exec: RegExp }).exec, ...ok(fixture('endpoint-status.json').replace(/"version":"3\.4\.23"/g, '"version":"3.6.16"')) };
    st[4] = { exec: /^etcdutl snapshot status \/var\/lib\/etcd-snapshots\/etcd-m1-.*\.db -w json$/, ...ok(fixture('snapshot-status.json')) };
    const conn = new SnapshotConnection(st, DATA);
    const r = await runModule('etcd_snapshot', conn, { action: 'save', dest: dir, keep_remote: true }, { vars: { ...VARS, etcd_version: '3.5.15' } });
    check(conn);
    expect(r).to.include({ etcd_version_live: '3.6.16', version_drift: 'etcd_version in the inventory says 3.5.15 but the member runs 3.6.16' });
  });

  it('fails when the fetched bytes do not match the checksum taken on the host', async () => {
    const conn = new SnapshotConnection(steps(), 'truncated');
    const err = await runModule('etcd_snapshot', conn, { action: 'save', dest: dir }, { vars: VARS }).catch((e) => e);
    expect(err.message).to.match(/changed in transit: sha256 [0-9a-f]{64} on the controller, [0-9a-f]{64} on the host/);
    expect(readdirSync(dir)).to.deep.equal([]);
  });

  it('in check mode prints the commands and runs none', async () => {
    const conn = new ScriptedConnection([]);
    const r = await runModule('etcd_snapshot', conn, { action: 'save', dest: dir }, { vars: VARS, check: true });
    expect(conn.calls).to.deep.equal([]);
    expect(r.commands).to.have.length(7);
    expect((r.commands as string[])[6]).to.match(/^rm -f \/var\/lib\/etcd-snapshots\/etcd-m1-\d{8}T\d{9}Z-[0-9a-f]{12}\.db$/);
    expect((r.commands as string[])[4]).to.match(/get '' --from-key --rev=REVISION --keys-only --limit=1 -w json$/);
    expect((r.commands as string[])[1]).to.match(/snapshot save \/var\/lib\/etcd-snapshots\/etcd-m1-/);
  });
});

describe('etcd_snapshot action=distribute', () => {
  const write = () => {
    writeFileSync(join(dir, 's.db'), DATA);
    writeFileSync(join(dir, 's.db.json'), JSON.stringify({ sha256: SHA }));
    return join(dir, 's.db');
  };
  const TARGET = '/var/lib/etcd-snapshots/s.db';

  it('puts the file and verifies the checksum on arrival, leaving a .sha256 beside it', async () => {
    const conn = new ScriptedConnection([probe(TARGET, undefined), { exec: 'mkdir -p -m 0700 /var/lib/etcd-snapshots' }, { put: TARGET, content: DATA }, probe(TARGET, SHA), { put: `${TARGET}.sha256`, content: `${SHA}\n` }]);
    const r = await runModule('etcd_snapshot', conn, { action: 'distribute', src: write() }, { vars: VARS });
    check(conn);
    expect(r).to.include({ changed: true, path: TARGET, sha256: SHA });
  });

  it('fails when the copy on the host does not match', async () => {
    const conn = new ScriptedConnection([probe(TARGET, undefined), { exec: /mkdir/ }, { put: TARGET }, probe(TARGET, OTHER)]);
    const err = await runModule('etcd_snapshot', conn, { action: 'distribute', src: write() }, { vars: VARS }).catch((e) => e);
    expect(err.message).to.match(/snapshot checksum mismatch on arrival at \/var\/lib\/etcd-snapshots\/s\.db: f{64}, expected/);
  });

  it('is a no-op when the host already holds the same snapshot', async () => {
    const conn = new ScriptedConnection([probe(TARGET, SHA)]);
    const r = await runModule('etcd_snapshot', conn, { action: 'distribute', src: write() }, { vars: VARS });
    expect(r).to.include({ changed: false });
    expect(r.msg).to.match(/already holds this snapshot/);
  });
});

describe('etcd_snapshot action=restore', () => {
  const SNAP = '/var/lib/etcd-snapshots/s.db';
  const vars = {
    ...VARS, etcd_data_dir: '/var/lib/etcd', etcd_client_url: 'https://10.0.0.11:2379', etcd_cluster_token: 'tok',
    groups: { etcd: ['node1', 'node2'] },
    hostvars: { node1: { etcd_name: 'm1', etcd_peer_url: 'http://127.0.0.1:24691' }, node2: { etcd_name: 'm2', etcd_peer_url: 'http://127.0.0.1:24692' } },
  };
  const SUM = { exec: `cat -- ${SNAP}.sha256`, reply: { stdout: `${SHA}\n` } };
  const PROBE = (sha: string, port = 'closed', tool = 'none', ctl = '') => ({ exec: /^sh -c .* probe \/var\/lib\/etcd-snapshots\/s\.db \/var\/lib\/etcd 2379$/, reply: { stdout: `${sha}\nexists\n${port}\n${tool}\n${ctl}\n${tool === 'etcdutl' ? ctl : ''}\n` } });
  const RESTORE = /^env ETCDCTL_API=3 etcdctl snapshot restore \/var\/lib\/etcd-snapshots\/s\.db --name=m1 --initial-cluster=m1=http:\/\/127\.0\.0\.1:24691,m2=http:\/\/127\.0\.0\.1:24692 --initial-cluster-token=tok --initial-advertise-peer-urls=http:\/\/127\.0\.0\.1:24691 --data-dir=\/var\/lib\/etcd\.restore-(\d{8}T\d{9}Z-[0-9a-f]{12})$/;
  const MOVE = (from: string, to: string) => `sh -c '[^']*mv -n -T -- "\\$1" "\\$2"[^']*' move ${from} ${to}`;
  const SWAP = new RegExp(`^${MOVE('/var/lib/etcd', '/var/lib/etcd\\.before-restore-(\\d{8}T\\d{9}Z-[0-9a-f]{12})')} && ${MOVE('/var/lib/etcd\\.restore-\\1', '/var/lib/etcd')}$`);

  it('restores into a sibling directory and swaps it in, keeping the old data dir aside', async () => {
    const conn = new ScriptedConnection([SUM, PROBE(SHA), { exec: RESTORE }, { exec: SWAP }]);
    const r = await runModule('etcd_snapshot', conn, { action: 'restore', path: SNAP }, { vars });
    check(conn);
    expect(r).to.include({ changed: true, data_dir: '/var/lib/etcd', tool: 'etcdctl', bumped: false });
    expect(r.previous_data_dir).to.match(/^\/var\/lib\/etcd\.before-restore-\d{8}T\d{9}Z-[0-9a-f]{12}$/);
    expect(r.msg).to.contain(r.previous_data_dir as string);
  });

  it('refuses on a checksum mismatch before running anything that changes the host', async () => {
    const conn = new ScriptedConnection([SUM, PROBE(OTHER)]);
    const err = await runModule('etcd_snapshot', conn, { action: 'restore', path: SNAP }, { vars }).catch((e) => e);
    expect(err.message).to.equal(`snapshot checksum mismatch for ${SNAP}: sha256 ${OTHER}, expected ${SHA}`);
    expect(err.hint).to.match(/nothing was changed/);
    check(conn);
  });

  it('refuses while etcd still answers on the host', async () => {
    const conn = new ScriptedConnection([SUM, PROBE(SHA, 'open')]);
    const err = await runModule('etcd_snapshot', conn, { action: 'restore', path: SNAP }, { vars }).catch((e) => e);
    expect(err.message).to.match(/etcd still answers on node1/);
  });

  it('refuses a snapshot whose expected checksum is unknown', async () => {
    const conn = new ScriptedConnection([{ exec: `cat -- ${SNAP}.sha256`, reply: { code: 1, stderr: 'No such file' } }]);
    const err = await runModule('etcd_snapshot', conn, { action: 'restore', path: SNAP }, { vars }).catch((e) => e);
    expect(err.message).to.match(/no expected checksum/);
  });

  it('uses etcdutl with --bump-revision and --mark-compacted on 3.5 when it is installed', async () => {
    const conn = new ScriptedConnection([PROBE(SHA, 'closed', 'etcdutl'), { exec: /^etcdutl snapshot restore .* --data-dir=\/var\/lib\/etcd\.restore-\d{8}T\d{9}Z-[0-9a-f]{12} --bump-revision=1000000000 --mark-compacted$/ }, { exec: SWAP }]);
    const r = await runModule('etcd_snapshot', conn, { action: 'restore', path: SNAP, sha256: SHA }, { vars: { ...vars, etcd_version: '3.5.15' } });
    expect(r).to.include({ tool: 'etcdutl', bumped: true });
    check(conn);
  });

  it('uses etcdutl when etcd_version is unset but the host\'s etcdctl says 3.6 (the version is read, not assumed)', async () => {
    const conn = new ScriptedConnection([PROBE(SHA, 'closed', 'etcdutl', '3.6.16'), { exec: /^etcdutl snapshot restore .* --bump-revision=1000000000 --mark-compacted$/ }, { exec: SWAP }]);
    const r = await runModule('etcd_snapshot', conn, { action: 'restore', path: SNAP, sha256: SHA }, { vars: { ...vars, etcd_version: undefined } });
    expect(r).to.include({ tool: 'etcdutl', bumped: true });
    check(conn);
  });

  it('bumps the revision with etcdctl itself where it can (3.5.10+, 3.4.27+) and not on 3.4.23', async () => {
    for (const [ctl, bumped] of [['3.5.12', true], ['3.4.27', true], ['3.4.23', false], ['3.5.9', false]] as const) {
      const restore = bumped ? new RegExp(`${RESTORE.source.slice(0, -1)} --bump-revision=1000000000 --mark-compacted$`) : RESTORE;
      const conn = new ScriptedConnection([PROBE(SHA, 'closed', 'none', ctl), { exec: restore }, { exec: SWAP }]);
      const r = await runModule('etcd_snapshot', conn, { action: 'restore', path: SNAP, sha256: SHA }, { vars: { ...vars, etcd_version: undefined } });
      expect(r, ctl).to.include({ tool: 'etcdctl', bumped });
      check(conn);
    }
  });

  it('refuses, running nothing, on a 3.6 host without etcdutl even when the inventory still says 3.4', async () => {
    const conn = new ScriptedConnection([SUM, PROBE(SHA, 'closed', 'none', '3.6.16')]);
    const err = await runModule('etcd_snapshot', conn, { action: 'restore', path: SNAP }, { vars }).catch((e) => e);
    expect(err.message).to.equal('snapshot restore on node1 needs etcdutl: etcdctl 3.6.16 has no `snapshot restore` (removed in etcd 3.6) and etcdutl is not on the host\'s PATH; nothing was changed');
    expect(err.hint).to.match(/install etcdutl of the cluster's version/);
    check(conn);
  });

  it('in check mode verifies the checksum and prints the restore and swap without running them', async () => {
    const conn = new ScriptedConnection([SUM, PROBE(SHA)]);
    const r = await runModule('etcd_snapshot', conn, { action: 'restore', path: SNAP }, { vars, check: true });
    check(conn);
    expect(r.commands).to.have.length(2);
    expect((r.commands as string[])[0]).to.match(RESTORE);
  });

  it('in check mode plans the restore when the earlier distribute and stop only planned too', async () => {
    const conn = new ScriptedConnection([{ exec: /^sh -c .* probe \/var\/lib\/etcd-snapshots\/s\.db /, reply: { stdout: 'absent\nexists\nopen\nnone\n' } }]);
    const r = await runModule('etcd_snapshot', conn, { action: 'restore', path: SNAP, sha256: SHA }, { vars, check: true });
    check(conn);
    expect(r).to.include({ changed: true, initial_cluster: 'm1=http://127.0.0.1:24691,m2=http://127.0.0.1:24692', initial_cluster_token: 'tok' });
    expect((r.commands as string[])[0]).to.match(RESTORE);
  });
});

describe('etcd_snapshot action=verify', () => {
  const write = (sidecar: object | undefined, data = DATA) => {
    writeFileSync(join(dir, 's.db'), data);
    if (sidecar) writeFileSync(join(dir, 's.db.json'), JSON.stringify(sidecar));
    return join(dir, 's.db');
  };

  it('returns the sidecar of a controller snapshot whose checksum matches, touching no host', async () => {
    const conn = new ScriptedConnection([]);
    const r = await runModule('etcd_snapshot', conn, { action: 'verify', src: write({ sha256: SHA, revision: 7, total_keys: 20, key_count: 3, member: 'm1' }) }, { vars: VARS });
    expect(conn.calls).to.deep.equal([]);
    expect(r).to.include({ changed: false, sha256: SHA, revision: 7, key_count: 3 });
  });

  it('refuses a snapshot that fails its checksum, saying nothing was changed', async () => {
    const err = await runModule('etcd_snapshot', new ScriptedConnection([]), { action: 'verify', src: write({ sha256: OTHER }) }, { vars: VARS }).catch((e) => e);
    expect(err.message).to.match(/fails its checksum: sha256 [0-9a-f]{64}, expected f{64}; nothing was changed/);
  });

  it('refuses a snapshot without a sidecar or an explicit sha256', async () => {
    const err = await runModule('etcd_snapshot', new ScriptedConnection([]), { action: 'verify', src: write(undefined) }, { vars: VARS }).catch((e) => e);
    expect(err.message).to.match(/has no sidecar .*s\.db\.json and no sha256 was given/);
  });
});

describe('etcd_snapshot action=status', () => {
  it('reports the revision and key count of a snapshot on the host', async () => {
    const conn = new ScriptedConnection([probe('/tmp/s.db', SHA), { exec: /snapshot status \/tmp\/s\.db -w json$/, ...ok(fixture('snapshot-status.json')) }]);
    const r = await runModule('etcd_snapshot', conn, { action: 'status', path: '/tmp/s.db' }, { vars: VARS });
    expect(r).to.include({ changed: false, revision: 5, total_keys: 10, sha256: SHA });
  });

  it("fails with etcdctl's reason for a truncated file", async () => {
    const conn = new ScriptedConnection([probe('/tmp/s.db', SHA), { exec: /snapshot status/, reply: { code: 1, stderr: fixture('snapshot-status-bad.stderr') } }]);
    const err = await runModule('etcd_snapshot', conn, { action: 'status', path: '/tmp/s.db' }, { vars: VARS }).catch((e) => e);
    expect(err.message).to.match(/failed: Error: file size too small$/);
  });
});
