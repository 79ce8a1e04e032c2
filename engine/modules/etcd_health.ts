// `etcd_health`: waits for a healthy, converged cluster (voters, one leader, one cluster ID, close raft indexes) and reports inventory drift.
import { driftOf, driftSentences, hasDrift, matchInventory, staleMembers, type Drift, type InventoryMember } from '../etcd/drift.js';
import type { Member } from '../etcd/members.js';
import type { EndpointStatus } from '../facts/etcd-endpoint-status.js';
import type { EtcdHealthArgs } from '../generated/schema-types.js';
import { isDeterministic } from '../etcd/etcdctl-errors.js';
import { quorumOf } from '../etcd/quorum.js';
import { defineModule, type ModuleContext, type ModuleResult } from './define.js';
import { endpointsArg, etcdError, label, sleep, varStr } from './etcd-common.js';
import { clusterView } from './etcd-view.js';

export type { Drift };

export const etcdHealthModule = defineModule<EtcdHealthArgs>({
  name: 'etcd_health',
  description: 'Wait until the expected voters are healthy with exactly one leader, one cluster ID and close raft indexes; report drift between the inventory and the live membership.',
  schema: 'modules/etcd_health.json',
  supportsCheckMode: true,
  idempotent: true,
  example: `- name: Wait for a healthy 3-voter cluster
  etcd_health:
    expect_voters: 3
    timeout: 60
  run_once: true
  register: health
`,
  async run(ctx, args) {
    // Numbers may arrive as digit strings from `-e name=value` (the schema allows both).
    const timeout = Number(args.timeout ?? 60);
    const delayMs = Number(args.delay ?? 2) * 1000;
    const deadline = Date.now() + timeout * 1000;
    for (let polls = 1; ; polls++) {
      // A member that is starting (or a cluster still electing) refuses even the member list: that is what we wait
      // out. etcdctl refusing its own flags or TLS files is not: it is reported at once.
      const report = await poll(ctx, args).catch((e: unknown) => {
        if (Date.now() >= deadline || isDeterministic(e)) throw e;
        return undefined;
      });
      if (!report) {
        await sleep(delayMs, ctx.signal);
        continue;
      }
      if (report.problems.length === 0 || Date.now() >= deadline) {
        const driftFails = args.fail_on_drift === true && hasDrift(report.drift);
        const failed = report.problems.length > 0 || driftFails;
        const why = [...report.problems, ...(driftFails ? [`drift: ${JSON.stringify(report.drift)}`] : [])];
        const down = (report.still_down as string[]).length > 0 ? `; still down as before this run: ${(report.still_down as string[]).join(', ')} — bring it back or replace it` : '';
        if (!failed && down) ctx.warn(`${ctx.host}: ${(report.still_down as string[]).join(', ')} ${(report.still_down as string[]).length > 1 ? 'were' : 'was'} down before this run and still ${(report.still_down as string[]).length > 1 ? 'are' : 'is'}: the cluster keeps quorum without it; bring it back or replace it (replace-member.yml -e target=…)`);
        const msg = !failed ? `${summary(report)}${down}`
          : report.problems.length > 0 ? `${ctx.host}: etcd not healthy after ${timeout}s: ${why.join('; ')}`
          // etcd is fine, the inventory is not: say so first, so nobody goes hunting for a sick member.
          : `${ctx.host}: etcd is healthy but the inventory disagrees with the live members: ${driftSentences(report.drift).join('; ')}; ${why.join('; ')}`;
        return { ...report, changed: false, failed: failed || undefined, polls, msg };
      }
      await sleep(delayMs, ctx.signal);
    }
  },
});

type Report = ModuleResult & { problems: string[]; drift: Drift; leader?: string };

async function poll(ctx: ModuleContext, args: EtcdHealthArgs): Promise<Report> {
  const group = args.group ?? 'etcd';
  const view = await clusterView(ctx, endpointsArg(args.endpoints)).catch((e: Error) => {
    // The failing read (member list, health or status) names itself; only a missing quorum needs the hint.
    throw etcdError(ctx, e.message, 'point `endpoints` at a member that is up (delegate_to a healthy host)');
  });
  const { list, healthy, foreign } = view;
  const inventory = inventoryHosts(ctx, group);
  const hostOf = matchInventory(inventory, list.members);
  const hostName = (id: string) => inventory.find((i) => hostOf.get(i.host)?.id === id)?.host;
  // Only this cluster's endpoints speak for it: a member that bootstrapped its own cluster leads that one.
  const statuses = view.statuses.filter((s) => s.clusterId === list.clusterId);
  const byId = new Map<string, EndpointStatus>(statuses.map((s) => [s.memberId, s]));
  const voters = list.members.filter((m) => !m.isLearner);
  const healthyVoters = voters.filter((m) => healthy.has(m.id));
  const expected = args.expect_voters ?? (inventory.length || voters.length);
  const leaders = [...new Set(statuses.map((s) => s.leaderId).filter((l) => l !== '0000000000000000'))];
  const indexes = statuses.map((s) => s.raftIndex);
  const spread = indexes.length > 0 ? Math.max(...indexes) - Math.min(...indexes) : 0;
  const problems: string[] = [];
  const foreignIds = new Set(foreign.map((f) => f.member.id));
  const sickMembers = voters.filter((m) => !healthy.has(m.id) && !foreignIds.has(m.id));
  const sick = sickMembers.map(label);
  // Members the caller knew were down before it started (by inventory host): tolerated while the rest keep quorum.
  const known = new Set(args.tolerate_down ?? []);
  const tolerated = sickMembers.filter((m) => known.has(hostName(m.id) ?? ''));
  const quorumKept = healthyVoters.length >= quorumOf(voters.length);
  const excused = quorumKept && tolerated.length === sickMembers.length && healthyVoters.length + tolerated.length >= Math.max(expected, voters.length);
  if (!excused && (healthyVoters.length < Math.max(expected, voters.length) || sick.length > 0)) {
    problems.push(`${healthyVoters.length} healthy voter(s) of ${voters.length} live voter(s), ${expected} expected by the inventory${sick.length > 0 ? ` (not healthy: ${sick.join(', ')})` : ''}`);
  }
  const stillDown = excused ? tolerated.map(label) : [];
  for (const f of foreign) {
    const host = hostName(f.member.id) ?? f.member.name ?? f.member.id;
    problems.push(`${label(f.member)} is in cluster ${f.clusterId}${f.memberId !== f.member.id ? ` as member ${f.memberId}` : ''}, the others in ${list.clusterId}: it bootstrapped its own cluster — runbook: replace-member.yml -e target=${host}`);
  }
  if (leaders.length !== 1) problems.push(leaders.length === 0 ? 'no leader' : `members disagree on the leader: ${leaders.join(', ')}`);
  if (spread > (args.converge_tolerance ?? 20)) problems.push(`raft indexes differ by ${spread} (> ${args.converge_tolerance ?? 20})`);
  // endpoint status carries the cluster's alarms (`memberID:… alarm:NOSPACE`): a NOSPACE cluster refuses writes.
  const alarms = [...new Set(statuses.flatMap((st) => st.errors.filter((e) => /alarm:/i.test(e))))];
  for (const a of alarms) problems.push(`alarm raised: ${a.trim()} (etcdctl alarm list; NOSPACE: compact and defragment, then alarm disarm; CORRUPT: find the member whose hash differs)`);
  const leader = leaders.length === 1 ? list.members.find((m) => m.id === leaders[0]) : undefined;
  const stale = new Set(staleMembers(inventory, list.members).map((m) => m.id));
  const facts = (m: Member) => ({
    id: m.id, name: m.name, peer_urls: m.peerURLs, client_urls: m.clientURLs, learner: m.isLearner, started: m.started,
    healthy: healthy.has(m.id), foreign: foreignIds.has(m.id), leader: m.id === leaders[0] && leaders.length === 1,
    raft_index: byId.get(m.id)?.raftIndex, version: byId.get(m.id)?.version, host: hostName(m.id),
  });
  return {
    changed: false,
    problems,
    cluster_id: list.clusterId,
    cluster_ids: [...new Set([list.clusterId, ...foreign.map((f) => f.clusterId)])],
    leader: leader ? leader.name || leader.id : leaders[0],
    voters: voters.length,
    healthy_voters: healthyVoters.length,
    expected_voters: expected,
    alarms,
    still_down: stillDown,
    // The server version of each running member of this cluster (what etcd_version_guard compares a new member with).
    versions: statuses.map((s) => s.version),
    raft_indexes: Object.fromEntries(statuses.map((s) => [nameOf(list.members, s.memberId), s.raftIndex])),
    members: list.members.map(facts),
    // Per inventory host, matched by peer URL: what playbooks decide on (never by name).
    hosts: Object.fromEntries(inventory.map((i) => {
      const m = hostOf.get(i.host);
      return [i.host, m ? { present: true, ...facts(m) } : { present: false, id: '', name: i.name, peer_urls: [i.peer], healthy: false, foreign: false, started: false, learner: false }];
    })),
    // Inventory hosts whose member is healthy in this cluster, and those of them that vote: what playbooks decide on.
    healthy_hosts: inventory.filter((i) => healthy.has(hostOf.get(i.host)?.id ?? '')).map((i) => i.host),
    voting_hosts: inventory.filter((i) => { const m = hostOf.get(i.host); return m !== undefined && healthy.has(m.id) && !m.isLearner; }).map((i) => i.host),
    // Leftovers no inventory host claims (runbook 004): the unhealthy ones are removable; healthy ones are someone's.
    stale_members: list.members.filter((m) => stale.has(m.id) && !healthy.has(m.id)).map(facts),
    unknown_members: list.members.filter((m) => stale.has(m.id) && healthy.has(m.id)).map(facts),
    drift: driftOf(inventory, list.members),
  };
}

const nameOf = (members: Member[], id: string) => members.find((m) => m.id === id)?.name || id;

function inventoryHosts(ctx: ModuleContext, group: string): InventoryMember[] {
  const groups = ctx.vars.groups as Record<string, string[]> | undefined;
  const hostvars = ctx.vars.hostvars as Record<string, Record<string, unknown>> | undefined;
  return (groups?.[group] ?? []).map((h) => ({ host: h, name: varStr(hostvars?.[h] ?? {}, 'etcd_name', h), peer: varStr(hostvars?.[h] ?? {}, 'etcd_peer_url', '') }));
}

function summary(r: Report): string {
  const d = hasDrift(r.drift) ? `; drift: ${JSON.stringify(r.drift)}` : '';
  const names = (r.members as Array<{ name: string; id: string; learner: boolean }>).map((m) => `${m.name || m.id}${m.learner ? ' (learner)' : ''}`);
  return `healthy: ${r.healthy_voters}/${r.voters} voters (${names.join(', ')}), leader ${r.leader}, cluster ${r.cluster_id as string}${d}`;
}
