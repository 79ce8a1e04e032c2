// The live cluster as the guard, member changes and health judge it: the majority's cluster, its member list, and
// which members are healthy IN that cluster (a member that bootstrapped its own cluster answers health too).
import type { Member, MemberList } from '../etcd/members.js';
import { etcdEndpointHealth, type EndpointHealth } from '../facts/etcd-endpoint-health.js';
import { etcdEndpointStatus, type EndpointStatus } from '../facts/etcd-endpoint-status.js';
import type { ModuleContext } from './define.js';
import { clientEndpoints, memberList, readFact } from './etcd-common.js';

/** A member of the list whose client URL answers for another cluster (runbook 003's split) or as another member. */
export interface ForeignMember {
  member: Member;
  clusterId: string;
  memberId: string;
}

/** What a read of the cluster found, every member identified by ID. */
export interface Judgement {
  /** IDs of members that answered health true AND whose endpoint reports this cluster's ID and their own member ID. */
  healthy: Set<string>;
  health: EndpointHealth[];
  /** Status of every started member that answered. */
  statuses: EndpointStatus[];
  foreign: ForeignMember[];
}

export interface ClusterView extends Judgement {
  list: MemberList;
}

/**
 * The cluster ID most endpoints answer for (ties: the one with the highest raft index), so a member that
 * bootstrapped its own cluster cannot make its one-member list look like the cluster's.
 */
export function majorityCluster(statuses: EndpointStatus[]): string | undefined {
  const groups = new Map<string, EndpointStatus[]>();
  for (const s of statuses) groups.set(s.clusterId, [...(groups.get(s.clusterId) ?? []), s]);
  const ranked = [...groups.entries()].sort(
    ([, a], [, b]) => b.length - a.length || Math.max(...b.map((s) => s.raftIndex)) - Math.max(...a.map((s) => s.raftIndex)),
  );
  return ranked[0]?.[0];
}

/**
 * The given endpoints that answer for the majority's cluster (all of them when they agree or none answers): etcdctl
 * balances requests over its endpoints, so a lease granted by a member of another cluster would be unknown to the
 * next request's member ("requested lease not found").
 */
export async function majorityEndpoints(ctx: ModuleContext, endpoints: string[] | undefined): Promise<string[] | undefined> {
  if (!endpoints || endpoints.length < 2) return endpoints;
  const statuses = await readFact(ctx, etcdEndpointStatus, endpoints);
  const major = majorityCluster(statuses);
  const mine = statuses.filter((s) => s.clusterId === major).map((s) => s.endpoint);
  return mine.length > 0 ? mine : endpoints;
}

/**
 * Reads the member list from the majority's cluster: with several endpoints, each endpoint's status says which
 * cluster it is in first; with one (a helper known to be healthy), that endpoint's list is taken.
 */
export async function clusterView(ctx: ModuleContext, endpoints?: string[]): Promise<ClusterView> {
  let listEndpoints = endpoints;
  let known: EndpointStatus[] = [];
  let asked: string[] = [];
  if (endpoints && endpoints.length > 1) {
    known = await readFact(ctx, etcdEndpointStatus, endpoints);
    asked = endpoints;
    const major = majorityCluster(known);
    if (major) listEndpoints = known.filter((s) => s.clusterId === major).map((s) => s.endpoint);
  }
  const list = await memberList(ctx, listEndpoints);
  return { list, ...(await judge(ctx, list, known, asked)) };
}

/**
 * Health and per-endpoint status of the list's started members, asked in parallel on the one connection (a dead
 * member costs each probe its timeout once, not twice); endpoints in `asked` are not asked again.
 */
export async function judge(ctx: ModuleContext, list: MemberList, known: EndpointStatus[] = [], asked: string[] = []): Promise<Judgement> {
  const urls = clientEndpoints(list.members);
  if (urls.length === 0) return { healthy: new Set(), health: [], statuses: [], foreign: [] };
  const rest = urls.filter((u) => !asked.includes(u));
  const [health, more] = await Promise.all([
    readFact(ctx, etcdEndpointHealth, urls),
    rest.length > 0 ? readFact(ctx, etcdEndpointStatus, rest) : Promise.resolve([]),
  ]);
  const statuses = [...known.filter((s) => urls.includes(s.endpoint)), ...more];
  const up = new Set(health.filter((h) => h.health).map((h) => h.endpoint));
  const healthy = new Set<string>();
  const foreign: ForeignMember[] = [];
  for (const m of list.members) {
    const url = m.clientURLs[0];
    const s = url === undefined ? undefined : statuses.find((x) => x.endpoint === url);
    if (s && (s.clusterId !== list.clusterId || s.memberId !== m.id)) foreign.push({ member: m, clusterId: s.clusterId, memberId: s.memberId });
    else if (s && m.started && up.has(url!)) healthy.add(m.id);
  }
  return { healthy, health, statuses, foreign };
}
