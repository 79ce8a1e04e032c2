// kubespray's host mode: etcd's flags in /etc/etcd.env (EnvironmentFile=), edited line by line; a changed systemd
// unit is followed by daemon-reload.
import { expect } from 'chai';
import { editFlags, identityProblems, readFlags } from '../../engine/etcd/manifest.js';
import { experimentalFlagsIn } from '../../engine/etcd/experimental-flags.js';
import { runModule } from '../modules/context.js';
import { ScriptedConnection } from '../modules/fake-connection.js';

/** Shaped as kubespray's roles/etcd/templates/etcd.env.j2 writes it for a 3-member cluster. */
const ENV = `# Environment file for etcd v3.5.35
ETCD_DATA_DIR=/var/lib/etcd
ETCD_ADVERTISE_CLIENT_URLS=https://10.0.0.11:2379
ETCD_INITIAL_ADVERTISE_PEER_URLS=https://10.0.0.11:2380
ETCD_INITIAL_CLUSTER_STATE=new
ETCD_METRICS=basic
ETCD_LISTEN_CLIENT_URLS=https://10.0.0.11:2379,https://127.0.0.1:2379
ETCD_ELECTION_TIMEOUT=5000
ETCD_HEARTBEAT_INTERVAL=250
ETCD_INITIAL_CLUSTER_TOKEN=k8s_etcd
ETCD_LISTEN_PEER_URLS=https://10.0.0.11:2380
ETCD_NAME=etcd1
ETCD_PROXY=off
ETCD_INITIAL_CLUSTER=etcd1=https://10.0.0.11:2380,etcd2=https://10.0.0.12:2380,etcd3=https://10.0.0.13:2380
ETCD_AUTO_COMPACTION_RETENTION=8
ETCD_SNAPSHOT_COUNT=10000
ETCD_EXPERIMENTAL_INITIAL_CORRUPT_CHECK=True

# TLS settings
ETCD_TRUSTED_CA_FILE=/etc/ssl/etcd/ssl/ca.pem
ETCD_CERT_FILE=/etc/ssl/etcd/ssl/member-node1.pem
ETCD_KEY_FILE=/etc/ssl/etcd/ssl/member-node1-key.pem
ETCD_CLIENT_CERT_AUTH=true
ETCDCTL_ENDPOINTS=https://127.0.0.1:2379
`;

describe('etcd.env (kubespray host mode)', () => {
  it('reads the ETCD_* lines as flags (not ETCDCTL_*, not comments)', () => {
    const flags = readFlags(ENV, '/etc/etcd.env');
    expect(flags.get('initial-cluster-state')).to.equal('new');
    expect(flags.get('name')).to.equal('etcd1');
    expect(flags.has('endpoints')).to.equal(false);
    expect(identityProblems(flags)).to.deep.equal([]);
    expect(experimentalFlagsIn(ENV)).to.deep.equal([['experimental-initial-corrupt-check', 'True']]);
  });

  it('edits a line in place, removes one, appends a new one, and keeps every other line and comment', () => {
    const r = editFlags(ENV, { set: { 'initial-cluster-state': 'existing', 'force-new-cluster': 'true' }, remove: ['proxy'] }, '/etc/etcd.env');
    expect(r.changed).to.equal(true);
    const expected = ENV.replace('ETCD_INITIAL_CLUSTER_STATE=new', 'ETCD_INITIAL_CLUSTER_STATE=existing').replace('ETCD_PROXY=off\n', '') + 'ETCD_FORCE_NEW_CLUSTER=true\n';
    expect(r.text).to.equal(expected);
    expect(editFlags(r.text, { remove: ['force-new-cluster'] }, '/etc/etcd.env').text).to.equal(expected.replace('ETCD_FORCE_NEW_CLUSTER=true\n', ''));
  });

  it('etcd_manifest mode=edit rewrites --initial-cluster-state in /etc/etcd.env and keeps the old file aside', async () => {
    const conn = new ScriptedConnection([
      { exec: /read \/etc\/etcd\.env$/, reply: { code: 0, stdout: ENV } },
      { exec: 'mkdir -p -m 0700 /etc/kubernetes/ringmaster' },
      { put: '/etc/kubernetes/ringmaster/.etcd.env.ringmaster-new' },
      { exec: /keep \/etc\/etcd\.env \/etc\/kubernetes\/ringmaster\/etcd\.env\..* && mv -f -- \/etc\/kubernetes\/ringmaster\/\.etcd\.env\.ringmaster-new \/etc\/etcd\.env$/ },
    ]);
    const r = await runModule('etcd_manifest', conn, { mode: 'edit', initial_cluster_state: 'existing' }, { vars: { etcd_flavor: 'systemd', etcd_manifest: '/etc/etcd.env', etcd_version: '3.5.35' } });
    expect(conn.unexpected).to.deep.equal([]);
    expect(r.changed).to.equal(true);
    expect(conn.calls.find((c) => c.kind === 'put')!.content!.toString()).to.contain('ETCD_INITIAL_CLUSTER_STATE=existing\n');
    expect(conn.calls.map((c) => c.text)).not.to.include('systemctl daemon-reload'); // an EnvironmentFile is read at each start
  });

  it('etcd_manifest runs systemctl daemon-reload after writing a unit, and says so when it fails', async () => {
    const unitVars = { etcd_flavor: 'systemd', etcd_name: 'etcd1', etcd_peer_url: 'https://10.0.0.11:2380', etcd_client_url: 'https://10.0.0.11:2379', etcd_version: '3.5.35' };
    const steps = (reload: { code: number; stderr?: string }) => [
      { exec: /read \/etc\/systemd\/system\/etcd\.service$/, reply: { code: 3 } },
      { exec: 'mkdir -p -m 0700 /etc/kubernetes/ringmaster' },
      { put: '/etc/kubernetes/ringmaster/.etcd.service.ringmaster-new' },
      { exec: /mv -f -- \/etc\/kubernetes\/ringmaster\/\.etcd\.service\.ringmaster-new \/etc\/systemd\/system\/etcd\.service$/ },
      { exec: 'systemctl daemon-reload', reply: { stdout: '', ...reload } },
    ];
    const ok = new ScriptedConnection(steps({ code: 0 }));
    const r = await runModule('etcd_manifest', ok, {}, { vars: unitVars });
    expect(ok.unexpected).to.deep.equal([]);
    expect(ok.remaining()).to.deep.equal([]);
    expect(r.commands).to.include('systemctl daemon-reload');
    const bad = new ScriptedConnection(steps({ code: 1, stderr: 'Failed to connect to bus' }));
    const err = await runModule('etcd_manifest', bad, {}, { vars: unitVars }).catch((e: Error) => e);
    expect(String(err)).to.match(/wrote \/etc\/systemd\/system\/etcd\.service, but systemctl daemon-reload failed: Failed to connect to bus/);
  });
});
