// The part of a node's init that makes it a kubeadm control-plane host: cgroups, its own containerd with the CRI,
// crictl, kubeadm's /etc/kubernetes layout, and the static-pod runner doing kubelet's job over the CRI.
import { CRI_TOOLS_BIN, PAUSE_IMAGE, pauseArchivePath } from './kubeadm-image.js';
import { shq } from './node-init-rke.js';
import { cgroupMountScript, cgroupParent, hostCgroupMounts } from './rke.js';
import type { LabHost, LabSpec } from './spec.js';

/** containerd's socket on a kubeadm node (kubelet's --container-runtime-endpoint, crictl's runtime-endpoint). */
export const CONTAINERD_SOCK = '/run/containerd/containerd.sock';

/** How long the init waits for containerd's socket before it gives up (and the boot fails with containerd's log). */
const CONTAINERD_WAIT_TENTHS = 200;

/**
 * containerd's config as kubeadm's docs ask for it, fitted to the lab's rules: the CRI with runc and cgroupfs (the
 * lab has no systemd), the lab's pause image, no CNI (etcd's pod uses the host network), no OOM score below
 * containerd's own (root here lacks CAP_SYS_RESOURCE), and no plugins that probe for what the lab does not have.
 */
export function containerdConfig(): string {
  return `version = 2
root = "/var/lib/containerd"
state = "/run/containerd"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs", "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]

[grpc]
  address = "${CONTAINERD_SOCK}"

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "${PAUSE_IMAGE}"
  disable_apparmor = true
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
`;
}

/** crictl's config on a kubeadm node, so runbook 001's `crictl ps …` works as typed. */
export const CRICTL_YAML = `runtime-endpoint: unix://${CONTAINERD_SOCK}
image-endpoint: unix://${CONTAINERD_SOCK}
timeout: 10
`;

/** Shell lines run before the overlays: the real folder that becomes containerd's root (overlayfs cannot stack on the node's /var overlay). */
export const KUBEADM_BEFORE_OVERLAYS = `mkdir -p "$SRC/containerd" /run/lab/containerd-root
mount --bind "$SRC/containerd" /run/lab/containerd-root
`;

/** The runner's environment: the node's name (kubelet's mirror-pod names) and the lab's cgroup folder for its pods. */
export function runnerEnv(spec: LabSpec, node: LabHost): string {
  return `RUNNER_NODE=${shq(node.name)} RUNNER_CGROUP_PARENT=${shq(`/${cgroupParent(spec, node)}`)}`;
}

/** Shell lines run by the init of a kubeadm node after its overlays (errors end the boot: `set -e`). */
export function kubeadmNodeSetup(): string {
  return `# kubeadm: the node's own cgroup hierarchies, containerd with its CRI, crictl
${cgroupMountScript(hostCgroupMounts())}
mkdir -p /var/lib/containerd /etc/containerd
mount --bind /run/lab/containerd-root /var/lib/containerd
cat > /etc/containerd/config.toml <<'RINGMASTER_EOF'
${containerdConfig()}RINGMASTER_EOF
cat > /etc/crictl.yaml <<'RINGMASTER_EOF'
${CRICTL_YAML}RINGMASTER_EOF
cp ${shq(`${CRI_TOOLS_BIN}/crictl`)} /usr/local/bin/crictl
/usr/bin/containerd --config /etc/containerd/config.toml --log-level warn </dev/null >>/var/log/containerd.log 2>&1 &
echo $! > /run/lab/containerd.pid
i=0
until [ -S ${CONTAINERD_SOCK} ] && crictl info >/dev/null 2>&1; do
  i=$((i + 1)); [ $i -lt ${CONTAINERD_WAIT_TENTHS} ] || { echo "containerd did not answer; its log:" >&2; tail -n 20 /var/log/containerd.log >&2; exit 1; }
  sleep 0.1
done
ctr -a ${CONTAINERD_SOCK} -n k8s.io images import ${shq(pauseArchivePath())} >/dev/null
`;
}
