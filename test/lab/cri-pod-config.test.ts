// What the lab's runner asks containerd's CRI for, per manifest: kubelet's pod and container configs (names, labels,
// log paths, mounts, host network) and the etcd image the lab can "pull" — or ErrImagePull, as on a real node, so a
// manifest naming an older image really runs that release. The runs themselves are proven on the lab (lab.test.ts).
import { expect } from 'chai';
import { containerConfig, imageArchive, parseStaticPod, podLogDir, sandboxConfig } from '../../engine/lab/node/cri-pod-config.js';
import { etcdManifest } from '../../engine/lab/manifests.js';
import { makeSpec } from '../../engine/lab/spec.js';

const spec = makeSpec('unit', 3, true);
const node = spec.etcdNodes[1];
const manifest = etcdManifest(spec, node);

describe('lab runner: kubelet-shaped CRI configs of a static pod', () => {
  it('makes the kubeadm etcd pod a host-network pod named <name>-<node> in kube-system, with its hostPath mounts', () => {
    const { pod, error } = parseStaticPod(manifest, node.name);
    expect(error).to.equal(undefined);
    expect(pod!.podName).to.equal(`etcd-${node.name}`);
    expect(pod!.namespace).to.equal('kube-system');
    expect(pod!.hostNetwork).to.equal(true);
    expect(pod!.container.image).to.match(/^registry\.k8s\.io\/etcd:\d+\.\d+\.\d+-0$/);
    expect(pod!.container.mounts.map((m) => `${m.host_path}:${m.container_path}`)).to.include.members(['/var/lib/etcd:/var/lib/etcd', '/etc/kubernetes/pki/etcd:/etc/kubernetes/pki/etcd']);
    expect(pod!.container.createDirs).to.include('/var/lib/etcd');
  });

  it('labels the sandbox and container as the kubelet does, so runbook 001\'s crictl filters find them', () => {
    const { pod } = parseStaticPod(manifest, node.name);
    const sandbox = sandboxConfig(pod!, '/ringmaster-lab-x') as { labels: Record<string, string>; log_directory: string; linux: { cgroup_parent: string; security_context: { namespace_options: { network: number } } } };
    expect(sandbox.labels).to.include({ 'io.kubernetes.pod.name': `etcd-${node.name}`, 'io.kubernetes.pod.namespace': 'kube-system', component: 'etcd', tier: 'control-plane' });
    expect(sandbox.log_directory).to.equal(podLogDir(pod!)).and.equal(`/var/log/pods/kube-system_etcd-${node.name}_${pod!.uid}`);
    expect(sandbox.linux.cgroup_parent).to.equal(`/ringmaster-lab-x/pod${pod!.uid}`);
    expect(sandbox.linux.security_context.namespace_options.network).to.equal(2); // NODE: the host network
    const c = containerConfig(pod!, 3) as { labels: Record<string, string>; log_path: string; metadata: { attempt: number }; annotations: Record<string, string> };
    expect(c.labels).to.include({ 'io.kubernetes.container.name': 'etcd', 'io.kubernetes.pod.namespace': 'kube-system' });
    expect(c.log_path).to.equal('etcd/3.log');
    expect(c.metadata.attempt).to.equal(3);
    expect(c.annotations['io.kubernetes.container.restartCount']).to.equal('3');
  });

  it('gives a changed manifest (or another node) a new pod UID, as kubelet\'s config hash does', () => {
    const a = parseStaticPod(manifest, node.name).pod!.uid;
    expect(parseStaticPod(manifest.replace('--snapshot-count=10000', '--snapshot-count=20000'), node.name).pod!.uid).to.not.equal(a);
    expect(parseStaticPod(manifest, 'other').pod!.uid).to.not.equal(a);
    expect(parseStaticPod(manifest, node.name).pod!.uid).to.equal(a);
  });

  it('refuses a manifest kubelet would refuse, saying why', () => {
    expect(parseStaticPod('a: [', 'n').error).to.match(/^invalid YAML/);
    expect(parseStaticPod('apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec: {containers: [{name: c}]}\n', 'n').error).to.contain('an image');
    expect(parseStaticPod('apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec:\n  containers: [{name: c, image: i, volumeMounts: [{name: d, mountPath: /d}]}]\n', 'n').error)
      .to.equal('volumeMount d: no hostPath volume of that name');
  });

  it('maps an etcd image to the archive the lab built for that release, and any other release to ErrImagePull', () => {
    const images = { '3.5.35': '/c/kubeadm-etcd-v3.5.35.tar', '3.6.16': '/c/kubeadm-etcd-v3.6.16.tar' };
    expect(imageArchive('registry.k8s.io/etcd:3.6.16-0', images)).to.deep.equal({ archive: '/c/kubeadm-etcd-v3.6.16.tar' });
    expect(imageArchive('registry.k8s.io/etcd:3.5.15-0', images).error)
      .to.equal('image registry.k8s.io/etcd:3.5.15-0: not available in the lab (ErrImagePull; the lab has etcd 3.5.35, 3.6.16)');
    expect(imageArchive('registry.k8s.io/pause:3.10', images)).to.deep.equal({});
  });
});
