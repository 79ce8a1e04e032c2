// The lab's `systemd` flavour: kubespray's host mode (roles/etcd: etcd.env.j2, etcd-host.service.j2): the binaries in
// /usr/local/bin, etcd.service reading its flags from /etc/etcd.env (EnvironmentFile=), kubespray's certificates in
// /etc/ssl/etcd/ssl, and systemd itself as the node's init (PID 1 of the node's PID namespace, as in a container).
import { nodeVersion, versionAtLeast } from './manifests.js';
import { clientUrl, peerUrl, type LabHost, type LabSpec } from './spec.js';

/** kubespray's etcd_cert_dir. */
export const KUBESPRAY_SSL = '/etc/ssl/etcd/ssl';
/** The files etcd.service and the inventory name: kubespray's etcd_config_dir/etcd.env and the unit. */
export const ETCD_ENV = '/etc/etcd.env';
export const ETCD_UNIT = '/etc/systemd/system/etcd.service';
/** The lab's own target: only what a node needs, none of Debian's services (so nothing touches the real host). */
export const LAB_TARGET = 'ringmaster-lab.target';

/** kubespray's certificate names for a host: member-<host> serves and peers, admin-<host> is etcdctl's. */
export function kubesprayCert(kind: 'member' | 'admin', host: string): { cert: string; key: string } {
  return { cert: `${KUBESPRAY_SSL}/${kind}-${host}.pem`, key: `${KUBESPRAY_SSL}/${kind}-${host}-key.pem` };
}

/** /etc/etcd.env as kubespray's etcd.env.j2 writes it for `node` (TLS, its defaults for the other settings). */
export function etcdEnv(spec: LabSpec, node: LabHost): string {
  const m = kubesprayCert('member', node.name);
  const admin = kubesprayCert('admin', node.name);
  const cluster = spec.etcdNodes.map((n) => `${n.name}=${peerUrl(spec, n)}`).join(',');
  const v36 = versionAtLeast(nodeVersion(spec, node), '3.6.0');
  return `# Environment file for etcd ${nodeVersion(spec, node)} (kubespray host mode; written by ringmaster lab)
ETCD_DATA_DIR=/var/lib/etcd
ETCD_ADVERTISE_CLIENT_URLS=${clientUrl(spec, node)}
ETCD_INITIAL_ADVERTISE_PEER_URLS=${peerUrl(spec, node)}
ETCD_INITIAL_CLUSTER_STATE=new
ETCD_METRICS=basic
ETCD_LISTEN_CLIENT_URLS=${clientUrl(spec, node)},https://127.0.0.1:2379
ETCD_ELECTION_TIMEOUT=5000
ETCD_HEARTBEAT_INTERVAL=250
ETCD_INITIAL_CLUSTER_TOKEN=${spec.clusterToken}
ETCD_LISTEN_PEER_URLS=${peerUrl(spec, node)}
ETCD_NAME=${node.name}
ETCD_PROXY=off
ETCD_INITIAL_CLUSTER=${cluster}
ETCD_AUTO_COMPACTION_RETENTION=8
ETCD_SNAPSHOT_COUNT=100000
ETCD_QUOTA_BACKEND_BYTES=2147483648
ETCD_MAX_REQUEST_BYTES=1572864
ETCD_LOG_LEVEL=info
ETCD_MAX_SNAPSHOTS=5
ETCD_MAX_WALS=5
${v36 ? 'ETCD_FEATURE_GATES=InitialCorruptCheck=true' : 'ETCD_EXPERIMENTAL_INITIAL_CORRUPT_CHECK=True'}

# TLS settings
ETCD_TRUSTED_CA_FILE=${KUBESPRAY_SSL}/ca.pem
ETCD_CERT_FILE=${m.cert}
ETCD_KEY_FILE=${m.key}
ETCD_CLIENT_CERT_AUTH=true

ETCD_PEER_TRUSTED_CA_FILE=${KUBESPRAY_SSL}/ca.pem
ETCD_PEER_CERT_FILE=${m.cert}
ETCD_PEER_KEY_FILE=${m.key}
ETCD_PEER_CLIENT_CERT_AUTH=True

# CLI settings
ETCDCTL_ENDPOINTS=https://127.0.0.1:2379
ETCDCTL_CACERT=${KUBESPRAY_SSL}/ca.pem
ETCDCTL_KEY=${admin.key}
ETCDCTL_CERT=${admin.cert}
`;
}

/** kubespray's etcd-host.service.j2 (bin_dir /usr/local/bin). */
export const ETCD_SERVICE = `[Unit]
Description=etcd
After=network.target

[Service]
Type=notify
User=root
EnvironmentFile=${ETCD_ENV}
ExecStart=/usr/local/bin/etcd
NotifyAccess=all
Restart=always
RestartSec=10s
LimitNOFILE=40000

[Install]
WantedBy=multi-user.target
`;

/** The node's units besides etcd: its target (journald, sshd, etcd; no default dependencies) and the lab's sshd. */
const LAB_UNITS: Record<string, string> = {
  [LAB_TARGET]: `[Unit]
Description=ringmaster lab node
DefaultDependencies=no
Wants=systemd-journald.service ringmaster-lab-sshd.service etcd.service
`,
  'ringmaster-lab-sshd.service': `[Unit]
Description=the lab's sshd
DefaultDependencies=no

[Service]
ExecStart=/usr/sbin/sshd -D -e -f /etc/ringmaster-lab/sshd_config
Restart=always
RestartSec=0.5s
`,
};

/**
 * Debian units that would reach past the node (kernel settings, clock, devices, consoles) or run its daemons: masked,
 * though the lab's target pulls none of them in and /proc/sys and /sys are read-only in the node.
 */
const MASKED = ['systemd-sysctl.service', 'systemd-timesyncd.service', 'systemd-udevd.service', 'systemd-modules-load.service',
  'systemd-binfmt.service', 'proc-sys-fs-binfmt_misc.automount', 'systemd-logind.service', 'getty@.service', 'serial-getty@.service',
  'console-getty.service', 'systemd-random-seed.service', 'systemd-remount-fs.service', 'systemd-firstboot.service',
  'systemd-networkd.service', 'cron.service', 'ssh.service', 'docker.service', 'containerd.service', 'etcd-server.service'];

const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * Shell lines run by a systemd node's init before it hands over to systemd: read-only kernel knobs, the node's own
 * /dev, the cgroup hierarchies of its cgroup namespace (the lab's folder on the host), kubespray's files and units.
 */
export function systemdNodeSetup(cgroupLines: string): string {
  const units = Object.entries({ ...LAB_UNITS, 'etcd.service': ETCD_SERVICE })
    .map(([name, text]) => `cat > /etc/systemd/system/${name} <<'RINGMASTER_EOF'\n${text}RINGMASTER_EOF`).join('\n');
  return `# systemd: kubespray's host mode, with systemd as this node's init
mount --bind /proc/sys /proc/sys; mount -o remount,bind,ro /proc/sys
mount -o remount,ro /sys
${cgroupLines}
mkdir -p /run/lab-hostdev; mount --bind /dev /run/lab-hostdev
mount -t tmpfs -o mode=755,size=1m lab-dev /dev
for d in null zero full random urandom tty; do touch /dev/$d; mount --bind /run/lab-hostdev/$d /dev/$d; done
umount /run/lab-hostdev; rmdir /run/lab-hostdev
mkdir -p /dev/pts /dev/shm; mount -t devpts -o newinstance,ptmxmode=0666 lab-devpts /dev/pts; ln -sf pts/ptmx /dev/ptmx
mount -t tmpfs -o mode=1777 lab-shm /dev/shm
rm -f /etc/machine-id; systemd-machine-id-setup >/dev/null
mkdir -p ${KUBESPRAY_SSL} /var/lib/etcd /etc/systemd/system
chmod 700 /var/lib/etcd
cp -R "$SRC/ssl/." ${KUBESPRAY_SSL}/
chmod 600 ${KUBESPRAY_SSL}/*-key.pem
cp "$SRC/etcd.env" ${ETCD_ENV}
${units}
for u in ${MASKED.join(' ')}; do ln -sf /dev/null /etc/systemd/system/$u; done
ln -sf /etc/systemd/system/${LAB_TARGET} /etc/systemd/system/default.target
`;
}

/** The last line of a systemd node's init: systemd becomes PID 1, told it runs in a container (`container=`). */
export function systemdExec(): string {
  return `exec /usr/bin/env -i container=ringmaster-lab PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin /lib/systemd/systemd --system --unit=${q(LAB_TARGET)} --log-target=console --show-status=no </dev/null
`;
}
