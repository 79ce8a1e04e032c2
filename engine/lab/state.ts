// The lab's state file: everything `lab up` creates is recorded here before or as it is made, so `down` can undo it.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RingError } from '../errors/index.js';
import type { LabFlavor } from './flavor.js';
import type { ProcRef } from './proc.js';
import { ETCD_VERSION, labDir, makeSpec, type LabSpec } from './spec.js';

/** A fault `lab fail` injected and `lab heal` must undo. */
export type FaultMode = 'stop' | 'kill' | 'wipe' | 'corrupt' | 'partition' | 'ssh-down';

/** The recorded state of one lab (JSON in `<lab dir>/state.json`). */
export interface LabState {
  version: 1;
  name: string;
  nodes: number;
  tls: boolean;
  /** Absent in labs made before flavours: kubeadm. */
  flavor?: LabFlavor;
  /** cgroup folders the lab's dockerds create (one parent per node, in every hierarchy): removed by `down`. */
  cgroupParents?: string[];
  /** The etcd release the nodes run and where its binaries come from (absent in labs made before versions: 3.4.23). */
  etcdVersion?: string;
  etcdBinDir?: string;
  /** Nodes on another release than etcdVersion (a rolling upgrade stopped halfway: `lab up --upgrade-from`). */
  nodeVersions?: Record<string, string>;
  /** false: a kubeadm lab made with `--host-etcd-tools off` (absent: the flavour's default). */
  hostEtcdTools?: boolean;
  phase: 'creating' | 'up' | 'failed' | 'removing';
  createdAt: string;
  /** Network namespaces, recorded just before each is created. */
  netns: string[];
  /** Long-lived processes: `client` is the holder of the client namespace; hosts by name (the unshare process). */
  procs: Record<string, ProcRef>;
  /** PID 1 of each host's PID namespace (the host's init). */
  inits: Record<string, ProcRef>;
  /** Network namespace inode of the client namespace, for `enterLabIfNeeded`. */
  clientNetnsInode?: number;
  faults: Record<string, FaultMode[]>;
  /** By node, what a data fault found and left, so heal can tell a repaired node: its member ID, the corrupted db's sha256. */
  faultEvidence?: Record<string, { memberId?: string; corruptedSha?: string }>;
}

export function statePath(name: string): string {
  return join(labDir(name), 'state.json');
}

export function readState(name: string): LabState | undefined {
  const file = statePath(name);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LabState;
  } catch (e) {
    throw new RingError('E_LAB', `the state file of lab ${name} (${file}) is unreadable: ${(e as Error).message}`);
  }
}

/** Reads the state of a lab that must exist. */
export function requireState(name: string): LabState {
  const s = readState(name);
  if (!s) {
    throw new RingError('E_LAB', `lab ${name} is not up`, { hint: `run \`ringmaster lab up --name ${name}\`` });
  }
  return s;
}

export function specOf(state: LabState): LabSpec {
  return makeSpec(state.name, state.nodes, state.tls, { version: state.etcdVersion ?? ETCD_VERSION, binDir: state.etcdBinDir, nodeVersions: state.nodeVersions, flavor: state.flavor, hostEtcdTools: state.hostEtcdTools });
}

/** Writes the state atomically (a crash mid-write must not lose what was recorded before). */
export function writeState(state: LabState): void {
  const dir = labDir(state.name);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = join(dir, '.state.json.tmp');
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, statePath(state.name));
}

export function newState(spec: LabSpec): LabState {
  return {
    version: 1, name: spec.name, nodes: spec.nodes, tls: spec.tls, flavor: spec.flavor, etcdVersion: spec.etcdVersion, etcdBinDir: spec.etcdBinDir, ...(spec.hostEtcdTools ? {} : { hostEtcdTools: false }), phase: 'creating',
    createdAt: new Date().toISOString(), netns: [], procs: {}, inits: {}, faults: {},
  };
}
