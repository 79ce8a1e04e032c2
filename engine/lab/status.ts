// `lab status`: members, leader, health, raft index and the static-pod runner of every node, as a table or JSON.
import { labMemoryMb } from './census.js';
import { probeNode, type NodeProbe } from './etcd-query.js';
import { inventoryPath } from './inventory.js';
import { isAlive } from './proc.js';
import { memberName } from './spec.js';
import { specOf, type LabState } from './state.js';

/** The status of one lab (what `lab status --output json` prints). */
export interface LabStatus {
  name: string;
  phase: LabState['phase'];
  tls: boolean;
  etcdVersion: string;
  flavor: string;
  /** Nodes on another release (a rolling upgrade stopped halfway). */
  nodeVersions?: Record<string, string>;
  inventory: string;
  memoryMb: number;
  leader?: string;
  nodes: Array<{
    name: string;
    address: string;
    up: boolean;
    member?: string;
    memberId?: string;
    leader: boolean;
    healthy: boolean;
    raftIndex?: number;
    runner: string;
    faults: string[];
  }>;
  /** Members etcd knows that are not lab nodes (a replaced or added member), by name or ID. */
  otherMembers: string[];
}

function hex(id: string | undefined): string | undefined {
  return id === undefined ? undefined : BigInt(id).toString(16);
}

function runnerText(p: NodeProbe): string {
  if (!p.reachable) return 'host down';
  if (p.container !== undefined) return p.container ? `container etcd ${p.container}` : 'no etcd container';
  if (p.unit !== undefined) return `etcd.service ${p.unit}`;
  if (!p.runner) return 'no runner status';
  const pods = p.runner.pods.map((x) => `${x.name ?? '?'} ${x.state}${x.restarts ? ` (restarts ${x.restarts})` : ''}`);
  return `${p.runner.held ? 'HELD ' : ''}${pods.join(', ') || 'no pods'}`;
}

export async function labStatus(state: LabState): Promise<LabStatus> {
  const spec = specOf(state);
  const probes = await Promise.all(spec.etcdNodes.map((n) =>
    (isAlive(state.inits[n.name]) ? probeNode(spec, state, n.name) : Promise.resolve<NodeProbe>({ node: n.name, reachable: false, healthy: false }))));
  const members = probes.find((p) => p.members)?.members ?? [];
  const leaderId = probes.find((p) => p.healthy && p.leaderId && p.leaderId !== '0')?.leaderId;
  const names = new Set(spec.etcdNodes.map((n) => memberName(spec, n)));
  return {
    name: spec.name, phase: state.phase, tls: spec.tls, etcdVersion: spec.etcdVersion, flavor: spec.flavor, ...(spec.nodeVersions ? { nodeVersions: spec.nodeVersions } : {}), inventory: inventoryPath(spec), memoryMb: labMemoryMb(state.netns),
    leader: members.find((m) => m.id === leaderId)?.name,
    nodes: spec.etcdNodes.map((n, i) => {
      const p = probes[i];
      const m = members.find((x) => x.id === p.memberId) ?? members.find((x) => x.name === memberName(spec, n));
      return {
        name: n.name, address: n.address, up: p.reachable,
        member: m ? `${m.isLearner ? 'learner' : 'voter'}${m.name ? '' : ' (unstarted)'}` : undefined,
        memberId: hex(p.memberId ?? m?.id), leader: !!leaderId && p.memberId === leaderId,
        healthy: p.healthy, raftIndex: p.raftIndex, runner: runnerText(p), faults: state.faults[n.name] ?? [],
      };
    }),
    otherMembers: members.filter((m) => !names.has(m.name)).map((m) => m.name || hex(m.id)!),
  };
}

/** The status as a table for people. */
export function formatStatus(s: LabStatus): string {
  const rows = [['NODE', 'ADDRESS', 'MEMBER', 'ID', 'LEADER', 'HEALTH', 'RAFT-INDEX', 'RUNNER', 'FAULTS']];
  for (const n of s.nodes) {
    rows.push([n.name, n.address, n.member ?? 'not a member', n.memberId ?? '-', n.leader ? '*' : '', n.healthy ? 'healthy' : 'UNHEALTHY',
      n.raftIndex === undefined ? '-' : String(n.raftIndex), n.runner, n.faults.join(',') || '-']);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const table = rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd()).join('\n');
  const healthy = s.nodes.filter((n) => n.healthy).length;
  const behind = Object.entries(s.nodeVersions ?? {}).map(([n, v]) => ` (${n}: ${v})`).join('');
  return `lab ${s.name} (${s.phase}, ${s.flavor}, etcd ${s.etcdVersion}${behind}, TLS ${s.tls ? 'on' : 'off'}): ${healthy}/${s.nodes.length} healthy, leader ${s.leader ?? 'none'}, memory ${s.memoryMb} MiB
inventory: ${s.inventory}
${table}${s.otherMembers.length ? `\nother members: ${s.otherMembers.join(', ')}` : ''}
`;
}
