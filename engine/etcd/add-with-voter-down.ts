// Whether etcd accepts `member add` while a voter is down. Until 3.5.30 / 3.6.11 the leader refused any add (a learner
// too) with "unhealthy cluster" unless it was connected to EVERY voter; since then a connected quorum is enough.
// 3.4 never got the change. The guard asks this before a replacement starts, so the refusal changes nothing.
import { parseVersion } from './versions.js';

/** The first release of each line whose leader adds a member with a voter down; a line not listed: 3.4 and older refuse, 3.7+ accept. */
export const ADD_WITH_VOTER_DOWN_SINCE: Readonly<Record<string, string>> = { '3.5': '3.5.30', '3.6': '3.6.11' };

/** Whether a leader running `version` adds a member while a voter is down; undefined when the version is unknown. */
export function addsWithVoterDown(version: string | undefined): boolean | undefined {
  const v = parseVersion(version);
  if (!v) return undefined;
  const since = parseVersion(ADD_WITH_VOTER_DOWN_SINCE[`${v[0]}.${v[1]}`]);
  if (since) return v[2] >= since[2];
  return v[0] > 3 || (v[0] === 3 && v[1] >= 7);
}
