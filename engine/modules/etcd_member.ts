// `etcd_member`: add (learner where supported), promote or remove one member by live identity; idempotent, retrying etcd's transient refusals.
import { parseEtcdJson, toHexId } from '../etcd/json.js';
import { findMember, initialCluster, type Member, type MemberList } from '../etcd/members.js';
import { RingError } from '../errors/index.js';
import { HINT } from '../etcd/etcdctl-errors.js';
import { checkStep } from '../etcd/quorum.js';
import { joinRefusal } from '../etcd/versions.js';
import { etcdEndpointStatus } from '../facts/etcd-endpoint-status.js';
import { etcdMembersProbe } from '../facts/etcd-members.js';
import type { EtcdMemberArgs } from '../generated/schema-types.js';
import { defineModule, type ModuleContext, type ModuleResult } from './define.js';
import { atLeast, endpointsArg, etcdctlCommand, etcdError, label, memberList, readFact, resolveMember, runEtcdctl, varStr, versionOf } from './etcd-common.js';
import { judge } from './etcd-view.js';

/** etcd refuses reconfiguration for ~5 s after a member joins (strict reconfig check); that passes by itself. */
const UNHEALTHY = /unhealthy cluster/;
/** A learner that has not caught up with the leader yet; also passes by itself. */
const NOT_IN_SYNC = /in sync with leader|unhealthy cluster/;

type Ctx = ModuleContext;
interface Job { args: EtcdMemberArgs; endpoints?: string[]; list: MemberList; members: Member[]; retry: { timeoutS: number; delayS: number } }

export const etcdMemberModule = defineModule<EtcdMemberArgs>({
  name: 'etcd_member',
  description: 'Add (as a learner where supported), promote or remove one etcd member by its live identity, idempotently, retrying etcd\'s transient refusals until a deadline.',
  schema: 'modules/etcd_member.json',
  supportsCheckMode: true,
  idempotent: true,
  example: `- name: Register node3 as a learner
  etcd_member:
    state: present
    name: node3
    peer_urls: ["https://10.0.0.13:2380"]
  delegate_to: node1
  register: joined
`,
  async run(ctx, args) {
    const endpoints = endpointsArg(args.endpoints);
    const list = await (ctx.check ? readFact(ctx, etcdMembersProbe, endpoints) : memberList(ctx, endpoints)).catch((e: Error) => {
      // In check mode earlier steps only planned (a recovery's forced restart did not happen): with quorum lost a
      // linearizable member list (etcd 3.5+; 3.4 served it locally) cannot answer, and the change is only planned too.
      if (ctx.check) return e;
      throw e;
    });
    if (list instanceof Error) return { changed: true, msg: `check mode: would make ${wantedName(ctx, args)} ${args.state ?? 'present'} (the live member list cannot be read now: ${list.message})` };
    const job: Job = { args, endpoints, list, members: list.members, retry: { timeoutS: args.timeout ?? 60, delayS: args.delay ?? 1 } };
    const state = args.state ?? 'present';
    if (state === 'absent') return absent(ctx, job);
    if (state === 'promoted') return promoted(ctx, job);
    return present(ctx, job);
  },
});

function wantedName(ctx: Ctx, args: EtcdMemberArgs): string {
  return args.name ?? varStr(ctx.vars, 'etcd_name', ctx.host);
}

function wantedPeers(ctx: Ctx, args: EtcdMemberArgs): string[] {
  if (args.peer_urls && args.peer_urls.length > 0) return args.peer_urls;
  const own = varStr(ctx.vars, 'etcd_peer_url', '');
  return own ? [own] : [];
}

/** `--initial-cluster` for the joining member: every named live member plus this one under its own name. */
function clusterFor(members: Member[], id: string, name: string): string {
  return initialCluster(members.filter((m) => m.id === id || m.name !== '').map((m) => (m.id === id ? { name, peerURLs: m.peerURLs } : m)));
}

async function present(ctx: Ctx, job: Job): Promise<ModuleResult> {
  const name = wantedName(ctx, job.args);
  const peers = wantedPeers(ctx, job.args);
  if (peers.length === 0) throw etcdError(ctx, `etcd_member: no peer URL for member ${name}`, 'set `peer_urls` or the host variable `etcd_peer_url`');
  const samePeer = job.members.find((m) => m.peerURLs.some((u) => peers.includes(u)));
  if (samePeer) {
    if (samePeer.started && samePeer.name !== name) {
      throw etcdError(ctx, `stale member: peer URL ${peers.join(',')} belongs to started member ${label(samePeer)}, not ${name}`,
        `remove the stale member first (etcd_member state=absent id=${samePeer.id}, after etcd_quorum_guard action=remove), then add ${name}`);
    }
    const why = samePeer.started ? 'already present' : 'already added and not started yet (start it with initial-cluster-state=existing)';
    return done(`member ${name} ${why} (id ${samePeer.id})`, { member_id: samePeer.id, initial_cluster: clusterFor(job.members, samePeer.id, name), initial_cluster_state: 'existing', learner: samePeer.isLearner });
  }
  const sameName = findMember(job.members, { name });
  if (sameName) {
    throw etcdError(ctx, `stale member: name ${name} is registered as ${label(sameName)} with peer URL ${sameName.peerURLs.join(',')}, not ${peers.join(',')}`,
      `remove it first (etcd_member state=absent id=${sameName.id}) or use the registered peer URL`);
  }
  await versionCheck(ctx, job, name);
  const learner = await decideLearner(ctx, job);
  if (!learner) {
    const { healthy } = await judge(ctx, job.list);
    const verdict = checkStep(job.members, healthy, { kind: 'add', learner: false }, `adding ${name} as a voter`);
    if (!verdict.safe) return { changed: false, failed: true, abort: true, msg: `${ctx.host}: quorum guard: ${verdict.explanation}` };
  }
  const command = etcdctlCommand(ctx, job.endpoints, 'member', 'add', name, `--peer-urls=${peers.join(',')}`, ...(learner ? ['--learner'] : []), '-w', 'json');
  const planned = clusterFor([...job.members, { id: 'new', name, peerURLs: peers, clientURLs: [], isLearner: learner, started: false }], 'new', name);
  if (ctx.check) {
    return { changed: true, commands: [command.display()], msg: `check mode: would add ${name} (${peers.join(',')})${learner ? ' as a learner' : ' as a voter'}`, initial_cluster: planned, initial_cluster_state: 'existing', learner };
  }
  const out = await runEtcdctl(ctx, command, { retryOn: UNHEALTHY, ...job.retry });
  if (!out.ok) {
    throw etcdError(ctx, `member add ${name} failed after ${out.attempts} attempt(s): ${out.error}`,
      out.deterministic ? HINT : UNHEALTHY.test(out.error) ? `etcd kept refusing for ${job.retry.timeoutS}s: a member is down or unstarted; check etcd_health, remove dead members first, or raise \`timeout\`` : undefined);
  }
  const raw = parseEtcdJson(out.stdout, 'member add') as { member: { ID: string }; members: Array<{ ID: string; name?: string; peerURLs?: string[] }> };
  const id = toHexId(raw.member.ID);
  const after = raw.members.map((m) => ({ id: toHexId(m.ID), name: m.name ?? '', peerURLs: m.peerURLs ?? [] })) as Member[];
  return { changed: true, commands: [command.display()], attempts: out.attempts, msg: `added ${name} as ${learner ? 'a learner' : 'a voter'} (id ${id})`, member_id: id, initial_cluster: clusterFor(after, id, name), initial_cluster_state: 'existing', learner };
}

/**
 * With `version`: the running members' versions, read right before the add (an upgrade may have moved on since
 * etcd_version_guard ran), must not be newer than the new member's major.minor (see joinRefusal): refused before
 * `member add`, so a member etcd would refuse at start is never registered.
 */
async function versionCheck(ctx: Ctx, job: Job, name: string): Promise<void> {
  const want = job.args.version;
  if (!want) return;
  const { statuses } = await judge(ctx, job.list);
  const refusal = joinRefusal(want, statuses.filter((s) => s.clusterId === job.list.clusterId).map((s) => s.version));
  if (!refusal) return;
  const text = `version guard: ${name} would run etcd ${want}: ${refusal}`;
  if (job.args.accept_version_skew === true || job.args.accept_version_skew === 'true') return ctx.warn(`${text}; adding it anyway (accept_version_skew)`);
  throw new RingError('E_GUARD', `${text}. The member was not added: give it the cluster's version, or accept_version_skew=true to add it anyway`, { host: ctx.host, task: ctx.taskName });
}

/** auto: learners exist from etcd 3.4; the version comes from `etcd_version`, else from the live endpoint. */
async function decideLearner(ctx: Ctx, job: Job): Promise<boolean> {
  const mode = job.args.learner ?? 'auto';
  if (mode !== 'auto') return mode === 'true';
  let version = versionOf(ctx.vars.etcd_version);
  if (!version) {
    const status = await readFact(ctx, etcdEndpointStatus, job.endpoints);
    version = versionOf(status[0]?.version);
  }
  return atLeast(version, 3, 4);
}

/**
 * The member a remove/promote means: by ID, else by peer URL (members are known by ID and peer URL), and by name only
 * when no peer URL is given and no other member carries that name (a dead member may share a live node's name).
 */
function target(ctx: Ctx, job: Job): { member?: Member; ref: string } {
  const { args } = job;
  if (args.id) return { member: findMember(job.members, { id: args.id.padStart(16, '0') }), ref: `id ${args.id}` };
  const name = wantedName(ctx, args);
  // An explicit name never falls back to the host's own peer URL: that could pick the wrong member.
  const peers = args.name !== undefined && !(args.peer_urls && args.peer_urls.length > 0) ? [] : wantedPeers(ctx, args);
  if (peers.length > 0) return { member: job.members.find((m) => m.peerURLs.some((u) => peers.includes(u))), ref: `${name} (${peers.join(',')})` };
  try {
    return { member: resolveMember(job.members, name), ref: name };
  } catch (e) {
    throw etcdError(ctx, (e as Error).message, 'give `peer_urls` or `id`');
  }
}

async function absent(ctx: Ctx, job: Job): Promise<ModuleResult> {
  const { member, ref } = target(ctx, job);
  if (!member) return done(`member ${ref} already absent`, {});
  // Re-read right before the change: someone may have stopped a member since the guard task ran.
  const { healthy } = await judge(ctx, job.list);
  const verdict = checkStep(job.members, healthy, { kind: 'remove', memberId: member.id }, `removing ${label(member)}`);
  if (!verdict.safe) return { changed: false, failed: true, abort: true, msg: `${ctx.host}: quorum guard: ${verdict.explanation}`, member_id: member.id };
  const command = etcdctlCommand(ctx, job.endpoints, 'member', 'remove', member.id);
  if (ctx.check) return { changed: true, commands: [command.display()], msg: `check mode: would remove ${label(member)}; ${verdict.explanation}`, member_id: member.id };
  const out = await runEtcdctl(ctx, command, { retryOn: UNHEALTHY, ...job.retry });
  if (!out.ok && /member not found/.test(out.error)) return done(`member ${label(member)} was already removed`, { member_id: member.id });
  if (!out.ok) throw etcdError(ctx, `member remove ${label(member)} failed after ${out.attempts} attempt(s): ${out.error}`, out.deterministic ? HINT : 'check etcd_health; a removal needs a quorum of healthy voters');
  return { changed: true, commands: [command.display()], attempts: out.attempts, msg: `removed ${label(member)}; ${verdict.explanation}`, member_id: member.id };
}

async function promoted(ctx: Ctx, job: Job): Promise<ModuleResult> {
  const { member, ref } = target(ctx, job);
  if (!member) throw etcdError(ctx, `cannot promote ${ref}: no such member in the live list`, 'add it first with etcd_member state=present');
  if (!member.isLearner) return done(`member ${label(member)} is already a voter`, { member_id: member.id });
  const command = etcdctlCommand(ctx, job.endpoints, 'member', 'promote', member.id);
  if (ctx.check) return { changed: true, commands: [command.display()], msg: `check mode: would promote ${label(member)} once it is in sync with the leader`, member_id: member.id };
  const out = await runEtcdctl(ctx, command, { retryOn: NOT_IN_SYNC, ...job.retry, hopeless: learnerGone(ctx, member) });
  // A plain "can only promote a learner member" means someone promoted it meanwhile.
  if (!out.ok && /can only promote a learner member$/.test(out.error)) return done(`member ${label(member)} is already a voter`, { member_id: member.id });
  if (!out.ok) {
    throw etcdError(ctx, `member promote ${label(member)} failed after ${out.attempts} attempt(s): ${out.error}`,
      out.deterministic ? HINT : out.hopeless ? 'start it again (etcd_service) once its logs say why it stopped' : NOT_IN_SYNC.test(out.error) ? `the learner did not catch up within ${job.retry.timeoutS}s: check that it started (etcd_service) and its logs, or raise \`timeout\`` : undefined);
  }
  return { changed: true, commands: [command.display()], attempts: out.attempts, msg: `promoted ${label(member)} to voter`, member_id: member.id };
}

/** Consecutive silent probes after which a learner that does not answer is taken as not running. */
const SILENT_PROBES = 3;

/**
 * A learner whose own client URL stops answering will never catch up: after SILENT_PROBES probes in a row
 * (one between promote attempts) the promote gives up at once instead of retrying until its deadline.
 */
function learnerGone(ctx: Ctx, member: Member): () => Promise<string | undefined> {
  const url = member.clientURLs[0] ?? varStr(ctx.vars, 'etcd_client_url', '');
  let silent = 0;
  return async () => {
    if (!url) return undefined;
    const answered = await readFact(ctx, etcdEndpointStatus, [url]).then((s) => s.length > 0, () => false);
    silent = answered ? 0 : silent + 1;
    return silent >= SILENT_PROBES ? `the learner's client URL ${url} did not answer ${silent} probes in a row: its etcd is not running` : undefined;
  };
}

function done(msg: string, extra: Record<string, unknown>): ModuleResult {
  return { changed: false, msg, ...extra };
}
