// `etcd_health`: waits for a healthy, converged cluster (voters, one leader, one cluster ID, close raft indexes) and reports inventory drift.
import type { Member } from '../etcd/members.js';
import type { EndpointStatus } from '../facts/etcd-endpoint-status.js';
import type { EtcdHealthArgs } from '../generated/schema-types.js';
import { isDeterministic } from '../etcd/etcdctl-errors.js';
import { defineModule, type ModuleContext, type ModuleResult } from './define.js';
import { endpointStatus, endpointsArg, etcdError, healthyMembers, memberList, sleep, varStr } from './etcd-common.js';

/** Differences between what the inventory says and what etcd says. */
export interface Drift {
  stale: string[];
  missing: string[];
  unstarted: string[];
  learners: string[];
  peer_url_mismatch: Array<{ name: string; inventory: string; live: string[] }>;
}

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
        const msg = !failed ? summary(report)
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
  const list = await memberList(ctx, endpointsArg(args.endpoints)).catch((e: Error) => {
    throw etcdError(ctx, `cannot read the member list: ${e.message}`, 'point `endpoints` at a member that is up (delegate_to a healthy host)');
  });
  const { healthy } = await healthyMembers(ctx, list.members);
  const statuses = await endpointStatus(ctx, list.members);
  const byId = new Map<string, EndpointStatus>(statuses.map((s) => [s.memberId, s]));
  const voters = list.members.filter((m) => !m.isLearner);
  const healthyVoters = voters.filter((m) => m.started && healthy.has(m.id));
  const expected = args.expect_voters ?? (inventoryHosts(ctx, group).length || voters.length);
  const leaders = [...new Set(statuses.map((s) => s.leaderId).filter((l) => l !== '0000000000000000'))];
  const clusterIds = [...new Set([list.clusterId, ...statuses.map((s) => s.clusterId)])];
  const indexes = statuses.map((s) => s.raftIndex);
  const spread = indexes.length > 0 ? Math.max(...indexes) - Math.min(...indexes) : 0;
  const problems: string[] = [];
  const sick = voters.filter((m) => !(m.started && healthy.has(m.id))).map((m) => m.name || m.id);
  if (healthyVoters.length < expected) problems.push(`${healthyVoters.length} healthy started voter(s) of ${expected} expected (${sick.length > 0 ? `not healthy: ${sick.join(', ')}; ` : ''}voters: ${voters.map((m) => m.name || m.id).join(', ')})`);
  if (leaders.length !== 1) problems.push(leaders.length === 0 ? 'no leader' : `members disagree on the leader: ${leaders.join(', ')}`);
  if (clusterIds.length !== 1) problems.push(`several cluster IDs: ${clusterIds.join(', ')} (a member bootstrapped its own cluster)`);
  if (spread > (args.converge_tolerance ?? 20)) problems.push(`raft indexes differ by ${spread} (> ${args.converge_tolerance ?? 20})`);
  const leader = leaders.length === 1 ? list.members.find((m) => m.id === leaders[0]) : undefined;
  return {
    changed: false,
    problems,
    cluster_ids: clusterIds,
    leader: leader ? leader.name || leader.id : leaders[0],
    voters: voters.length,
    healthy_voters: healthyVoters.length,
    raft_indexes: Object.fromEntries(statuses.map((s) => [nameOf(list.members, s.memberId), s.raftIndex])),
    members: list.members.map((m) => ({ id: m.id, name: m.name, peer_urls: m.peerURLs, client_urls: m.clientURLs, learner: m.isLearner, started: m.started, healthy: healthy.has(m.id), leader: m.id === leaders[0] && leaders.length === 1, raft_index: byId.get(m.id)?.raftIndex, version: byId.get(m.id)?.version })),
    drift: drift(ctx, group, list.members),
  };
}

const nameOf = (members: Member[], id: string) => members.find((m) => m.id === id)?.name || id;

function inventoryHosts(ctx: ModuleContext, group: string): Array<{ name: string; peer: string }> {
  const groups = ctx.vars.groups as Record<string, string[]> | undefined;
  const hostvars = ctx.vars.hostvars as Record<string, Record<string, unknown>> | undefined;
  return (groups?.[group] ?? []).map((h) => ({ name: varStr(hostvars?.[h] ?? {}, 'etcd_name', h), peer: varStr(hostvars?.[h] ?? {}, 'etcd_peer_url', '') }));
}

/** Inventory says what should be; etcd says what is. */
export function driftOf(inventory: Array<{ name: string; peer: string }>, members: Member[]): Drift {
  const known = (m: Member) => inventory.some((i) => i.name === m.name || (i.peer !== '' && m.peerURLs.includes(i.peer)));
  return {
    stale: members.filter((m) => m.started && !known(m)).map((m) => `${m.name} (${m.id})`),
    missing: inventory.filter((i) => !members.some((m) => m.name === i.name || m.peerURLs.includes(i.peer))).map((i) => i.name),
    unstarted: members.filter((m) => !m.started).map((m) => `${m.id} (${m.peerURLs.join(',')})`),
    learners: members.filter((m) => m.isLearner).map((m) => m.name || m.id),
    peer_url_mismatch: inventory
      .map((i) => ({ i, m: members.find((m) => m.name === i.name) }))
      .filter(({ i, m }) => m && i.peer !== '' && !m.peerURLs.includes(i.peer))
      .map(({ i, m }) => ({ name: i.name, inventory: i.peer, live: m!.peerURLs })),
  };
}

function drift(ctx: ModuleContext, group: string, members: Member[]): Drift {
  return driftOf(inventoryHosts(ctx, group), members);
}

function hasDrift(d: Drift): boolean {
  return d.stale.length + d.missing.length + d.unstarted.length + d.peer_url_mismatch.length > 0;
}

/** Drift as sentences an operator acts on (the JSON follows them in the message for tools). */
export function driftSentences(d: Drift): string[] {
  return [
    ...d.peer_url_mismatch.map((m) => `${m.name}'s peer URL is ${m.inventory} in the inventory but ${m.live.join(',')} live (fix etcd_peer_url)`),
    ...(d.stale.length > 0 ? [`live members not in the inventory: ${d.stale.join(', ')}`] : []),
    ...(d.missing.length > 0 ? [`inventory hosts without a live member: ${d.missing.join(', ')}`] : []),
    ...(d.unstarted.length > 0 ? [`members added but never started: ${d.unstarted.join(', ')}`] : []),
  ];
}

function summary(r: Report): string {
  const d = hasDrift(r.drift) ? `; drift: ${JSON.stringify(r.drift)}` : '';
  const names = (r.members as Array<{ name: string; id: string; learner: boolean }>).map((m) => `${m.name || m.id}${m.learner ? ' (learner)' : ''}`);
  return `healthy: ${r.healthy_voters}/${r.voters} voters (${names.join(', ')}), leader ${r.leader}, cluster ${(r.cluster_ids as string[])[0]}${d}`;
}
