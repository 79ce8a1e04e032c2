// etcd releases with a known bug that an operation would hit: the rule, by version, and the sentence that explains it.
import { parseVersion } from './versions.js';

/** What the rule says about one version. */
export interface BugVerdict {
  affected: boolean;
  /** Why, in one clause an operator can check against the changelogs. */
  reason: string;
}

/**
 * `--force-new-cluster` does not remove learners recorded in a snapshot (etcd issue #20893): a learner of the old
 * cluster stays in the one-member cluster's member list. Fixed in 3.5.25 and 3.6.6 (PR #20897 / #20896); 3.7 has the
 * fix from the start. 3.4 has learners (3.4.0+) and never got the fix (end of life), so every 3.4 is affected; before
 * 3.4 there are no learners to leave behind.
 */
export const FORCE_NEW_CLUSTER_BUG = {
  title: '--force-new-cluster can leave learners of the old cluster in the member list (etcd issue #20893, fixed by PR #20896/#20897)',
  fixedIn: ['3.5.25', '3.6.6', '3.7.0'],
  fixedText: 'fixed in 3.5.25 and 3.6.6; 3.7 has the fix',
};

export function forceNewClusterVerdict(version: string): BugVerdict | undefined {
  const p = parseVersion(version);
  if (!p) return undefined;
  const [major, minor, patch] = p;
  if (major !== 3) return major > 3 ? { affected: false, reason: `etcd ${version} is newer than every affected release` } : { affected: false, reason: `etcd ${version} has no learners` };
  if (minor < 4) return { affected: false, reason: `etcd ${version} has no learners (they came in 3.4)` };
  if (minor === 4) return { affected: true, reason: `etcd 3.4 never got the fix (3.4 is end of life)` };
  if (minor === 5) return patch >= 25 ? { affected: false, reason: 'fixed in 3.5.25' } : { affected: true, reason: 'the 3.5 line has the fix from 3.5.25' };
  if (minor === 6) return patch >= 6 ? { affected: false, reason: 'fixed in 3.6.6' } : { affected: true, reason: 'the 3.6 line has the fix from 3.6.6' };
  return { affected: false, reason: `etcd ${version} has the fix (3.7 and later)` };
}
