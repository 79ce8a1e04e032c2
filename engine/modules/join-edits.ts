// The flag edits a rejoining (or recovering) member's definition gets, whatever holds it: a held static-pod manifest
// or the docker flavour's container. One computation, so both write the same flags for the same inputs.
import { replacementOf } from '../etcd/experimental-flags.js';
import type { Flags } from '../etcd/manifest.js';
import { REMOVED_IN_36 } from '../etcd/removed-flags.js';
import { tagVersion } from '../etcd/versions.js';
import type { EtcdManifestArgs } from '../generated/schema-types.js';
import type { ModuleContext } from './define.js';
import { varStr } from './etcd-common.js';
import { manifestValues } from './manifest-values.js';

export interface FlagEditSet { set: Record<string, string>; remove: string[] }

/** The edits `mode=edit` asks for: `set`/`remove` plus the named arguments. */
export function requestedEdits(args: EtcdManifestArgs): FlagEditSet {
  const set: Record<string, string> = { ...(args.set ?? {}) };
  const remove = [...(args.remove ?? [])];
  if (args.initial_cluster_state) set['initial-cluster-state'] = args.initial_cluster_state;
  if (args.initial_cluster) set['initial-cluster'] = args.initial_cluster;
  if (args.force_new_cluster === true) set['force-new-cluster'] = 'true';
  if (args.force_new_cluster === false) remove.push('force-new-cluster');
  return { set, remove };
}

/** The join edits and the image a render would write (what etcd_version_guard checked). */
export interface JoinEdits { edits: FlagEditSet; rendered: string; explicit: boolean }

/**
 * For a rejoin: initial cluster and state as given (`--force-new-cluster` removed unless true), the member's identity
 * from the inventory (a node that moved address listens on its new one too), and onto 3.6+ each `--experimental-*`
 * flag in its new spelling and the v2 flags 3.6 refuses removed. `heldVersion` (the definition's image) decides only
 * when neither etcd_version nor the live cluster says.
 */
export function joinEdits(ctx: ModuleContext, args: EtcdManifestArgs, flags: Flags, heldVersion: string | undefined, floor: string | undefined): JoinEdits {
  const fallback = varStr(ctx.vars, 'etcd_version', '') ? undefined : heldVersion;
  const m = manifestValues(ctx.vars, ctx.host, args, floor ?? fallback);
  const e = requestedEdits(args);
  if (args.force_new_cluster !== true) e.remove.push('force-new-cluster');
  if (!args.initial_cluster_state) e.remove.push('initial-cluster-state');
  Object.assign(e.set, { name: String(m.name), 'initial-advertise-peer-urls': String(m.peer_url), 'advertise-client-urls': String(m.client_url) });
  if (flags.get('initial-advertise-peer-urls') !== m.peer_url) {
    Object.assign(e.set, { 'listen-peer-urls': String(m.peer_url), 'listen-client-urls': String(m.listen_client_urls) });
  }
  if (!args.initial_cluster) e.set['initial-cluster'] = String(m.initial_cluster);
  if (m.v36) {
    respell(flags, e);
    // 3.6 has no v2 API to serve: a flag it would refuse to start with goes (health.yml warned about it on 3.5).
    e.remove.push(...REMOVED_IN_36);
  }
  return { edits: e, rendered: String(m.image), explicit: varStr(ctx.vars, 'etcd_image', '') !== '' };
}

/**
 * The image to write, or undefined to keep the definition's: it changes only when its version differs from the
 * rendered one, and then keeps the definition's registry (a mirror stays a mirror) with the rendered tag.
 */
export function joinImage(j: JoinEdits, repo: string | undefined, heldVersion: string | undefined): string | undefined {
  if (!j.explicit && tagVersion(j.rendered) === heldVersion) return undefined;
  return j.explicit || !repo ? j.rendered : `${repo}:${j.rendered.split(':').pop()}`;
}

/** Onto 3.6+: each `--experimental-*` flag the table knows in its new spelling (3.7 refuses the old), gates merged. */
function respell(flags: Flags, e: FlagEditSet): void {
  const current = flags.get('feature-gates');
  const gates = typeof current === 'string' && current ? current.split(',') : [];
  const had = gates.length;
  for (const [name, value] of flags) {
    const r = name.startsWith('experimental-') ? replacementOf(name, value) : undefined;
    if (!r) continue;
    e.remove.push(name);
    const m = /^--([^=]+)(?:=(.*))?$/.exec(r)!;
    if (m[1] === 'feature-gates') {
      if (!gates.some((g) => g.split('=')[0] === m[2].split('=')[0])) gates.push(m[2]);
    } else if (!flags.has(m[1])) {
      e.set[m[1]] = m[2] ?? 'true';
    }
  }
  if (gates.length !== had) e.set['feature-gates'] = gates.join(',');
}
