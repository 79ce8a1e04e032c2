// The lab's fixed plan: names, address plan and on-disk layout derived from a lab name and its options.
import { join } from 'node:path';
import { RingError } from '../errors/index.js';
import { DEFAULT_FLAVOR, type LabFlavor } from './flavor.js';

/** Where every lab keeps its files (root-owned, not world-writable: sshd's StrictModes accepts keys here). */
export const LABS_ROOT = '/var/lib/ringmaster/labs';
export const DEFAULT_LAB = 'ringmaster';
/** The etcd a lab runs when `lab up` is given no --etcd-version (Debian's package; see etcd-versions.ts). */
export const ETCD_VERSION = '3.4.23';
/** PATH for every process started inside the lab (a clean environment: the host's dotfiles stay out). */
export const LAB_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** One lab host (bastion or etcd node) as the lab builds it. */
export interface LabHost {
  name: string;
  role: 'bastion' | 'node';
  /** Network namespace name (`rm-<lab>-<host>`). */
  netns: string;
  /** The address other lab hosts use to reach it (the bastion's node-side address is `innerAddress`). */
  address: string;
  innerAddress?: string;
  /** The node's port name on the lab bridge (inside the bridge namespace). */
  bridgePort: string;
}

/** Everything `lab up` builds, derived from the name and flags only (so `down` can recompute it). */
export interface LabSpec {
  name: string;
  nodes: number;
  tls: boolean;
  /** What kind of etcd host every node is (flavor.ts). */
  flavor: LabFlavor;
  dir: string;
  clientNetns: string;
  bridgeNetns: string;
  clientAddress: string;
  bastion: LabHost;
  etcdNodes: LabHost[];
  clusterToken: string;
  /** The exact etcd release every node runs. */
  etcdVersion: string;
  /** Folder of the built etcd/etcdctl/etcdutl copied onto each node's PATH; undefined: Debian's /usr/bin ones. */
  etcdBinDir?: string;
  /** Nodes left on another release (`lab up --upgrade-from`: the last node, not upgraded yet) → that release. */
  nodeVersions?: Record<string, string>;
  /**
   * Whether etcd, etcdctl and etcdutl are on the nodes' PATH (kubeadm: yes unless `--host-etcd-tools off`, as on a
   * kubeadm node where they are only in etcd's image; rke: never, as on RKE's hosts).
   */
  hostEtcdTools: boolean;
}

/** Addresses exist only inside the lab's namespaces; every lab may reuse them because namespaces never meet. */
const CLIENT_NET = '10.20.0';
const NODE_NET = '10.20.30';

export function checkLabName(name: string): string {
  if (!/^[a-z][a-z0-9-]{0,15}$/.test(name)) {
    throw new RingError('E_USAGE', `invalid lab name '${name}'`, {
      hint: 'use 1 to 16 lower-case letters, digits or dashes, starting with a letter',
    });
  }
  return name;
}

export function labDir(name: string): string {
  return join(LABS_ROOT, name);
}

export function netnsPrefix(name: string): string {
  return `rm-${name}-`;
}

/** The etcd release (and, optionally, the flavour) a lab is built with. */
export interface LabEtcd { version: string; binDir?: string; nodeVersions?: Record<string, string>; flavor?: LabFlavor; hostEtcdTools?: boolean }

export function makeSpec(name: string, nodes: number, tls: boolean, etcd: LabEtcd = { version: ETCD_VERSION }): LabSpec {
  checkLabName(name);
  const p = netnsPrefix(name);
  const bastion: LabHost = {
    name: 'bastion', role: 'bastion', netns: `${p}bastion`,
    address: `${CLIENT_NET}.1`, innerAddress: `${NODE_NET}.1`, bridgePort: 'b0',
  };
  const etcdNodes = Array.from({ length: nodes }, (_, i): LabHost => ({
    name: `node${i + 1}`, role: 'node', netns: `${p}node${i + 1}`,
    address: `${NODE_NET}.${101 + i}`, bridgePort: `n${i + 1}`,
  }));
  const flavor = etcd.flavor ?? DEFAULT_FLAVOR;
  return {
    name, nodes, tls, flavor, dir: labDir(name),
    clientNetns: `${p}client`, bridgeNetns: `${p}net`, clientAddress: `${CLIENT_NET}.10`,
    // RKE names every cluster's token etcd-cluster-1 (rancher/rke cluster/plan.go).
    // kubespray's etcd_cluster_token default is k8s_etcd.
    bastion, etcdNodes, clusterToken: flavor === 'rke' ? 'etcd-cluster-1' : flavor === 'systemd' ? 'k8s_etcd' : `ringmaster-lab-${name}`,
    etcdVersion: etcd.version, etcdBinDir: etcd.binDir, ...(etcd.nodeVersions ? { nodeVersions: etcd.nodeVersions } : {}),
    hostEtcdTools: flavor !== 'rke' && etcd.hostEtcdTools !== false,
  };
}

export const LAB_SUBNETS = [`${CLIENT_NET}.0/24`, `${NODE_NET}.0/24`];

export function allHosts(spec: LabSpec): LabHost[] {
  return [spec.bastion, ...spec.etcdNodes];
}

export function allNetns(spec: LabSpec): string[] {
  return [spec.clientNetns, spec.bridgeNetns, ...allHosts(spec).map((h) => h.netns)];
}

export function clientUrl(spec: LabSpec, h: LabHost): string {
  return `${spec.tls ? 'https' : 'http'}://${h.address}:2379`;
}

export function peerUrl(spec: LabSpec, h: LabHost): string {
  return `${spec.tls ? 'https' : 'http'}://${h.address}:2380`;
}

/** The member name a node's etcd runs with: kubeadm uses the node name, RKE `etcd-<node>`. */
export function memberName(spec: LabSpec, h: LabHost): string {
  return spec.flavor === 'rke' ? `etcd-${h.name}` : h.name;
}

export function findHost(spec: LabSpec, name: string): LabHost {
  const h = allHosts(spec).find((x) => x.name === name);
  if (!h) {
    throw new RingError('E_USAGE', `lab ${spec.name} has no host '${name}'`, {
      hint: `hosts: ${allHosts(spec).map((x) => x.name).join(', ')}`,
    });
  }
  return h;
}
