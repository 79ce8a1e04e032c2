// The values etcd's manifest templates see under `m`, derived from a host's variables the way kubeadm, RKE and
// kubespray derive them; etcd_manifest and `ringmaster render` both render with these (one code path).
import { pkiDirOf } from '../etcd/host-defaults.js';
import { tlsFiles } from '../etcd/tls-files.js';
import { newestVersion, parseVersion } from '../etcd/versions.js';
import type { EtcdManifestArgs } from '../generated/schema-types.js';
import { atLeast, hostPort, varStr, versionOf } from './etcd-common.js';

/** The inputs of a render besides the host's variables (etcd_manifest's arguments of the same names). */
export type ManifestInputs = Pick<EtcdManifestArgs, 'initial_cluster' | 'initial_cluster_state' | 'force_new_cluster'>;

/** Where RKE's container sees the data folder it mounts (`-v /var/lib/etcd:/var/lib/rancher/etcd/`). */
const RKE_DATA_DIR = '/var/lib/rancher/etcd/';

export function manifestValues(vars: Readonly<Record<string, unknown>>, host: string, args: ManifestInputs, floor?: string): Record<string, unknown> {
  const name = varStr(vars, 'etcd_name', host);
  const peer = varStr(vars, 'etcd_peer_url', '');
  const client = varStr(vars, 'etcd_client_url', '');
  const version = newestVersion(varStr(vars, 'etcd_version', ''), floor) ?? '3.5.15';
  const local = `https://127.0.0.1:${hostPort(client).port}`;
  const docker = varStr(vars, 'etcd_flavor', 'static-pod') === 'docker';
  const dataDir = varStr(vars, 'etcd_data_dir', '/var/lib/etcd');
  const tls = tlsFiles(vars);
  return {
    name,
    peer_url: peer,
    client_url: client,
    listen_client_urls: client === local ? local : `${local},${client}`,
    client_port: hostPort(client).port,
    peer_port: hostPort(peer, 2380).port,
    data_dir: dataDir,
    /** The data folder as etcd sees it: inside RKE's container, the mount's target. */
    member_data_dir: docker ? RKE_DATA_DIR : dataDir,
    pki_dir: varStr(vars, 'etcd_pki_dir', pkiDirOf(vars.etcd_flavor)),
    ca_file: tls.ca,
    cert_file: tls.cert,
    key_file: tls.key,
    peer_ca_file: tls.peerCa,
    peer_cert_file: tls.peerCert,
    peer_key_file: tls.peerKey,
    client_cert_file: tls.clientCert,
    client_key_file: tls.clientKey,
    image: varStr(vars, 'etcd_image', docker ? `rancher/mirrored-coreos-etcd:v${version.replace(/^v/, '')}` : `registry.k8s.io/etcd:${version.replace(/^v/, '')}-0`),
    binary: varStr(vars, 'etcd_binary', '/usr/local/bin/etcd'),
    container: varStr(vars, 'etcd_container', 'etcd'),
    metrics_port: 2381,
    token: varStr(vars, 'etcd_cluster_token', ''),
    initial_cluster: args.initial_cluster ?? inventoryCluster(vars) ?? `${name}=${peer}`,
    initial_cluster_state: args.initial_cluster_state ?? '',
    force_new_cluster: args.force_new_cluster === true,
    v36: atLeast(versionOf(version), 3, 6),
    // kubeadm 1.31+ probes /livez and /readyz, which etcd serves from 3.5.11.
    livez: servesLivez(version),
  };
}

/** `name=peer URL` of every etcd host of the inventory, as a bootstrap lists them; undefined without hostvars. */
function inventoryCluster(vars: Readonly<Record<string, unknown>>): string | undefined {
  const hostvars = vars.hostvars as Record<string, Record<string, unknown>> | undefined;
  const hosts = (vars.groups as Record<string, string[]> | undefined)?.etcd ?? [];
  const pairs = hosts.map((h) => [varStr(hostvars?.[h] ?? {}, 'etcd_name', h), varStr(hostvars?.[h] ?? {}, 'etcd_peer_url', '')]).filter(([, p]) => p);
  return pairs.length > 0 ? pairs.map(([n, p]) => `${n}=${p}`).join(',') : undefined;
}

function servesLivez(version: string): boolean {
  const v = parseVersion(version);
  return v !== undefined && (v[0] > 3 || (v[0] === 3 && (v[1] > 5 || (v[1] === 5 && v[2] >= 11))));
}
