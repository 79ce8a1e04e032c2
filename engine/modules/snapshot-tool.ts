// Which program has `snapshot status` / `snapshot restore` on a host, decided from what runs there, not from
// `etcd_version` alone: etcdutl from 3.5 (CHANGELOG-3.5 #12971); etcdctl lost both commands in 3.6 (#13809).
import { parseVersion } from '../etcd/versions.js';
import type { ModuleContext } from './define.js';
import { atLeast, etcdError, versionOf } from './etcd-common.js';

/** What the host says about its tools (one line each of the snapshot probe; '' when the tool is absent). */
export interface ToolVersions {
  etcdutl: boolean;
  /** `etcdctl version` on the host (absent when etcdctl runs only inside a container). */
  etcdctlVersion?: string;
  etcdutlVersion?: string;
}

/** Probe lines printing `etcdctl version` and `etcdutl version` (empty when absent); one line each, always. */
export const TOOL_PROBE = [
  `echo "$(etcdctl version 2>/dev/null | sed -n 's/^etcdctl version: //p' | head -n 1)"`,
  `echo "$(etcdutl version 2>/dev/null | sed -n 's/^etcdutl version: //p' | head -n 1)"`,
];

/**
 * The version that decides: the live server's (endpoint status) when the member answers, else the host's etcdctl, else
 * `etcd_version` from the inventory; undefined when nothing says.
 */
export function decidingVersion(ctx: ModuleContext, t: ToolVersions, live?: string): string | undefined {
  return [live, t.etcdctlVersion, ctx.vars.etcd_version].map((v) => (v === undefined || v === null ? '' : String(v))).find((v) => versionOf(v));
}

/** etcdutl on 3.5+ when the host has it; etcdctl for 3.4 and for a 3.5 etcdctl; a clear refusal when neither works. */
export function snapshotTool(ctx: ModuleContext, t: ToolVersions, what: 'status' | 'restore', live?: string): 'etcdutl' | 'etcdctl' {
  const v = decidingVersion(ctx, t, live);
  // etcdutl does not exist for 3.4, and a newer etcdutl would write a data dir the 3.4 server was never tested with.
  if (v !== undefined && !atLeast(versionOf(v), 3, 5)) return 'etcdctl';
  if (t.etcdutl) return 'etcdutl';
  const ctl = t.etcdctlVersion || (v !== undefined && atLeast(versionOf(v), 3, 6) ? v : undefined);
  if (ctl && atLeast(versionOf(ctl), 3, 6)) {
    throw etcdError(ctx, `snapshot ${what} on ${ctx.host} needs etcdutl: etcdctl ${ctl} has no \`snapshot ${what}\` (removed in etcd 3.6) and etcdutl is not on the host's PATH${live ? ` (the member runs etcd ${live})` : ''}; nothing was changed`,
      "install etcdutl of the cluster's version on the host (it ships in etcd's release archive next to etcdctl; kubeadm's etcd image has none), then run again");
  }
  return 'etcdctl';
}

/** Whether this etcdctl's `snapshot restore` has `--bump-revision --mark-compacted` (3.4.27+, 3.5.10+; CHANGELOG-3.4/-3.5). */
export function bumpsRevision(etcdctlVersion: string | undefined): boolean {
  const v = parseVersion(etcdctlVersion);
  if (!v || v[0] !== 3) return false;
  return v[1] > 5 || (v[1] === 5 && v[2] >= 10) || (v[1] === 4 && v[2] >= 27);
}
