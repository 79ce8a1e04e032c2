// The kinds of etcd host a lab can build (`lab up --flavor`), and what differs between them in one place.
import { RingError } from '../errors/index.js';

/**
 * - kubeadm: a static pod (`/etc/kubernetes/manifests/etcd.yaml`, kubeadm's PKI layout) run as a CRI pod of the node's
 *   own containerd (Debian's) from a kubeadm-shaped etcd image, by the lab's runner doing kubelet's static-pod job.
 * - rke: RKE1's `etcd` container under a real dockerd per node (Debian's docker.io), RKE's certificate names, no
 *   etcdctl or etcdutl on the host.
 * - systemd: kubespray's host mode — etcd.service with EnvironmentFile=/etc/etcd.env, the binaries on the host,
 *   kubespray's certificates — under systemd as the node's init (kubespray.ts).
 */
export const LAB_FLAVORS = ['kubeadm', 'rke', 'systemd'] as const;
export type LabFlavor = (typeof LAB_FLAVORS)[number];
export const DEFAULT_FLAVOR: LabFlavor = 'kubeadm';

export function checkFlavor(value: string | undefined): LabFlavor {
  if (value === undefined) return DEFAULT_FLAVOR;
  if ((LAB_FLAVORS as readonly string[]).includes(value)) return value as LabFlavor;
  throw new RingError('E_USAGE', `unknown lab flavour '${value}'`, { hint: `use one of: ${LAB_FLAVORS.join(', ')}` });
}

/** The TLS files the lab's own etcdctl (not on the node's PATH for rke) uses on a node. */
export interface LabTlsFiles { ca: string; cert: string; key: string }

/** RKE names a node's etcd certificate after its address: `kube-etcd-10-20-30-101.pem`. */
export function rkeCertBase(address: string): string {
  return `/etc/kubernetes/ssl/kube-etcd-${address.replace(/[.:]/g, '-')}`;
}
