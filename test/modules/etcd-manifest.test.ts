// etcd_manifest: kubeadm-equivalent rendering, in-place flag edits, atomic write with the backup outside manifests/.
import { expect } from 'chai';
import { readFlags } from '../../engine/etcd/manifest.js';
import { runModule } from './context.js';
import { ScriptedConnection, type Step } from './fake-connection.js';

const vars = {
  etcd_name: 'node1', etcd_peer_url: 'https://10.0.0.11:2380', etcd_client_url: 'https://10.0.0.11:2379', etcd_version: '3.5.15',
};
const READ = /^sh -c .* read \/etc\/kubernetes\/manifests\/etcd\.yaml$/;
const STAGED = '/etc/kubernetes/ringmaster/.etcd.yaml.ringmaster-new';
const ABSENT = { exec: READ, reply: { code: 3 } };
/** The copy etcd_service holds while the member is stopped (read when the manifest itself is absent). */
const HELD = /^sh -c .* read \/etc\/kubernetes\/ringmaster\/etcd\.yaml$/;
const HELD_ABSENT = { exec: HELD, reply: { code: 3 } };

async function run(steps: Step[], args: Record<string, unknown>, o: { check?: boolean; diff?: boolean; vars?: Record<string, unknown> } = {}) {
  const conn = new ScriptedConnection(steps);
  const result = await runModule('etcd_manifest', conn, args, { vars: o.vars ?? vars, check: o.check, diff: o.diff });
  expect(conn.unexpected).to.deep.equal([]);
  expect(conn.remaining()).to.deep.equal([]);
  return { result, conn };
}

async function rendered(v: Record<string, unknown> = vars, args: Record<string, unknown> = {}): Promise<string> {
  const { conn } = await run([ABSENT, HELD_ABSENT, { exec: 'mkdir -p -m 0700 /etc/kubernetes/ringmaster' }, { put: STAGED }, { exec: `mkdir -p /etc/kubernetes/manifests && mv -f -- ${STAGED} /etc/kubernetes/manifests/etcd.yaml` }], args, { vars: v });
  return conn.calls.find((c) => c.kind === 'put')!.content!.toString();
}

describe('etcd_manifest mode=render', () => {
  it("writes the flags kubeadm writes for a first member of etcd 3.5, staged outside manifests/ then moved in", async () => {
    const flags = readFlags(await rendered());
    expect(Object.fromEntries(flags)).to.deep.equal({
      'advertise-client-urls': 'https://10.0.0.11:2379',
      'cert-file': '/etc/kubernetes/pki/etcd/server.crt',
      'client-cert-auth': 'true',
      'data-dir': '/var/lib/etcd',
      'experimental-initial-corrupt-check': 'true',
      'experimental-watch-progress-notify-interval': '5s',
      'initial-advertise-peer-urls': 'https://10.0.0.11:2380',
      'initial-cluster': 'node1=https://10.0.0.11:2380',
      'key-file': '/etc/kubernetes/pki/etcd/server.key',
      'listen-client-urls': 'https://127.0.0.1:2379,https://10.0.0.11:2379',
      'listen-metrics-urls': 'http://127.0.0.1:2381',
      'listen-peer-urls': 'https://10.0.0.11:2380',
      name: 'node1',
      'peer-cert-file': '/etc/kubernetes/pki/etcd/peer.crt',
      'peer-client-cert-auth': 'true',
      'peer-key-file': '/etc/kubernetes/pki/etcd/peer.key',
      'peer-trusted-ca-file': '/etc/kubernetes/pki/etcd/ca.crt',
      'snapshot-count': '10000',
      'trusted-ca-file': '/etc/kubernetes/pki/etcd/ca.crt',
    });
  });

  it('switches to the feature gate and graduated flag for etcd 3.6, and writes a joining member as existing', async () => {
    const text = await rendered({ ...vars, etcd_version: '3.6.4' }, { initial_cluster: 'node1=https://10.0.0.11:2380,node2=https://10.0.0.12:2380', initial_cluster_state: 'existing' });
    const flags = readFlags(text);
    expect(flags.get('feature-gates')).to.equal('InitialCorruptCheck=true');
    expect(flags.get('watch-progress-notify-interval')).to.equal('5s');
    expect(flags.has('experimental-initial-corrupt-check')).to.equal(false);
    expect(flags.get('initial-cluster-state')).to.equal('existing');
    expect(text).to.match(/path: \/livez/);
  });

  it('probes /livez and /readyz from etcd 3.5.11 (kubeadm 1.31+), /health before', async () => {
    for (const [version, livez] of [['3.5.10', false], ['3.5.11', true], ['3.5.35', true], ['3.4.23', false], ['3.7.3', true]] as const) {
      const text = await rendered({ ...vars, etcd_version: version });
      expect(/path: \/livez/.test(text) && /readinessProbe:/.test(text) && /path: \/readyz/.test(text), `${version}: /livez and /readyz`).to.equal(livez);
      expect(/path: \/health/.test(text), `${version}: /health`).to.equal(!livez);
    }
  });

  it('refuses a manifest whose --name is not in --initial-cluster, before writing anything', async () => {
    const conn = new ScriptedConnection([ABSENT, HELD_ABSENT]);
    const err = await runModule('etcd_manifest', conn, { initial_cluster: 'node2=https://10.0.0.12:2380' }, { vars }).catch((e) => e);
    expect(err.message).to.match(/refusing to write .*--name=node1 is not in --initial-cluster=node2=https:\/\/10.0.0.12:2380/);
    expect(conn.calls.filter((c) => c.kind === 'put')).to.have.length(0);
  });

  it('refuses a backup folder inside the manifests folder (the kubelet would run the backup)', async () => {
    const conn = new ScriptedConnection([]);
    const err = await runModule('etcd_manifest', conn, { backup_dir: '/etc/kubernetes/manifests/old' }, { vars }).catch((e) => e);
    expect(err.message).to.match(/backup_dir .* is inside \/etc\/kubernetes\/manifests/);
  });
});

describe('etcd_manifest mode=render over a manifest the operator edited (kubeadm extraArgs, patches)', () => {
  const join = { initial_cluster: 'node1=https://10.0.0.11:2380,node2=https://10.0.0.12:2380', initial_cluster_state: 'existing' };
  /** A kubeadm 3.5 manifest with extraArgs, a mirror registry and an extra mount, as it was before the member stopped. */
  const edited = async () => (await rendered(vars, { initial_cluster_state: 'new' }))
    .replace('    - --snapshot-count=10000\n', '    - --snapshot-count=10000\n    - --quota-backend-bytes=8589934592\n    - --force-new-cluster=true\n')
    .replace('registry.k8s.io/etcd:3.5.15-0', 'mirror.corp/etcd:3.5.15-0')
    .replace('    - mountPath: /var/lib/etcd\n', '    - mountPath: /var/lib/etcd\n      name: etcd-data\n    - mountPath: /srv/audit\n');
  const swapFromHeld = /^mkdir -p \/etc\/kubernetes\/manifests && mv -f -- \/etc\/kubernetes\/ringmaster\/\.etcd\.yaml\.ringmaster-new \/etc\/kubernetes\/manifests\/etcd\.yaml && sh -c .* move \/etc\/kubernetes\/ringmaster\/etcd\.yaml \/etc\/kubernetes\/ringmaster\/etcd\.yaml\.\d{8}T\d{9}Z-r7$/;

  it('edits the copy etcd_service held aside: the join flags change, extraArgs, image and mounts stay, the held copy is kept as the previous version', async () => {
    const held = await edited();
    const { result, conn } = await run([ABSENT, { exec: HELD, reply: { stdout: held } }, { exec: 'mkdir -p -m 0700 /etc/kubernetes/ringmaster' }, { put: STAGED }, { exec: swapFromHeld }], join, { vars: { ...vars, ringmaster_run_id: 'r7' } });
    const text = conn.calls.find((c) => c.kind === 'put')!.content!.toString();
    const flags = readFlags(text);
    expect(flags.get('quota-backend-bytes')).to.equal('8589934592');
    expect(flags.get('initial-cluster')).to.equal(join.initial_cluster);
    expect(flags.get('initial-cluster-state')).to.equal('existing');
    expect(flags.has('force-new-cluster')).to.equal(false);
    expect(text).to.contain('image: mirror.corp/etcd:3.5.15-0').and.to.contain('- mountPath: /srv/audit');
    expect(result.backup_file).to.match(/^\/etc\/kubernetes\/ringmaster\/etcd\.yaml\.\d{8}T\d{9}Z-r7$/);
    expect(result.msg).to.match(/from the held copy \/etc\/kubernetes\/ringmaster\/etcd\.yaml \(its other flags and edits kept\)/);
  });

  it('onto etcd 3.7: the image a render would write, every --experimental-* flag in its 3.6+ spelling, the operator\'s flags kept', async () => {
    const held = await edited();
    const { conn } = await run([ABSENT, { exec: HELD, reply: { stdout: held } }, { exec: 'mkdir -p -m 0700 /etc/kubernetes/ringmaster' }, { put: STAGED }, { exec: swapFromHeld }], join, { vars: { ...vars, etcd_version: '3.7.3', ringmaster_run_id: 'r7' } });
    const text = conn.calls.find((c) => c.kind === 'put')!.content!.toString();
    const flags = readFlags(text);
    expect([...flags.keys()].filter((f) => f.startsWith('experimental-'))).to.deep.equal([]);
    expect(flags.get('feature-gates')).to.equal('InitialCorruptCheck=true');
    expect(flags.get('watch-progress-notify-interval')).to.equal('5s');
    expect(flags.get('quota-backend-bytes')).to.equal('8589934592');
    expect(text).to.contain('image: mirror.corp/etcd:3.7.3-0');
  });

  it('names the held copy when it is not a manifest it can edit', async () => {
    const conn = new ScriptedConnection([ABSENT, { exec: HELD, reply: { stdout: 'not: [a pod' } }]);
    const err = await runModule('etcd_manifest', conn, join, { vars }).catch((e: Error) => e);
    expect(String(err)).to.match(/\/etc\/kubernetes\/ringmaster\/etcd\.yaml is not valid YAML/);
    expect(conn.calls.filter((c) => c.kind === 'put')).to.have.length(0);
  });

  it('with an explicit src renders the template instead (a deliberate reset)', async () => {
    const { conn } = await run([{ exec: READ, reply: { stdout: await edited() } }, { exec: 'mkdir -p -m 0700 /etc/kubernetes/ringmaster' }, { put: STAGED }, { exec: /keep \/etc\/kubernetes\/manifests\/etcd\.yaml / }], { ...join, src: 'templates/etcd-static-pod.yaml.hbs' });
    expect(readFlags(conn.calls.find((c) => c.kind === 'put')!.content!.toString()).has('quota-backend-bytes')).to.equal(false);
  });
});

describe('etcd_manifest mode=edit', () => {
  let current = '';
  before(async () => {
    current = await rendered(vars, { initial_cluster_state: 'new' });
  });

  it('keeps the old version outside manifests/ and shows the diff', async () => {
    const swap = new RegExp(`^sh -c 'set -C && : > "\\$2" && cp -p -- "\\$1" "\\$2"' keep /etc/kubernetes/manifests/etcd\\.yaml /etc/kubernetes/ringmaster/etcd\\.yaml\\.\\d{8}T\\d{9}Z-r7 && mv -f -- ${STAGED.replace(/\./g, '\\.')} /etc/kubernetes/manifests/etcd\\.yaml$`);
    const { result, conn } = await run([{ exec: READ, reply: { stdout: current } }, { exec: 'mkdir -p -m 0700 /etc/kubernetes/ringmaster' }, { put: STAGED }, { exec: swap }], { mode: 'edit', initial_cluster_state: 'existing', force_new_cluster: false }, { diff: true, vars: { ...vars, ringmaster_run_id: 'r7' } });
    expect(result.changed).to.equal(true);
    expect(result.backup_file).to.match(/^\/etc\/kubernetes\/ringmaster\/etcd\.yaml\.\d{8}T\d{9}Z-r7$/);
    const diff = (result.diff as Array<{ before: string; after: string }>)[0];
    expect(diff.before).to.contain('--initial-cluster-state=new');
    expect(diff.after).to.contain('--initial-cluster-state=existing');
    expect(conn.calls.find((c) => c.kind === 'put')!.content!.toString()).to.equal(diff.after);
  });

  it('is a no-op when the flags already have the wanted values', async () => {
    const { result } = await run([{ exec: READ, reply: { stdout: current } }], { mode: 'edit', initial_cluster_state: 'new', force_new_cluster: false });
    expect(result).to.include({ changed: false, msg: '/etc/kubernetes/manifests/etcd.yaml already up to date' });
  });

  it('in check mode shows the diff and the commands and writes nothing', async () => {
    const { result, conn } = await run([{ exec: READ, reply: { stdout: current } }], { mode: 'edit', force_new_cluster: true }, { check: true, diff: true });
    expect(result.changed).to.equal(true);
    expect((result.diff as Array<{ after: string }>)[0].after).to.contain('--force-new-cluster=true');
    expect(result.commands).to.have.length(3);
    expect(conn.calls.map((c) => c.kind)).to.deep.equal(['exec']);
  });

  it('fails clearly when there is nothing to edit', async () => {
    const conn = new ScriptedConnection([ABSENT]);
    const err = await runModule('etcd_manifest', conn, { mode: 'edit', initial_cluster_state: 'existing' }, { vars }).catch((e) => e);
    expect(err.message).to.match(/cannot edit \/etc\/kubernetes\/manifests\/etcd\.yaml: it does not exist/);
  });
});

describe('etcd_manifest and the cluster version', () => {
  const STATUS = /etcdctl --endpoints=https:\/\/10\.0\.0\.11:2379,https:\/\/10\.0\.0\.12:2379 .* endpoint status -w json$/;
  const noVersion = {
    ...vars, etcd_version: undefined, groups: { etcd: ['node1', 'node2'] },
    hostvars: { node1: { etcd_client_url: 'https://10.0.0.11:2379' }, node2: { etcd_client_url: 'https://10.0.0.12:2379' } },
  };
  const status = (version: string) => ({ stdout: JSON.stringify([{ Endpoint: 'https://10.0.0.12:2379', Status: { header: { cluster_id: 1, member_id: 2, revision: 5 }, version, dbSize: 1, leader: 2, raftIndex: 9, raftTerm: 2 } }]) });
  const write = [{ exec: 'mkdir -p -m 0700 /etc/kubernetes/ringmaster' }, { put: STAGED }, { exec: `mkdir -p /etc/kubernetes/manifests && mv -f -- ${STAGED} /etc/kubernetes/manifests/etcd.yaml` }];

  it('without etcd_version renders the live cluster\'s version (a re-added member of a 3.6 cluster is never 3.5.15)', async () => {
    const { conn } = await run([ABSENT, { exec: STATUS, reply: status('3.6.16') }, HELD_ABSENT, ...write], { initial_cluster_state: 'existing' }, { vars: noVersion });
    const text = conn.calls.find((c) => c.kind === 'put')!.content!.toString();
    expect(text).to.contain('image: registry.k8s.io/etcd:3.6.16-0');
    expect(readFlags(text).get('feature-gates')).to.equal('InitialCorruptCheck=true');
    expect([...readFlags(text).keys()].filter((f) => f.startsWith('experimental-'))).to.deep.equal([]);
  });

  it('refuses to write a 3.7 manifest that keeps an --experimental-* flag (etcd 3.7 would not start), writing nothing', async () => {
    const old = (await rendered()).replace('etcd:3.5.15-0', 'etcd:3.7.3-0');
    const conn = new ScriptedConnection([{ exec: READ, reply: { stdout: old } }]);
    const err = await runModule('etcd_manifest', conn, { mode: 'edit', initial_cluster_state: 'existing' }, { vars: { ...vars, etcd_version: '3.7.3' } }).catch((e) => e);
    expect(err.message).to.match(/refusing to write .*: etcd 3\.7\.3 refuses to start with --experimental-initial-corrupt-check, --experimental-watch-progress-notify-interval/);
    expect(conn.calls.filter((c) => c.kind === 'put')).to.have.length(0);
  });

  it('warns about --experimental-* leftovers on 3.6 (3.7 will refuse them) and still writes', async () => {
    const old = await rendered();
    const swap = /^sh -c 'set -C .* keep \/etc\/kubernetes\/manifests\/etcd\.yaml .* && mv -f -- /;
    const { result } = await run([{ exec: READ, reply: { stdout: old } }, write[0], write[1], { exec: swap }], { mode: 'edit', initial_cluster_state: 'existing' }, { vars: { ...vars, etcd_version: '3.6.16' } });
    expect(result.changed).to.equal(true);
    expect(result.warnings).to.deep.equal(['--experimental-initial-corrupt-check, --experimental-watch-progress-notify-interval deprecated in etcd 3.6.16 and refused by 3.7: replace --experimental-initial-corrupt-check with --feature-gates=InitialCorruptCheck=true; replace --experimental-watch-progress-notify-interval with --watch-progress-notify-interval=5s']);
  });
});

describe('etcd_manifest mode=audit (health.yml)', () => {
  const M = '/etc/kubernetes/manifests/etcd.yaml';
  let v35 = '';
  before(async () => {
    v35 = await rendered();
    expect(v35).to.contain('--experimental-initial-corrupt-check=true');
  });
  // A manifest not saying `existing` makes the audit look for data in the data dir (here: none, a fresh member).
  const noData = (text: string) => (text.includes('--initial-cluster-state=existing') ? [] : [{ exec: 'test -d /var/lib/etcd/member', reply: { code: 1 } }]);
  const audit = async (text: string | undefined, version: string, v: Record<string, unknown> = vars) =>
    (await run(text === undefined ? [ABSENT] : [{ exec: READ, reply: { stdout: text } }, ...noData(text)], { mode: 'audit', version }, { vars: v })).result;

  it('--enable-v2 (removed in 3.6 with the v2 API): a risk on 3.5, a problem on 3.6; a write for 3.6 keeping it is refused', async () => {
    const withV2 = v35.replace('    - --snapshot-count=10000\n', '    - --snapshot-count=10000\n    - --enable-v2=true\n');
    expect((await audit(withV2, '3.5.15')).findings).to.deep.equal([`risk: ${M}: etcd 3.6 refuses --enable-v2 (removed with the v2 API): remove it before upgrading (this member runs 3.5.15)`]);
    const on36 = withV2.replace('etcd:3.5.15-0', 'etcd:3.6.16-0');
    expect(((await audit(on36, '3.6.16', { ...vars, etcd_version: '3.6.16' })).findings as string[])[0]).to.equal(`problem: ${M}: etcd 3.6.16 refuses --enable-v2 (removed in 3.6 with the v2 API): this member will not start after a restart: remove it`);
    const conn = new ScriptedConnection([{ exec: READ, reply: { stdout: on36 } }]);
    const err = await runModule('etcd_manifest', conn, { mode: 'edit', initial_cluster_state: 'existing' }, { vars: { ...vars, etcd_version: '3.6.16' } }).catch((e: Error) => e);
    expect(String(err)).to.match(/refusing to write .*: etcd 3\.6\.16 refuses to start with --enable-v2 \(removed in 3\.6 with the v2 API\)/);
    expect(conn.calls.filter((c) => c.kind === 'put')).to.have.length(0);
  });

  it('a member re-added on 3.6 from a held 3.5 manifest loses --enable-v2 (3.6 would not start with it)', async () => {
    const held = v35.replace('    - --snapshot-count=10000\n', '    - --snapshot-count=10000\n    - --enable-v2=true\n');
    const { conn } = await run([ABSENT, { exec: HELD, reply: { stdout: held } }, { exec: 'mkdir -p -m 0700 /etc/kubernetes/ringmaster' }, { put: STAGED }, { exec: / move \/etc\/kubernetes\/ringmaster\/etcd\.yaml / }], { initial_cluster_state: 'existing' }, { vars: { ...vars, etcd_version: '3.6.16' } });
    const flags = readFlags(conn.calls.find((c) => c.kind === 'put')!.content!.toString());
    expect(flags.has('enable-v2')).to.equal(false);
    expect(flags.get('feature-gates')).to.equal('InitialCorruptCheck=true');
  });

  it('on a 3.6 member: a risk per --experimental-* flag naming its replacement, and reads only (no write, no etcdctl)', async () => {
    const r = await audit(v35.replace('etcd:3.5.15-0', 'etcd:3.6.16-0'), '3.6.16', { ...vars, etcd_version: '3.6.16' });
    expect(r.changed).to.equal(false);
    expect(r.findings).to.deep.equal([
      `risk: ${M}: etcd 3.7 refuses --experimental-initial-corrupt-check: replace --experimental-initial-corrupt-check with --feature-gates=InitialCorruptCheck=true before upgrading (this member runs 3.6.16)`,
      `risk: ${M}: etcd 3.7 refuses --experimental-watch-progress-notify-interval: replace --experimental-watch-progress-notify-interval with --watch-progress-notify-interval=5s before upgrading (this member runs 3.6.16)`,
    ]);
  });

  it('on a 3.7 member, or a 3.6 one whose file already names the 3.7 image: a problem per flag', async () => {
    const v37 = v35.replace('etcd:3.5.15-0', 'etcd:3.7.3-0');
    for (const live of ['3.7.3', '3.6.16', '']) {
      const r = await audit(v37, live, { ...vars, etcd_version: undefined });
      expect(r.findings, live).to.have.length(2);
      for (const f of r.findings as string[]) expect(f, live).to.match(/^problem: \/etc\/kubernetes\/manifests\/etcd\.yaml: etcd 3\.7\.3 refuses --experimental-[a-z-]+: this member will not start after a restart: replace /);
    }
  });

  it('finds nothing on 3.5 (the flags are its spelling) nor on a 3.6 manifest kubeadm writes for 3.6', async () => {
    expect((await audit(v35, '3.5.15')).findings).to.deep.equal([]);
    const v36 = await rendered({ ...vars, etcd_version: '3.6.16' });
    const r = await audit(v36, '3.6.16', { ...vars, etcd_version: '3.6.16' });
    expect(r.findings).to.deep.equal([]);
    expect(r.msg).to.equal(`${M}: nothing the next start or etcd minor would refuse`);
  });

  it('reports an etcd_version that is not the live version as a risk naming the host, both versions and the fix', async () => {
    const v36 = await rendered({ ...vars, etcd_version: '3.6.16' });
    const r = await audit(v36, '3.6.16', { ...vars, etcd_version: '3.6.15' });
    expect(r.findings).to.deep.equal(['risk: node1: etcd_version in the inventory says 3.6.15 but the member runs 3.6.16: set etcd_version to 3.6.16 in the inventory (or remove it: the live members then decide)']);
    // A member that does not answer has no live version to drift from; a missing file still gets the drift.
    expect((await audit(v36, '', { ...vars, etcd_version: '3.6.15' })).findings).to.deep.equal([]);
    expect((await audit(undefined, '3.6.16', { ...vars, etcd_version: '3.5.15' })).findings).to.deep.equal([`no manifest at ${M}: etcd does not run on this host`, 'risk: node1: etcd_version in the inventory says 3.5.15 but the member runs 3.6.16: set etcd_version to 3.6.16 in the inventory (or remove it: the live members then decide)']);
  });
});

describe('etcd_manifest mode=audit: the member\'s own start flags', () => {
  const M = '/etc/kubernetes/manifests/etcd.yaml';
  const live = [{ name: 'node1', peer_urls: ['https://10.0.0.11:2380'] }, { name: 'node2', peer_urls: ['https://10.0.0.12:2380'] }, { name: '', peer_urls: ['https://10.0.0.13:2380'] }];
  const audit = async (text: string, steps: Step[] = []) =>
    (await run([{ exec: READ, reply: { stdout: text } }, ...steps], { mode: 'audit', version: '3.5.15', live_members: live })).result.findings as string[];

  it('finds state new on a member with data (a risk), a leftover --force-new-cluster and a live member missing from --initial-cluster (problems)', async () => {
    const base = await rendered({ ...vars, etcd_version: '3.5.15' }, { initial_cluster: 'node1=https://10.0.0.11:2380,node2=https://10.0.0.12:2380' });
    expect(await audit(base, [{ exec: 'test -d /var/lib/etcd/member', reply: { code: 1 } }]), 'a fresh member, every live one listed (the unstarted one has no name yet)').to.deep.equal([]);
    expect(await audit(base, [{ exec: 'test -d /var/lib/etcd/member' }])).to.deep.equal([
      `risk: ${M} says --initial-cluster-state=new but /var/lib/etcd has data: set it to existing (a member that restarts after losing its data would otherwise try to bootstrap a new cluster)`]);
    const existing = (t: string) => t.replace(/    - --initial-cluster-state=new\n/, '').replace('    - --snapshot-count=10000\n', '    - --snapshot-count=10000\n    - --initial-cluster-state=existing\n');
    const forced = existing(base).replace('    - --snapshot-count=10000\n', '    - --snapshot-count=10000\n    - --force-new-cluster\n');
    expect(await audit(forced), 'state existing: the data dir is not even looked at').to.deep.equal([`problem: ${M} still has --force-new-cluster: remove it, or every restart turns this member into a one-member cluster`]);
    const lacking = base.replace('node2=https://10.0.0.12:2380', 'node3=https://10.0.0.13:2380');
    expect(await audit(lacking, [{ exec: 'test -d /var/lib/etcd/member', reply: { code: 1 } }])).to.deep.equal([`problem: ${M}: --initial-cluster lacks the live member node2=https://10.0.0.12:2380 (with --initial-cluster-state=new, a restart without data would bootstrap a cluster without it)`]);
    // A joined member (state existing) lists the peers of its join only, as kubeadm writes it: etcd never reads the list again.
    expect(await audit(existing(lacking))).to.deep.equal([]);
  });

  it('docker flavour: audits the etcd container itself (docker inspect), RKE keeping etcd\'s flags nowhere else', async () => {
    const inspect = JSON.stringify([{ Name: '/etcd', Path: '/usr/local/bin/etcd', Args: ['--name=etcd-n1', '--data-dir=/var/lib/rancher/etcd/', '--initial-cluster=etcd-n1=https://10.0.0.11:2380', '--force-new-cluster', '--enable-v2=true'],
      State: { Running: true }, Config: { Image: 'rancher/mirrored-coreos-etcd:v3.5.35', Env: ['ETCDCTL_API=3'], Labels: { 'io.rancher.rke.container.name': 'etcd' } },
      HostConfig: { Binds: ['/var/lib/etcd:/var/lib/rancher/etcd/:z'], NetworkMode: 'host', RestartPolicy: { Name: 'always' } }, Mounts: [{ Type: 'bind', Source: '/var/lib/etcd', Destination: '/var/lib/rancher/etcd' }] }]);
    const dv = { ...vars, etcd_flavor: 'docker', etcd_name: 'etcd-n1', etcd_version: '3.5.35' };
    const { result } = await run([{ exec: /^sh -c .* inspect etcd$/, reply: { stdout: inspect } }, { exec: 'test -d /var/lib/etcd/member' }], { mode: 'audit', version: '3.5.35', live_members: [{ name: 'etcd-n1', peer_urls: ['https://10.0.0.11:2380'] }] }, { vars: dv });
    expect(result.findings).to.deep.equal([
      'risk: container etcd on node1 says --initial-cluster-state=new but /var/lib/etcd has data: set it to existing (a member that restarts after losing its data would otherwise try to bootstrap a new cluster)',
      'problem: container etcd on node1 still has --force-new-cluster: remove it, or every restart turns this member into a one-member cluster',
      'risk: container etcd on node1: etcd 3.6 refuses --enable-v2 (removed with the v2 API): remove it before upgrading (this member runs 3.5.35)',
    ]);
    const { result: none } = await run([{ exec: /^sh -c .* inspect etcd$/, reply: { code: 3 } }], { mode: 'audit', version: '' }, { vars: dv });
    expect(none.findings).to.deep.equal(['no manifest at container etcd on node1: etcd does not run on this host']);
  });
});

describe('etcd_manifest on a member that reads --config-file (RKE2, k3s)', () => {
  const M = '/etc/kubernetes/manifests/etcd.yaml';
  const RKE2 = `apiVersion: v1
kind: Pod
metadata:
  name: etcd
  namespace: kube-system
spec:
  containers:
  - name: etcd
    image: index.docker.io/rancher/hardened-etcd:v3.5.21-k3s1-build20250612
    command:
    - etcd
    args:
    - --config-file=/var/lib/rancher/rke2/server/db/etcd/config
`;

  it('audits it as a risk (that file is not audited) and none of the flags etcd ignores, and refuses to edit them', async () => {
    // RKE2's shape (flags in `args`) and the same flag in `command`: both are what etcd runs.
    for (const text of [RKE2, RKE2.replace('    command:\n    - etcd\n    args:\n', '    command:\n    - etcd\n')]) {
      const { result } = await run([{ exec: READ, reply: { stdout: text } }], { mode: 'audit', version: '3.5.15' });
      expect(result.findings).to.deep.equal([`risk: ${M}: etcd takes its flags from --config-file=/var/lib/rancher/rke2/server/db/etcd/config (RKE2, k3s) and ignores its other command-line flags: that file is not audited`]);
    }
    const conn = new ScriptedConnection([{ exec: READ, reply: { stdout: RKE2 } }]);
    const err = await runModule('etcd_manifest', conn, { mode: 'edit', initial_cluster_state: 'existing' }, { vars }).catch((e: Error) => e);
    expect(String(err)).to.match(/etcd takes its flags from --config-file=\/var\/lib\/rancher\/rke2\/server\/db\/etcd\/config .* editing them here would change nothing/);
    expect(conn.calls.filter((c) => c.kind === 'put')).to.have.length(0);
  });
});

describe('etcd_manifest mode=render on kubespray\'s /etc/etcd.env (systemd flavour)', () => {
  const ENV = `# Environment file for etcd\nETCD_DATA_DIR=/var/lib/etcd\nETCD_NAME=node1\nETCD_INITIAL_CLUSTER_STATE=new\nETCD_INITIAL_CLUSTER=node1=https://10.0.0.11:2380\nETCD_INITIAL_ADVERTISE_PEER_URLS=https://10.0.0.11:2380\nETCD_ADVERTISE_CLIENT_URLS=https://10.0.0.11:2379\nETCD_LISTEN_PEER_URLS=https://10.0.0.11:2380\nETCD_LISTEN_CLIENT_URLS=https://127.0.0.1:2379,https://10.0.0.11:2379\n# operator: 4 GiB\nETCD_QUOTA_BACKEND_BYTES=4294967296\n\n# CLI settings\nETCDCTL_ENDPOINTS=https://127.0.0.1:2379\n`;
  const sd = { ...vars, etcd_flavor: 'systemd', etcd_manifest: '/etc/etcd.env' };
  it('edits the join flags in place, keeping every other line, instead of writing a rendered unit into it', async () => {
    const STAGED_ENV = '/etc/kubernetes/ringmaster/.etcd.env.ringmaster-new';
    const { conn } = await run([
      { exec: /^sh -c .* read \/etc\/etcd\.env$/, reply: { stdout: ENV } },
      { exec: 'mkdir -p -m 0700 /etc/kubernetes/ringmaster' }, { put: STAGED_ENV },
      { exec: new RegExp(`^sh -c .* /etc/etcd\\.env /etc/kubernetes/ringmaster/etcd\\.env\\.\\S+ && mv -f -- ${STAGED_ENV.replace(/\./g, '\\.')} /etc/etcd\\.env$`) },
    ], { mode: 'render', initial_cluster: 'node1=https://10.0.0.11:2380,node2=https://10.0.0.12:2380', initial_cluster_state: 'existing' }, { vars: sd });
    const text = conn.calls.find((c) => c.kind === 'put')!.content!.toString();
    expect(text).to.equal(ENV.replace('ETCD_INITIAL_CLUSTER_STATE=new', 'ETCD_INITIAL_CLUSTER_STATE=existing')
      .replace('ETCD_INITIAL_CLUSTER=node1=https://10.0.0.11:2380', 'ETCD_INITIAL_CLUSTER=node1=https://10.0.0.11:2380,node2=https://10.0.0.12:2380'));
    expect(conn.calls.map((c) => c.text ?? '').join('\n')).to.not.contain('daemon-reload');
  });
});
