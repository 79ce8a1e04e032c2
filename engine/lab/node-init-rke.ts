// The part of a node's init that makes it an RKE1 etcd host: cgroups, its own dockerd, the etcd image and container.
import { imageTarPath, IMAGE_CHANGES } from './etcd-image.js';
import { nodeVersion } from './manifests.js';
import { cgroupMountScript, dockerdArgs, hostCgroupMounts, rkeEtcdRunArgs, rkeImage } from './rke.js';
import type { LabHost, LabSpec } from './spec.js';

/** Where the lab keeps its own etcdctl on a node without etcd tools (rke; kubeadm with `--host-etcd-tools off`): off PATH, for the lab's own queries only. */
export const LAB_ETCDCTL = '/usr/local/lib/ringmaster-lab/bin/etcdctl';

/** How long the init waits for its dockerd's socket before it gives up (and the boot fails with dockerd's log). */
const DOCKERD_WAIT_TENTHS = 200;

export function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Shell lines run before the overlays: the real folder that becomes docker's data root (the overlays would hide it). */
export const RKE_BEFORE_OVERLAYS = `mkdir -p "$SRC/docker" /run/lab/docker-root
mount --bind "$SRC/docker" /run/lab/docker-root
`;

/** Shell lines run by the init of an rke node after its overlays and before sshd (errors end the boot: `set -e`). */
export function rkeNodeSetup(spec: LabSpec, node: LabHost): string {
  const version = nodeVersion(spec, node);
  const words = (a: string[]) => a.map(shq).join(' ');
  return `# rke: RKE1's host layout — the node's own cgroup hierarchies, dockerd, and the etcd container; no etcd tools on the host
${cgroupMountScript(hostCgroupMounts())}
mkdir -p /var/lib/docker /etc/kubernetes/ssl /var/lib/etcd /usr/local/lib/ringmaster-lab/bin
# overlay2 cannot stack on the node's /var overlay: docker's data root is the lab's plain folder, bound before the overlays.
mount --bind /run/lab/docker-root /var/lib/docker
rm -f /usr/bin/etcd /usr/bin/etcdctl /usr/bin/etcdutl /usr/local/bin/etcd /usr/local/bin/etcdctl /usr/local/bin/etcdutl
# Debian's docker CLI (the same release as its dockerd), not a newer client that may shadow it on the real host.
rm -f /usr/local/bin/docker
cp -R "$SRC/ssl/." /etc/kubernetes/ssl/
chmod 600 /etc/kubernetes/ssl/*-key.pem
${spec.etcdBinDir ? `cp ${shq(`${spec.etcdBinDir}/etcdctl`)} ${LAB_ETCDCTL}` : ''}
/usr/sbin/dockerd ${words(dockerdArgs(spec, node))} </dev/null >>/var/log/dockerd.log 2>&1 &
echo $! > /run/lab/dockerd.pid
i=0
until docker version >/dev/null 2>&1; do
  i=$((i + 1)); [ $i -lt ${DOCKERD_WAIT_TENTHS} ] || { echo "dockerd did not answer; its log:" >&2; tail -n 20 /var/log/dockerd.log >&2; exit 1; }
  sleep 0.1
done
docker import ${IMAGE_CHANGES.map((c) => `--change ${shq(c)}`).join(' ')} ${shq(imageTarPath(version))} ${shq(rkeImage(version))} >/dev/null
docker ${words(rkeEtcdRunArgs(spec, node, version))} >/dev/null
`;
}
