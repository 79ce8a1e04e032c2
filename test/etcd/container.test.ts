// The docker flavour's member definition: docker inspect parsed, flags edited in place, the re-creating docker create,
// and etcd_manifest's re-creation (old container kept with --restart=no; put back when the create fails).
import { expect } from 'chai';
import { containerFlags, createArgs, editCommand, hostPathOf, parseInspect } from '../../engine/etcd/container.js';
import { runModule } from '../modules/context.js';
import { ScriptedConnection } from '../modules/fake-connection.js';

const INSPECT = JSON.stringify([{
  Name: '/etcd', Path: '/usr/local/bin/etcd',
  Args: ['--peer-client-cert-auth', '--name=etcd-n3', '--data-dir=/var/lib/rancher/etcd/', '--initial-advertise-peer-urls=https://10.0.0.13:2380',
    '--initial-cluster=etcd-n3=https://10.0.0.13:2380', '--initial-cluster-state=new', '--quota-backend-bytes=4294967296'],
  State: { Running: false },
  Config: { Image: 'mirror.example/rancher/mirrored-coreos-etcd:v3.6.16', Env: ['ETCDCTL_API=3', 'TZ=UTC'], Labels: { 'io.rancher.rke.container.name': 'etcd', owner: 'sre team' }, User: '' },
  HostConfig: { Binds: ['/var/lib/etcd:/var/lib/rancher/etcd/:z', '/etc/kubernetes:/etc/kubernetes:z'], NetworkMode: 'host', RestartPolicy: { Name: 'always', MaximumRetryCount: 0 } },
  Mounts: [{ Type: 'bind', Source: '/var/lib/etcd', Destination: '/var/lib/rancher/etcd' }, { Type: 'bind', Source: '/etc/kubernetes', Destination: '/etc/kubernetes' }],
}]);

const VARS = {
  etcd_flavor: 'docker', etcdctl_via: 'docker', etcd_name: 'etcd-n3', etcd_peer_url: 'https://10.0.0.13:2380', etcd_client_url: 'https://10.0.0.13:2379', etcd_version: '3.6.16',
  groups: { etcd: ['n1', 'n3'] },
  hostvars: { n1: { etcd_name: 'etcd-n1', etcd_peer_url: 'https://10.0.0.11:2380' }, n3: { etcd_name: 'etcd-n3', etcd_peer_url: 'https://10.0.0.13:2380' } },
};
const READ = { exec: /^sh -c .* inspect etcd$/, reply: { stdout: INSPECT } };

describe('the docker flavour\'s container definition', () => {
  const def = parseInspect(INSPECT, 'container etcd on n3');

  it('reads name, image, command, env, binds, labels, network and restart policy from docker inspect', () => {
    expect(def).to.include({ name: 'etcd', image: 'mirror.example/rancher/mirrored-coreos-etcd:v3.6.16', network: 'host', restart: 'always', running: false });
    expect(containerFlags(def).get('quota-backend-bytes')).to.equal('4294967296');
    expect(containerFlags(def).get('peer-client-cert-auth')).to.equal(true);
    expect(() => parseInspect('[]', 'container etcd on n3')).to.throw(/container etcd on n3: docker inspect shows no container/);
    expect(() => parseInspect('Error: no such', 'container etcd on n3')).to.throw(/printed no JSON/);
  });

  it('finds the host path behind a container path through the longest bind mount', () => {
    expect(hostPathOf(def, '/var/lib/rancher/etcd/')).to.equal('/var/lib/etcd');
    expect(hostPathOf(def, '/var/lib/rancher/etcd/snap.db')).to.equal('/var/lib/etcd/snap.db');
    expect(hostPathOf(def, '/var/lib/rancher/etcdx')).to.equal(undefined);
    expect(hostPathOf(def, '/tmp/x')).to.equal(undefined);
  });

  it('edits flags in place (order kept, new ones appended, removed ones gone) and re-creates every other option', () => {
    const cmd = editCommand(def, { 'initial-cluster-state': 'existing', 'force-new-cluster': 'true' }, ['quota-backend-bytes']);
    expect(cmd).to.deep.equal(['/usr/local/bin/etcd', '--peer-client-cert-auth', '--name=etcd-n3', '--data-dir=/var/lib/rancher/etcd/', '--initial-advertise-peer-urls=https://10.0.0.13:2380',
      '--initial-cluster=etcd-n3=https://10.0.0.13:2380', '--initial-cluster-state=existing', '--force-new-cluster']);
    expect(createArgs(def, cmd)).to.deep.equal(['create', '--name', 'etcd', '--net=host', '--restart=always',
      '--label', 'io.rancher.rke.container.name=etcd', '--label', 'owner=sre team',
      '-v', '/var/lib/etcd:/var/lib/rancher/etcd/:z', '-v', '/etc/kubernetes:/etc/kubernetes:z', '-e', 'ETCDCTL_API=3', '-e', 'TZ=UTC',
      'mirror.example/rancher/mirrored-coreos-etcd:v3.6.16', ...cmd]);
  });
});

describe('etcd_manifest on the docker flavour: the container re-created', () => {
  it('render (rejoin): state existing and the live peer list, the other flags, mounts, env and labels kept; the old container kept with --restart=no', async () => {
    const conn = new ScriptedConnection([READ, { exec: /^docker update --restart=no etcd$/ }, { exec: /^docker rename etcd etcd-ringmaster-\d{8}T\d{9}Z-[0-9a-f]{12}$/ }, { exec: /^docker create --name etcd --net=host --restart=always / }]);
    const r = await runModule('etcd_manifest', conn, { mode: 'render', initial_cluster: 'etcd-n1=https://10.0.0.11:2380,etcd-n3=https://10.0.0.13:2380', initial_cluster_state: 'existing' }, { vars: VARS });
    expect(conn.unexpected).to.deep.equal([]);
    expect(conn.remaining()).to.deep.equal([]);
    const create = conn.execs().find((c) => c.startsWith('docker create'))!;
    expect(create).to.contain("--label 'owner=sre team'").and.contain('-e TZ=UTC').and.contain('mirror.example/rancher/mirrored-coreos-etcd:v3.6.16 /usr/local/bin/etcd');
    expect(create).to.contain('--initial-cluster=etcd-n1=https://10.0.0.11:2380,etcd-n3=https://10.0.0.13:2380').and.contain('--initial-cluster-state=existing').and.contain('--quota-backend-bytes=4294967296');
    expect(r.msg).to.match(/not started: it was stopped\); the previous container is kept, stopped with --restart=no, as etcd-ringmaster-/);
  });

  it('a failed create puts the old container back under its name with its restart policy, and says so', async () => {
    const conn = new ScriptedConnection([READ, { exec: /^docker update --restart=no etcd$/ }, { exec: /^docker rename etcd etcd-ringmaster-/ },
      { exec: /^docker create /, reply: { code: 125, stderr: 'Error response from daemon: no space left on device' } },
      { exec: /^sh -c .* restore etcd etcd-ringmaster-\S+ always$/ }]);
    const err = await runModule('etcd_manifest', conn, { mode: 'edit', force_new_cluster: true }, { vars: VARS }).catch((e: Error) => e);
    expect(conn.unexpected).to.deep.equal([]);
    expect(String(err)).to.match(/docker create .* failed: Error response from daemon: no space left on device; the previous container is back as etcd/);
  });

  it('changes nothing when the flags already say so, and refuses a container that does not exist', async () => {
    const same = new ScriptedConnection([READ]);
    const r = await runModule('etcd_manifest', same, { mode: 'edit', initial_cluster_state: 'new' }, { vars: VARS });
    expect(r).to.include({ changed: false });
    const gone = new ScriptedConnection([{ exec: READ.exec, reply: { code: 3 } }]);
    const err = await runModule('etcd_manifest', gone, { mode: 'edit', force_new_cluster: true }, { vars: VARS }).catch((e: Error) => e);
    expect(String(err)).to.match(/container etcd on \S+ does not exist: there is no container to re-create/);
  });
});
