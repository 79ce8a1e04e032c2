// `lab up`: builds the namespaces, hosts, PKI, sshd and a healthy etcd cluster, recording each step for `lab down`.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RingError } from '../errors/index.js';
import { labMemoryMb } from './census.js';
import { labDown } from './down.js';
import { waitClusterHealthy } from './etcd-query.js';
import { clientNsenter, startClient, startHost, waitBooted, writeRunnerBundle } from './hosts.js';
import { writeInventory } from './inventory.js';
import { resolveEtcdRelease } from './etcd-versions.js';
import { ensureEtcdImageTar } from './etcd-image.js';
import { labImages } from './etcd-versions.js';
import { ensureKubeadmEtcdImage, ensurePauseImage } from './kubeadm-image.js';
import { checkFlavor } from './flavor.js';
import { etcdManifest } from './manifests.js';
import { etcdEnv } from './kubespray.js';
import { cgroupParent } from './rke.js';
import { hostDir } from './node-init.js';
import { createPki } from './pki.js';
import { checkPrereqs } from './prereqs.js';
import { run, waitFor } from './proc.js';
import { allHosts, LABS_ROOT, makeSpec, type LabSpec } from './spec.js';
import { createSshFiles, sshConfigPath } from './ssh-files.js';
import { newState, readState, specOf, writeState, type LabState } from './state.js';
import { checkUpgrade, upgradeAllButLast } from './upgrade.js';
import { buildNetwork, checkIsolation } from './topology.js';

/** Options of `lab up`. */
export interface UpOptions {
  name: string;
  nodes: number;
  tls: boolean;
  /** `3.6`, `3.6.16`…; default: the `default` line of scripts/etcd-versions.txt (see etcd-versions.ts). */
  etcdVersion?: string;
  /** What kind of etcd host the nodes are (flavor.ts); default kubeadm. */
  flavor?: string;
  /** kubeadm: false leaves etcd's tools off the nodes' PATH (only in etcd's image); default true. */
  hostEtcdTools?: boolean;
  /** Make the cluster on this older minor, then upgrade every node but the last to `etcdVersion` (a mixed cluster). */
  upgradeFrom?: string;
  install: boolean;
  /** Keep a half-built lab for debugging instead of removing it when `up` fails. */
  keepOnFailure: boolean;
  log: (line: string) => void;
}

/** Timings (ms) and facts of a finished `lab up`. */
export interface UpReport {
  spec: LabSpec;
  inventory: string;
  builtMs: number;
  healthyMs: number;
  totalMs: number;
  memoryMb: number;
  /** ms spent packing image archives (rke: the etcd image; kubeadm: pause and etcd images); absent when all were cached. */
  imageBuildMs?: number;
}

/** Builds lab `name`; on failure removes what it made (unless keepOnFailure) and rethrows. */
export async function labUp(o: UpOptions): Promise<UpReport> {
  const t0 = Date.now();
  const to = resolveEtcdRelease(o.etcdVersion);
  const from = o.upgradeFrom === undefined ? undefined : resolveEtcdRelease(o.upgradeFrom);
  if (from) checkUpgrade(from, to);
  const flavor = checkFlavor(o.flavor);
  if (flavor !== 'kubeadm' && (from || !o.tls)) {
    throw new RingError('E_USAGE', `the ${flavor} flavour ${from ? 'has no --upgrade-from yet' : `always runs etcd with TLS (as ${flavor === 'rke' ? 'RKE' : 'kubespray'} does)`}`, { hint: from ? 'use the kubeadm flavour for a mixed-version lab' : 'drop --tls off' });
  }
  if (flavor === 'systemd' && o.hostEtcdTools === false) {
    throw new RingError('E_USAGE', 'kubespray\'s host mode runs etcd from the host\'s binaries: --host-etcd-tools off is for the kubeadm flavour', { hint: 'drop --host-etcd-tools' });
  }
  if ((flavor === 'rke' && o.hostEtcdTools === true) || (from && o.hostEtcdTools === false)) {
    throw new RingError('E_USAGE', flavor === 'rke' ? 'rke nodes have no etcd tools on the host (as on RKE\'s hosts): --host-etcd-tools on is for the kubeadm flavour' : '--host-etcd-tools off has no --upgrade-from yet', { hint: flavor === 'rke' ? 'drop --host-etcd-tools' : 'drop one of the two' });
  }
  const spec = makeSpec(o.name, o.nodes, o.tls, { ...(from ?? to), flavor, ...(o.hostEtcdTools === false ? { hostEtcdTools: false } : {}) });
  await checkPrereqs(o.install, o.log, flavor);
  if (readState(spec.name) || existsSync(spec.dir)) {
    throw new RingError('E_LAB', `lab ${spec.name} already exists (${spec.dir})`, {
      hint: `use it, or run \`ringmaster lab down --name ${spec.name}\` first`,
    });
  }
  mkdirSync(LABS_ROOT, { recursive: true, mode: 0o755 });
  const state = newState(spec);
  writeState(state);
  try {
    const r = await build(spec, state, o.log, t0);
    if (!from) return r;
    const upgraded = await upgradeAllButLast(spec, state, to, o.log);
    const last = spec.etcdNodes[spec.etcdNodes.length - 1].name;
    Object.assign(state, { etcdVersion: to.version, etcdBinDir: to.binDir, nodeVersions: { [last]: from.version } });
    writeState(state);
    const mixed = specOf(state);
    o.log(`lab ${spec.name}: ${upgraded.join(', ')} on etcd ${to.version}, ${last} still on ${from.version} (cluster version ${from.version.replace(/\.\d+$/, '')})`);
    return { ...r, spec: mixed, inventory: writeInventory(mixed), totalMs: Date.now() - t0 };
  } catch (e) {
    state.phase = 'failed';
    writeState(state);
    if (!o.keepOnFailure) {
      o.log(`lab up failed; removing what it made (use --keep-on-failure to inspect ${spec.dir})`);
      await labDown(spec.name);
    }
    throw e;
  }
}

async function build(spec: LabSpec, state: LabState, log: (line: string) => void, t0: number): Promise<UpReport> {
  log(`lab ${spec.name}: etcd ${spec.etcdVersion}${spec.etcdBinDir ? ` from ${spec.etcdBinDir}` : ' (Debian)'}; network namespaces (client, bastion, ${spec.nodes} nodes)`);
  await buildNetwork(spec, state);
  await checkIsolation(spec);
  log(spec.flavor === 'rke' ? 'keys, RKE certificates and the etcd image' : 'keys, certificates, manifests and the pod images');
  const [, , imageMs, archives] = await Promise.all([createSshFiles(spec), createPki(spec), ...flavorImages(spec)]);
  if (imageMs !== undefined) log(`images packed in ${imageMs} ms`);
  // Recorded before any runtime can create them: `down` removes these cgroup folders even after a failed boot.
  state.cgroupParents = spec.etcdNodes.map((n) => cgroupParent(spec, n));
  writeState(state);
  if (spec.flavor === 'kubeadm') {
    for (const n of spec.etcdNodes) writeFileSync(join(hostDir(spec, n), 'etcd.yaml'), etcdManifest(spec, n));
    writeRunnerBundle(spec, archives ?? {});
  }
  if (spec.flavor === 'systemd') for (const n of spec.etcdNodes) writeFileSync(join(hostDir(spec, n), 'etcd.env'), etcdEnv(spec, n));
  log(`starting hosts (${{ rke: 'sshd; dockerd and the etcd container', kubeadm: 'sshd; containerd and the static-pod runner', systemd: 'systemd with sshd and etcd.service' }[spec.flavor]} on each node)`);
  startClient(spec, state);
  for (const h of allHosts(spec)) startHost(spec, state, h);
  await Promise.all(allHosts(spec).map((h) => waitBooted(spec, state, h, 30_000)));
  const builtMs = Date.now() - t0;
  const inventory = writeInventory(spec);
  log(`waiting for a healthy ${spec.nodes}-member etcd cluster and SSH through the bastion`);
  let healthyMs = 0;
  await Promise.all([
    waitClusterHealthy(spec, state, spec.etcdNodes[0].name, 60_000).then(() => { healthyMs = Date.now() - t0; }),
    checkSshThroughBastion(spec, state),
  ]);
  state.phase = 'up';
  writeState(state);
  return { spec, inventory, builtMs, healthyMs, totalMs: Date.now() - t0, memoryMb: labMemoryMb(state.netns), ...(imageMs !== undefined ? { imageBuildMs: imageMs } : {}) };
}

/**
 * The image archives a flavour's nodes load, made (or found cached) in parallel: [ms spent packing, or undefined when
 * all were cached; for kubeadm, etcd release → archive of every release the lab has, so a manifest can move between them].
 */
function flavorImages(spec: LabSpec): [Promise<number | undefined>, Promise<Record<string, string> | undefined>] {
  const made = (r: Array<{ builtMs?: number }>) => (r.some((i) => i.builtMs !== undefined) ? r.reduce((t, i) => t + (i.builtMs ?? 0), 0) : undefined);
  if (spec.flavor === 'rke') return [ensureEtcdImageTar(spec.etcdVersion, spec.etcdBinDir).then((i) => made([i])), Promise.resolve(undefined)];
  if (spec.flavor === 'systemd') return [Promise.resolve(undefined), Promise.resolve(undefined)];
  const releases = Object.entries(labImages());
  const all = Promise.all([ensurePauseImage(), ...releases.map(([v, dir]) => ensureKubeadmEtcdImage(v, dir))]);
  return [all.then(made), all.then((r) => Object.fromEntries(releases.map(([v], i) => [v, r[i + 1].path])))];
}

/** From the client namespace, `ssh -F <lab>/ssh_config <node> true` must work for every host (sshd may need a moment). */
async function checkSshThroughBastion(spec: LabSpec, state: LabState): Promise<void> {
  await Promise.all(allHosts(spec).map((h) => waitFor(`SSH to ${h.name} through the bastion`, 20_000, async () => {
    const r = await run('nsenter', [...clientNsenter(state, '/'), 'ssh', '-F', sshConfigPath(spec), h.name, 'true'], { timeoutMs: 15_000 });
    return r.code === 0 ? true : undefined;
  }, 200)));
}
