// Quorum-loss evidence: which members still answer, whether quorum is really lost, and the survivor with the most data.
import { quorumOf } from './quorum.js';
import type { EndpointHealth } from '../facts/etcd-endpoint-health.js';
import type { EndpointStatus } from '../facts/etcd-endpoint-status.js';

/** One inventory member as the survey sees it. */
export interface SurveyMember {
  host: string;
  name: string;
  clientUrl: string;
}

/** What one member said (or that it said nothing). */
export interface SurveyRow {
  host: string;
  name: string;
  endpoint: string;
  answered: boolean;
  healthy: boolean;
  raftIndex?: number;
  raftTerm?: number;
  revision?: number;
  clusterId?: string;
  leader?: string;
  /** The server version the member reports. */
  version?: string;
}

/** The verdict of a survey: quorum intact (nothing to recover) or lost, and the chosen survivor. */
export interface SurveyVerdict {
  quorumLost: boolean;
  rows: SurveyRow[];
  survivor?: SurveyRow;
  /** Human lines, one per member, then the decision: printed so an operator can check the choice. */
  evidence: string[];
}

/**
 * Quorum is lost when fewer than a majority of the inventory's members answer a (linearizable) health check.
 * The survivor is the answering member with the highest raft index (then term, then inventory order): it holds
 * every entry any other reachable member has, so forcing a new cluster from it loses the least.
 */
export function survey(members: SurveyMember[], status: EndpointStatus[], health: EndpointHealth[], preferred?: string): SurveyVerdict {
  const rows: SurveyRow[] = members.map((m) => {
    const s = status.find((x) => x.endpoint === m.clientUrl);
    const h = health.find((x) => x.endpoint === m.clientUrl);
    return {
      host: m.host, name: m.name, endpoint: m.clientUrl, answered: s !== undefined, healthy: h?.health === true,
      raftIndex: s?.raftIndex, raftTerm: s?.raftTerm, revision: s?.revision, clusterId: s?.clusterId,
      leader: s ? (s.leaderId && !/^0+$/.test(s.leaderId) ? s.leaderId : 'none') : undefined, version: s?.version,
    };
  });
  const healthy = rows.filter((r) => r.healthy).length;
  const quorum = quorumOf(members.length);
  const quorumLost = healthy < quorum;
  const evidence = rows.map((r) => r.answered
    ? `${r.name} (${r.host}): raft index ${r.raftIndex}, term ${r.raftTerm}, revision ${r.revision}, leader ${r.leader}, cluster ${r.clusterId}, ${r.healthy ? 'healthy' : 'not healthy'}`
    : `${r.name} (${r.host}): does not answer at ${r.endpoint}`);
  evidence.push(`${healthy} of ${members.length} member(s) healthy, quorum ${quorum}: ${quorumLost ? 'quorum is LOST' : 'quorum is intact'}`);
  const candidates = rows.filter((r) => r.answered);
  let survivor: SurveyRow | undefined;
  if (preferred) {
    survivor = candidates.find((r) => r.host === preferred || r.name === preferred);
  } else {
    survivor = [...candidates].sort((a, b) => (b.raftIndex ?? 0) - (a.raftIndex ?? 0) || (b.raftTerm ?? 0) - (a.raftTerm ?? 0))[0];
  }
  if (survivor) evidence.push(`survivor: ${survivor.name} (${survivor.host}), raft index ${survivor.raftIndex}${preferred ? ' (chosen by the operator)' : ', the highest of the members that answer'}`);
  return { quorumLost, rows, survivor, evidence };
}
