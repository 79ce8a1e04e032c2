// Editing etcd manifest flags in place.
import { expect } from 'chai';
import { editFlags, parseInitialCluster, readFlags } from '../../engine/etcd/manifest.js';

const manifest = `apiVersion: v1
kind: Pod
metadata:
  name: etcd
  namespace: kube-system
spec:
  containers:
  - command:
    - etcd
    - --name=node1
    # kubeadm writes new on init
    - --initial-cluster-state=new
    - --initial-cluster=node1=https://10.0.0.1:2380
    - --force-new-cluster
    image: registry.k8s.io/etcd:3.5.15-0
    name: etcd
`;

describe('etcd manifest flags', () => {
  it('reads --key=value and bare flags of the etcd container', () => {
    const f = readFlags(manifest);
    expect(f.get('name')).to.equal('node1');
    expect(f.get('force-new-cluster')).to.equal(true);
  });

  it('sets, adds and removes flags keeping comments and order', () => {
    const r = editFlags(manifest, { set: { 'initial-cluster-state': 'existing', 'initial-cluster': 'node1=https://10.0.0.1:2380,node2=https://10.0.0.2:2380', 'snapshot-count': '10000' }, remove: ['force-new-cluster'] });
    expect(r.changed).to.equal(true);
    expect(r.text).to.contain('# kubeadm writes new on init\n    - --initial-cluster-state=existing');
    expect(r.text).not.to.contain('force-new-cluster');
    expect(r.after.get('snapshot-count')).to.equal('10000');
    expect(r.text.indexOf('--name=node1')).to.be.lessThan(r.text.indexOf('--initial-cluster-state'));
  });

  it('reports no change when the flags already say so', () => {
    const once = editFlags(manifest, { set: { 'initial-cluster-state': 'existing' } });
    expect(editFlags(once.text, { set: { 'initial-cluster-state': 'existing' } }).changed).to.equal(false);
  });

  it('refuses a file that is not a pod manifest, naming it', () => {
    expect(() => readFlags('kind: ConfigMap\n', '/etc/kubernetes/manifests/etcd.yaml')).to.throw(/etcd.yaml has no spec.containers/);
  });

  it('parses --initial-cluster into names and peer URLs', () => {
    expect([...parseInitialCluster('a=https://1:2380,b=https://2:2380')]).to.deep.equal([['a', ['https://1:2380']], ['b', ['https://2:2380']]]);
  });
});
