// The TLS files of a member and of etcdctl, from inventory variables with each flavour's own names as defaults:
// kubeadm's (and systemd's) `server`/`peer`/`healthcheck-client` under the PKI folder, RKE's `kube-ca.pem` and one
// `kube-etcd-<ip-with-dashes>.pem` per node, used for serving, peering and etcdctl alike.
import { pkiDirOf } from './host-defaults.js';

export interface TlsFiles {
  ca: string;
  cert: string;
  key: string;
  /** The CA peers are verified against (`--peer-trusted-ca-file`). */
  peerCa: string;
  peerCert: string;
  peerKey: string;
  /** etcdctl's client certificate. */
  clientCert: string;
  clientKey: string;
}

const str = (v: unknown, d: string): string => (typeof v === 'string' && v !== '' ? v : d);

/** RKE names a node's etcd certificate after its address: https://10.0.1.21:2380 → kube-etcd-10-0-1-21. */
function rkeName(vars: Readonly<Record<string, unknown>>): string {
  let host = '';
  try { host = new URL(str(vars.etcd_peer_url, '')).hostname; } catch { /* no peer URL: the name stays generic */ }
  return `kube-etcd-${(host || str(vars.ansible_host, 'node')).replace(/[.:]/g, '-')}`;
}

export function tlsFiles(vars: Readonly<Record<string, unknown>>): TlsFiles {
  const docker = vars.etcd_flavor === 'docker';
  const pki = str(vars.etcd_pki_dir, pkiDirOf(vars.etcd_flavor));
  const node = docker ? `${pki}/${rkeName(vars)}` : '';
  const cert = str(vars.etcd_cert_file, docker ? `${node}.pem` : `${pki}/server.crt`);
  const key = str(vars.etcd_key_file, docker ? `${node}-key.pem` : `${pki}/server.key`);
  return {
    ca: str(vars.etcd_ca_file, docker ? `${pki}/kube-ca.pem` : `${pki}/ca.crt`),
    cert,
    key,
    // RKE2 signs peers with a CA of their own (peer-ca.crt); kubeadm and RKE use one CA for both.
    peerCa: str(vars.etcd_peer_ca_file, str(vars.etcd_ca_file, docker ? `${pki}/kube-ca.pem` : `${pki}/ca.crt`)),
    peerCert: str(vars.etcd_peer_cert_file, docker ? cert : `${pki}/peer.crt`),
    peerKey: str(vars.etcd_peer_key_file, docker ? key : `${pki}/peer.key`),
    clientCert: str(vars.etcdctl_cert_file, docker ? cert : `${pki}/healthcheck-client.crt`),
    clientKey: str(vars.etcdctl_key_file, docker ? key : `${pki}/healthcheck-client.key`),
  };
}
