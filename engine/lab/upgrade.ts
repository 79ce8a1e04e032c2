// `lab up --etcd-version TO --upgrade-from FROM`: the cluster is made on FROM, then every node but the last is
// upgraded to TO the way an operator does it (one at a time: new binaries, the manifest's image and flags for TO,
// a restart on the same data, healthy again before the next) — a rolling upgrade stopped halfway, for skew cases.
import { RingError } from '../errors/index.js';
import { parseVersion } from '../etcd/versions.js';
import { etcdctl, waitClusterHealthy } from './etcd-query.js';
import type { EtcdRelease } from './etcd-versions.js';
import { hostShell } from './hosts.js';
import { etcdManifest } from './manifests.js';
import { waitFor } from './proc.js';
import type { LabSpec } from './spec.js';
import type { LabState } from './state.js';

const MANIFEST = '/etc/kubernetes/manifests/etcd.yaml';

/** FROM must be an older minor than TO (etcd upgrades one minor at a time; a patch bump needs no lab of its own). */
export function checkUpgrade(from: EtcdRelease, to: EtcdRelease): void {
  const f = parseVersion(from.version)!;
  const t = parseVersion(to.version)!;
  if (f[0] !== t[0] || t[1] !== f[1] + 1) {
    throw new RingError('E_USAGE', `--upgrade-from ${from.version} to --etcd-version ${to.version}: etcd upgrades one minor version at a time`, {
      hint: `e.g. \`--etcd-version ${f[0]}.${f[1] + 1} --upgrade-from ${f[0]}.${f[1]}\``,
    });
  }
}

/** Upgrades every node but the last from `spec`'s release (the cluster's) to `to`, one at a time; returns their names. */
export async function upgradeAllButLast(spec: LabSpec, state: LabState, to: EtcdRelease, log: (line: string) => void): Promise<string[]> {
  const target: LabSpec = { ...spec, etcdVersion: to.version, etcdBinDir: to.binDir };
  const upgraded: string[] = [];
  for (const node of spec.etcdNodes.slice(0, -1)) {
    log(`upgrading ${node.name}: etcd ${spec.etcdVersion} → ${to.version} (binaries, image and flags; restart on its data)`);
    const tools = to.binDir ? `cp ${['etcd', 'etcdctl', 'etcdutl'].map((b) => `'${to.binDir}/${b}'`).join(' ')} /usr/local/bin/ && ` : '';
    const manifest = etcdManifest(target, node).replace(/'/g, `'\\''`);
    // Written beside the manifest, then renamed: the runner must never read half a file.
    const r = await hostShell(state, node.name, `${tools}printf '%s' '${manifest}' > ${MANIFEST}.upgrade && mv ${MANIFEST}.upgrade ${MANIFEST}`, 15_000);
    if (r.code !== 0) throw new RingError('E_LAB', `cannot upgrade ${node.name} to etcd ${to.version}: ${r.stderr.trim()}`);
    await waitFor(`${node.name} healthy on etcd ${to.version}`, 60_000, async () => {
      const s = await hostShell(state, node.name, `${etcdctl(target)} endpoint status -w json 2>/dev/null`, 10_000).catch(() => undefined);
      return s?.stdout.includes(`"version":"${to.version}"`) ? true : undefined;
    }, 300);
    await waitClusterHealthy(spec, state, node.name, 60_000);
    upgraded.push(node.name);
  }
  return upgraded;
}
