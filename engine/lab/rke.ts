// The lab's `rke` flavour: one dockerd per node and RKE1's `etcd` container (rancher/rke cluster/plan.go BuildEtcdProcess).
import { readFileSync } from 'node:fs';
import { rkeCertBase } from './flavor.js';
import { clientUrl, memberName, peerUrl, type LabHost, type LabSpec } from './spec.js';

/** RKE's image name for an etcd release (built locally by etcd-image.ts: no registry is reached). */
export function rkeImage(version: string): string {
  return `rancher/mirrored-coreos-etcd:v${version.replace(/^v/, '')}`;
}

/** The cgroup folder (in every hierarchy) a node's dockerd puts its containers under; `lab down` removes it. */
export function cgroupParent(spec: LabSpec, node: LabHost): string {
  return `ringmaster-lab-${spec.name}-${node.name}`;
}

/**
 * dockerd inside the node's namespaces: its own data and exec roots, no bridge, no iptables or masquerading, no
 * userland proxy (the lab's network rules), cgroupfs under a parent of the lab's own.
 */
export function dockerdArgs(spec: LabSpec, node: LabHost): string[] {
  return ['--data-root=/var/lib/docker', '--exec-root=/run/docker', '--pidfile=/run/docker.pid', '-H', 'unix:///run/docker.sock',
    '--iptables=false', '--ip6tables=false', '--ip-masq=false', '--bridge=none', '--userland-proxy=false',
    '--exec-opt', 'native.cgroupdriver=cgroupfs', `--cgroup-parent=/${cgroupParent(spec, node)}`, '--storage-driver=overlay2',
    '--log-level=warn'];
}

/** `docker run` arguments of the etcd container as RKE starts it on `node` (`--initial-cluster-state=new`: a new cluster). */
export function rkeEtcdRunArgs(spec: LabSpec, node: LabHost, version: string): string[] {
  const cert = rkeCertBase(node.address);
  const ca = '/etc/kubernetes/ssl/kube-ca.pem';
  const cluster = spec.etcdNodes.map((n) => `${memberName(spec, n)}=${peerUrl(spec, n)}`).join(',');
  return ['run', '-d', '--name', 'etcd', '--net=host', '--restart=always', '--label', 'io.rancher.rke.container.name=etcd',
    '-v', '/var/lib/etcd:/var/lib/rancher/etcd/:z', '-v', '/etc/kubernetes:/etc/kubernetes:z',
    '-e', 'ETCDCTL_API=3', '-e', `ETCDCTL_CACERT=${ca}`, '-e', `ETCDCTL_CERT=${cert}.pem`, '-e', `ETCDCTL_KEY=${cert}-key.pem`,
    '-e', 'ETCDCTL_ENDPOINTS=https://127.0.0.1:2379',
    rkeImage(version), '/usr/local/bin/etcd', '--peer-client-cert-auth', '--client-cert-auth',
    `--name=${memberName(spec, node)}`, '--data-dir=/var/lib/rancher/etcd/',
    `--advertise-client-urls=${clientUrl(spec, node)}`, '--listen-client-urls=https://0.0.0.0:2379',
    `--initial-advertise-peer-urls=${peerUrl(spec, node)}`, '--listen-peer-urls=https://0.0.0.0:2380',
    `--initial-cluster=${cluster}`, '--initial-cluster-state=new', `--initial-cluster-token=${spec.clusterToken}`,
    '--election-timeout=5000', '--heartbeat-interval=500',
    `--trusted-ca-file=${ca}`, `--peer-trusted-ca-file=${ca}`,
    `--cert-file=${cert}.pem`, `--key-file=${cert}-key.pem`, `--peer-cert-file=${cert}.pem`, `--peer-key-file=${cert}-key.pem`];
}

/** One cgroup v1/v2 hierarchy as the real host mounts it (`ip netns exec` gives a node a fresh /sys without them). */
export interface CgroupMount { dir: string; type: 'cgroup' | 'cgroup2'; options: string }

/** The host's cgroup hierarchies under /sys/fs/cgroup, read from /proc/self/mountinfo. */
export function hostCgroupMounts(mountinfo = readFileSync('/proc/self/mountinfo', 'utf8')): CgroupMount[] {
  const found: CgroupMount[] = [];
  for (const line of mountinfo.split('\n')) {
    const [left, right] = line.split(' - ');
    if (!right) continue;
    const mountPoint = left.split(' ')[4];
    const [type, , superOpts] = right.split(' ');
    if ((type !== 'cgroup' && type !== 'cgroup2') || !mountPoint?.startsWith('/sys/fs/cgroup')) continue;
    const opts = type === 'cgroup2' ? [] : superOpts.split(',').filter((o) => o !== 'rw' && o !== 'ro');
    // A named hierarchy without controllers (name=systemd) mounts as `none,name=…`.
    const options = opts.length > 0 && opts.every((o) => o.startsWith('name=')) ? ['none', ...opts].join(',') : opts.join(',');
    found.push({ dir: mountPoint, type, options });
  }
  return found;
}

/** Shell lines that mount the host's hierarchies inside a node's mount namespace (a tmpfs holds them, as on the host). */
export function cgroupMountScript(mounts: CgroupMount[]): string {
  const lines = mounts.some((m) => m.dir === '/sys/fs/cgroup') ? [] : ['mount -t tmpfs -o mode=755,size=1m lab-cgroup /sys/fs/cgroup'];
  for (const m of mounts) {
    lines.push(`mkdir -p ${m.dir}`, m.type === 'cgroup2' ? `mount -t cgroup2 lab-cgroup2 ${m.dir}` : `mount -t cgroup -o ${m.options} lab-cgroup ${m.dir}`);
  }
  return lines.join('\n');
}
