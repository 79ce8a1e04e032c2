// `etcd_quorum_guard`: refuses (abort, exit code 8) a step, or a whole replacement, any state of which would leave healthy voters below quorum.
import type { Member } from '../etcd/members.js';
import { ADD_WITH_VOTER_DOWN_SINCE, addsWithVoterDown } from '../etcd/add-with-voter-down.js';
import { oldestVersion } from '../etcd/versions.js';
import { checkSequence, replacementSteps, votersDownAtAdds, type PlannedStep, type ReplacementTarget } from '../etcd/quorum.js';
import { survey, type SurveyMember } from '../etcd/survivor.js';
import { etcdEndpointHealth } from '../facts/etcd-endpoint-health.js';
import { etcdEndpointStatus } from '../facts/etcd-endpoint-status.js';
import type { EtcdQuorumGuardArgs } from '../generated/schema-types.js';
import { defineModule, type ModuleContext, type ModuleResult } from './define.js';
import { endpointsArg, label, memberList, readFact, resolveMember, varStr } from './etcd-common.js';
import { clusterView, type ClusterView } from './etcd-view.js';

export const etcdQuorumGuardModule = defineModule<EtcdQuorumGuardArgs>({
  name: 'etcd_quorum_guard',
  description: 'Refuse (abort the run with exit code 8) when stopping, removing or adding a member would leave fewer healthy voters than the quorum.',
  schema: 'modules/etcd_quorum_guard.json',
  supportsCheckMode: true,
  idempotent: true,
  example: `- name: Make sure node3 can be removed without losing quorum
  etcd_quorum_guard:
    action: remove
    member: node3
  delegate_to: node1
`,
  async run(ctx, args) {
    if (args.action === 'recover') return recover(ctx, args);
    const view = await clusterView(ctx, endpointsArg(args.endpoints));
    const members = view.list.members;
    const plan = args.action === 'replace' ? replacePlan(ctx, args, members) : singlePlan(args, members);
    if ('result' in plan) return plan.result;
    const verdict = checkSequence(members, view.healthy, plan.steps, plan.labels);
    const numbers: ModuleResult = {
      changed: false,
      safe: verdict.safe,
      voters: verdict.before.voters,
      healthy_voters: verdict.before.healthyVoters,
      learners: verdict.before.learners,
      quorum: verdict.before.quorum,
      fault_tolerance: verdict.before.faultTolerance,
      after: { voters: verdict.after.voters, healthy_voters: verdict.after.healthyVoters, quorum: verdict.after.quorum, fault_tolerance: verdict.after.faultTolerance },
      states: verdict.states.map((s) => ({ step: s.label, voters: s.state.voters, healthy_voters: s.state.healthyVoters, quorum: s.state.quorum, safe: s.safe })),
      cluster_id: view.list.clusterId,
      foreign: view.foreign.map((f) => ({ ...memberFacts(f.member), cluster_id: f.clusterId })),
    };
    if (!verdict.safe) return { ...numbers, failed: true, abort: true, msg: `${ctx.host}: quorum guard: ${verdict.explanation}` };
    const refusal = 'steps' in plan ? addRefusal(view, plan) : undefined;
    if (refusal) return { ...numbers, safe: false, failed: true, abort: true, msg: `${ctx.host}: quorum guard: ${refusal}; nothing was changed` };
    return { ...numbers, msg: verdict.explanation };
  },
});

type Plan = { steps: PlannedStep[]; labels: string[] } | { result: ModuleResult };

/** stop / remove / add: one step. */
function singlePlan(args: EtcdQuorumGuardArgs, members: Member[]): Plan {
  if (args.action === 'add') {
    return { steps: [{ kind: 'add', learner: args.learner === true }], labels: [`adding ${args.member ?? 'a member'}${args.learner ? ' as a learner' : ' as a voter'}`] };
  }
  if (!args.member) return { result: { changed: false, failed: true, msg: `etcd_quorum_guard: action ${args.action} needs \`member\` (a hex ID or peer URL)` } };
  const m = resolveMember(members, args.member);
  if (!m) {
    return {
      result: {
        changed: false,
        safe: true,
        msg: `member ${args.member} is not in the live member list (${members.map(label).join(', ')}); ${args.action === 'remove' ? 'removing' : 'stopping'} it cannot change the quorum`,
      },
    };
  }
  const kind = args.action === 'stop' ? 'stop' : 'remove';
  return { steps: [{ kind, memberId: m.id }], labels: [`${kind === 'stop' ? 'stopping' : 'removing'} ${label(m)}`] };
}

/**
 * replace: the whole sequence a replacement passes through — stale members removed, every target stopped and
 * removed, then each added back, started and promoted — judged state by state before anything changes.
 */
function replacePlan(ctx: ModuleContext, args: EtcdQuorumGuardArgs, members: Member[]): Plan {
  const refs = [...(args.members ?? []), ...(args.member ? [args.member] : [])];
  if (refs.length === 0) return { result: { changed: false, failed: true, msg: 'etcd_quorum_guard: action replace needs `member` or `members` (hex IDs or peer URLs)' } };
  const learner = args.learner !== false;
  const stale = (args.remove_first ?? []).map((r) => resolveMember(members, r)).filter((m): m is Member => m !== undefined);
  const targets: ReplacementTarget[] = refs.map((ref) => ({ liveId: resolveMember(members, ref)?.id, key: ref }));
  const steps = replacementSteps(stale.map((m) => m.id), targets, learner);
  const byId = new Map(members.map((m) => [m.id, m]));
  const named = (id: string) => (byId.has(id) ? label(byId.get(id)!) : id.replace(/^new:/, ''));
  const labels = steps.map((s) => {
    const who = s.memberId === undefined ? 'a member' : named(s.memberId);
    if (s.kind === 'add') return `adding ${who} as a ${s.learner ? 'learner' : 'voter'}`;
    return `${{ stop: 'stopping', start: 'starting', remove: 'removing', promote: 'promoting' }[s.kind]} ${who}`;
  });
  ctx.log(`quorum guard: evaluating ${steps.length} step(s) of replacing ${refs.join(', ')}`);
  return { steps, labels };
}

/**
 * An add the sequence makes while another voter is down, on a version whose leader refuses that ("unhealthy
 * cluster"): refused here, before the targets are removed, instead of failing halfway with a member fewer.
 */
function addRefusal(view: ClusterView, plan: { steps: PlannedStep[]; labels: string[] }): string | undefined {
  const blocked = votersDownAtAdds(view.list.members, view.healthy, plan.steps)[0];
  if (!blocked) return undefined;
  const running = view.statuses.filter((s) => s.clusterId === view.list.clusterId).map((s) => s.version);
  const version = oldestVersion(running);
  if (addsWithVoterDown(version) === true) return undefined;
  const byId = new Map(view.list.members.map((m) => [m.id, m]));
  const down = blocked.down.map((id) => (byId.has(id) ? label(byId.get(id)!) : id)).join(', ');
  const since = Object.values(ADD_WITH_VOTER_DOWN_SINCE).join(' / ');
  const who = version ? `etcd ${version} (the oldest running member)` : 'etcd of unknown version';
  return `${who} refuses \`member add\` while a voter is down, and ${down} would be down when ${plan.labels[blocked.step]} (allowed from ${since} and 3.7): bring it back first, replace it in the same run (targets=…), or upgrade etcd`;
}

function memberFacts(m: Member) {
  return { id: m.id, name: m.name, peer_urls: m.peerURLs };
}

/** The inventory group's members and their client URLs: without quorum the member list cannot be read, the inventory can. */
function inventoryMembers(ctx: ModuleContext, group: string): SurveyMember[] {
  const hosts = (ctx.vars.groups as Record<string, string[]> | undefined)?.[group] ?? [];
  const hostvars = (ctx.vars.hostvars as Record<string, Record<string, unknown>> | undefined) ?? {};
  return hosts.map((h) => ({ host: h, name: varStr(hostvars[h] ?? {}, 'etcd_name', h), clientUrl: varStr(hostvars[h] ?? {}, 'etcd_client_url', '') }));
}

/** `recover`: refuses while quorum holds (a forced new cluster would throw members away), else names the survivor. */
async function recover(ctx: ModuleContext, args: EtcdQuorumGuardArgs): Promise<ModuleResult> {
  const group = args.group ?? 'etcd';
  const members = inventoryMembers(ctx, group);
  const missing = members.filter((m) => !m.clientUrl).map((m) => m.host);
  if (members.length === 0 || missing.length > 0) {
    return { changed: false, failed: true, msg: `etcd_quorum_guard recover: ${members.length === 0 ? `the inventory group ${group} is empty` : `etcd_client_url is not set for ${missing.join(', ')}`}` };
  }
  const endpoints = members.map((m) => m.clientUrl);
  // Both reads tolerate dead endpoints: status is answered without quorum, health needs it.
  const status = await readFact(ctx, etcdEndpointStatus, endpoints);
  const health = await readFact(ctx, etcdEndpointHealth, endpoints);
  const preferred = args.survivor || undefined;
  if (preferred && !members.some((m) => m.host === preferred || m.name === preferred)) {
    return { changed: false, failed: true, msg: `survivor ${preferred} is not a member of the inventory group ${group} (${members.map((m) => m.host).join(', ')})` };
  }
  const v = survey(members, status, health, preferred);
  const base: ModuleResult = { changed: false, quorum_lost: v.quorumLost, evidence: v.evidence, members: v.rows };
  const text = v.evidence.join('\n');
  if (!v.quorumLost) {
    return { ...base, failed: true, abort: true, msg: `${ctx.host}: quorum guard: quorum is intact, refusing to force a new cluster (it would drop the healthy members' votes)\n${text}\nuse replace-member.yml for a single broken member` };
  }
  const resumed = await liveSmallerCluster(ctx, members, v.rows.filter((r) => r.healthy).map((r) => r.endpoint));
  if (resumed) {
    const evidence = [...v.evidence, resumed.line];
    return { ...base, quorum_lost: false, resume: true, evidence, survivor: resumed.survivor.host, survivor_name: resumed.survivor.name, survivor_raft_index: v.rows.find((r) => r.host === resumed.survivor.host)?.raftIndex, survivor_version: v.rows.find((r) => r.host === resumed.survivor.host)?.version, fence: resumed.missing, readd: resumed.readd, msg: evidence.join('\n') };
  }
  if (!v.survivor) {
    return { ...base, failed: true, msg: `no usable survivor${preferred ? ` named ${preferred} answers` : ': no member answers endpoint status'}\n${text}\nrestore from a snapshot instead (snapshot-restore.yml)` };
  }
  const survivor = v.survivor;
  const fence = members.filter((m) => m.host !== survivor.host).map((m) => m.host);
  return { ...base, resume: false, survivor: survivor.host, survivor_name: survivor.name, survivor_raft_index: survivor.raftIndex, survivor_version: survivor.version, fence, readd: fence, msg: text };
}

/**
 * A re-run after a recovery that got as far as the forced restart: the survivor already leads a working cluster
 * smaller than the inventory. Its member list answers (that needs quorum), so nothing must be forced again: only
 * the inventory members missing from it are fenced and re-added.
 */
async function liveSmallerCluster(ctx: ModuleContext, members: SurveyMember[], healthyEndpoints: string[]) {
  if (healthyEndpoints.length === 0) return undefined;
  let live;
  try {
    live = await memberList(ctx, healthyEndpoints);
  } catch {
    return undefined; // no quorum anywhere: a real loss
  }
  // Inventory members are matched to live ones by client URL (a name may be shared by a dead member).
  const started = live.members.filter((m) => m.started);
  const liveOf = (inv: SurveyMember) => started.find((m) => m.clientURLs.includes(inv.clientUrl));
  const voters = members.filter((inv) => { const m = liveOf(inv); return m !== undefined && !m.isLearner; });
  const learners = members.filter((inv) => liveOf(inv)?.isLearner === true);
  const survivor = voters.find((inv) => healthyEndpoints.includes(inv.clientUrl));
  if (!survivor) return undefined;
  // Missing members are fenced and re-added; a learner that already joined keeps its data and is only promoted.
  const missing = members.filter((m) => !voters.includes(m) && !learners.includes(m)).map((m) => m.host);
  const readd = members.filter((m) => !voters.includes(m)).map((m) => m.host);
  const line = `the cluster already runs with quorum on ${voters.map((v) => v.name).sort().join(', ')} (an earlier recovery got this far): nothing is forced again; ${readd.length ? `re-adding ${readd.join(', ')}` : 'no member is missing'}`;
  return { survivor, missing, readd, line };
}
