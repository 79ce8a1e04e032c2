// The refusals a member definition (manifest, etcd.env, container) gets before it is written: what etcd would not start with.
import { identityProblems, type Flags } from '../etcd/manifest.js';
import { REMOVED_IN_36, refusesRemoved, removedFlagsIn } from '../etcd/removed-flags.js';
import { experimentalProblem, newestVersion } from '../etcd/versions.js';
import type { ModuleContext } from './define.js';
import { etcdError, varStr } from './etcd-common.js';

/**
 * What etcd would refuse at its next start, checked before a definition is written: a broken identity, flags removed in
 * 3.6 on a 3.6+ member, `--experimental-*` flags on 3.7. Throws the refusal; returns a warning (3.6 with the old spelling).
 */
export function startChecks(ctx: ModuleContext, where: string, flags: Flags, text: string, imageVer: string | undefined, floor: string | undefined): string | undefined {
  const problems = identityProblems(flags);
  if (problems.length > 0) throw etcdError(ctx, `refusing to write ${where}: ${problems.join('; ')}`, 'etcd would refuse to start; fix initial_cluster / etcd_name / etcd_peer_url');
  const starts = newestVersion(varStr(ctx.vars, 'etcd_version', ''), floor, imageVer);
  const removed = removedFlagsIn(text);
  if (removed.length > 0 && refusesRemoved(starts)) {
    throw etcdError(ctx, `refusing to write ${where}: etcd ${starts} refuses to start with ${removed.map((f) => `--${f}`).join(', ')} (removed in 3.6 with the v2 API)`, 'remove them (etcd_manifest mode=edit with remove)');
  }
  const exp = experimentalProblem([...flags].filter(([f]) => !REMOVED_IN_36.includes(f)), starts);
  if (exp?.refuse) throw etcdError(ctx, `refusing to write ${where}: ${exp.text}`, 'write the 3.6+ spelling named above instead (etcd_manifest mode=edit with set/remove), or remove them');
  return exp?.text;
}
