// The live member list against the one a step should have left: exactly these voters, and no learner but the ones being added.
import { matchInventory, memberLabel, type InventoryMember } from './drift.js';
import type { Member } from './members.js';

/** One sentence per problem, each naming the member by ID and peer URL and what to do about it. */
export function membershipProblems(members: Member[], voters: InventoryMember[], learners: InventoryMember[]): string[] {
  const voterOf = matchInventory(voters, members);
  const learnerOf = matchInventory(learners, members);
  const wantedVoters = new Set([...voterOf.values()].filter((m): m is Member => m !== undefined).map((m) => m.id));
  const allowedLearners = new Set([...learnerOf.values()].filter((m): m is Member => m !== undefined).map((m) => m.id));
  const problems: string[] = [];
  for (const m of members) {
    if (m.isLearner && !allowedLearners.has(m.id) && !wantedVoters.has(m.id)) {
      // etcd issue #20893: --force-new-cluster (before 3.5.25 / 3.6.6, and on 3.4) can keep the old cluster's learners.
      problems.push(`leftover learner ${m.id} (peer URL ${m.peerURLs.join(',') || 'none'}${m.name ? `, name ${m.name}` : ''}): no step of this run is adding it; `
        + `remove it with \`etcdctl member remove ${m.id}\` on the survivor, then run again`);
    } else if (!m.isLearner && !wantedVoters.has(m.id)) {
      problems.push(`unexpected voter ${memberLabel(m)}: remove it with \`etcdctl member remove ${m.id}\` if it is stale, then run again`);
    }
  }
  for (const v of voters) {
    const m = voterOf.get(v.host);
    if (!m) problems.push(`${v.host} (peer URL ${v.peer || 'not set'}) is not in the member list`);
    else if (m.isLearner) problems.push(`${v.host} (${m.id}, peer URL ${m.peerURLs.join(',')}) is still a learner, not a voter: promote it (etcd_member state=promoted) or run again`);
  }
  return problems;
}
