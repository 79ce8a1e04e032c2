// The live membership as etcd reports it (`member list -w json`), in a shape the planner can reason about.
import { parseEtcdJson, toHexId } from './json.js';

/** One member as etcd sees it. IDs are hex, as etcdctl's table and `member remove` use them. */
export interface Member {
  id: string;
  /** Empty until the member has started once (etcd learns the name from the member itself). */
  name: string;
  peerURLs: string[];
  clientURLs: string[];
  isLearner: boolean;
  /** etcd's own notion: a member that has never published its name and client URLs is "unstarted". */
  started: boolean;
}

export interface MemberList {
  clusterId: string;
  /** The member that answered. */
  reporterId: string;
  members: Member[];
}

interface RawMember {
  ID: string | number;
  name?: string;
  peerURLs?: string[];
  clientURLs?: string[];
  isLearner?: boolean;
}

export function parseMemberList(stdout: string): MemberList {
  const raw = parseEtcdJson(stdout, 'member list') as { header: { cluster_id: string; member_id: string }; members?: RawMember[] };
  return {
    clusterId: toHexId(raw.header.cluster_id),
    reporterId: toHexId(raw.header.member_id),
    members: (raw.members ?? []).map((m) => ({
      id: toHexId(m.ID),
      name: m.name ?? '',
      peerURLs: m.peerURLs ?? [],
      clientURLs: m.clientURLs ?? [],
      isLearner: m.isLearner === true,
      started: Boolean(m.name) && (m.clientURLs?.length ?? 0) > 0,
    })),
  };
}

/** Find a member by hex ID, by name, or by one of its peer URLs. */
export function findMember(list: Member[], ref: { id?: string; name?: string; peerURL?: string }): Member | undefined {
  return list.find(
    (m) =>
      (ref.id !== undefined && m.id === ref.id.toLowerCase()) ||
      (ref.name !== undefined && ref.name !== '' && m.name === ref.name) ||
      (ref.peerURL !== undefined && m.peerURLs.includes(ref.peerURL)),
  );
}

/** `name=url,name=url` for --initial-cluster, members in a stable order; unnamed members take `fallbackName`. */
export function initialCluster(members: Array<{ name: string; peerURLs: string[] }>): string {
  return members
    .flatMap((m) => m.peerURLs.map((u) => `${m.name}=${u}`))
    .sort()
    .join(',');
}
