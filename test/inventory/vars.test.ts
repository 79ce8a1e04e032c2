// Host variables with Ansible's precedence, and group membership through children.
import { expect } from 'chai';
import { groupMembers, hostVars, runHostVars } from '../../engine/inventory/vars.js';
import { child, emptyInventory, finish, group, host } from '../../engine/load/inventory-build.js';

function inventory() {
  const inv = emptyInventory();
  group(inv, 'all').vars = { v: 'all', only_all: 1 };
  // all → k8s → control → etcd (depth 3); all → etcd too; all → zeta (depth 1), alpha (depth 1)
  child(inv, 'k8s', 'control');
  child(inv, 'control', 'etcd');
  child(inv, 'all', 'etcd');
  group(inv, 'k8s').vars = { v: 'k8s', k8s: 1 };
  group(inv, 'control').vars = { v: 'control' };
  group(inv, 'etcd').vars = { v: 'etcd' };
  group(inv, 'zeta').vars = { v: 'zeta', same: 'zeta' };
  group(inv, 'alpha').vars = { v: 'alpha', same: 'alpha' };
  host(inv, 'node1', { h: 1 }, undefined, 'etcd');
  host(inv, 'node2', {}, undefined, 'zeta');
  host(inv, 'node2', {}, undefined, 'alpha');
  host(inv, 'node3', { v: 'host' }, undefined, 'etcd');
  host(inv, 'node4', {}, undefined, 'k8s');
  host(inv, 'lonely', {});
  finish(inv);
  return inv;
}

describe('inventory: host vars', () => {
  it('lets deeper groups win over their parents (depth = longest path from all)', () => {
    expect(hostVars(inventory(), 'node1')).to.deep.equal({ v: 'etcd', only_all: 1, k8s: 1, h: 1 });
  });

  it('orders groups of the same depth by name (the later name wins)', () => {
    expect(hostVars(inventory(), 'node2')).to.deep.include({ v: 'zeta', same: 'zeta' });
  });

  it('lets host vars win over every group', () => {
    expect(hostVars(inventory(), 'node3').v).to.equal('host');
  });

  it('gives a run the flavour\'s etcd_* defaults for members of the etcd group only, below every inventory value', () => {
    const inv = inventory();
    expect(runHostVars(inv, 'node1')).to.deep.equal({
      etcd_flavor: 'static-pod', etcd_data_dir: '/var/lib/etcd', etcd_manifest: '/etc/kubernetes/manifests/etcd.yaml',
      etcd_pki_dir: '/etc/kubernetes/pki/etcd', etcdctl_via: 'host', v: 'etcd', only_all: 1, k8s: 1, h: 1,
    });
    expect(runHostVars(inv, 'node4')).to.deep.equal(hostVars(inv, 'node4'));
    group(inv, 'etcd').vars = { etcd_flavor: 'docker', etcd_data_dir: '/data/etcd' };
    expect(runHostVars(inv, 'node3')).to.include({ etcd_manifest: '/etc/kubernetes/ringmaster/etcd-docker-run.sh', etcd_pki_dir: '/etc/kubernetes/ssl', etcdctl_via: 'docker', etcd_data_dir: '/data/etcd' });
  });

  it('gives an ungrouped host the vars of all', () => {
    expect(hostVars(inventory(), 'lonely')).to.deep.equal({ v: 'all', only_all: 1 });
  });

  it('lists each group\'s members recursively: own hosts first, then children\'s', () => {
    const m = groupMembers(inventory());
    expect(m.k8s).to.deep.equal(['node4', 'node1', 'node3']);
    expect(m.control).to.deep.equal(['node1', 'node3']);
    expect(m.all).to.deep.equal(['node1', 'node2', 'node3', 'node4', 'lonely']);
    expect(m.ungrouped).to.deep.equal(['lonely']);
  });
});
