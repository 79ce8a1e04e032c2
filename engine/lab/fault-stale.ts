// Whether a node was repaired since a data fault: then the fault's pre-fault copy is stale, and putting it back
// over the repaired member crash-loops it ("tocommit(N) is out of range"). Members are known by ID and peer URL.
import { memberHealthy, probeNode } from './etcd-query.js';
import { findHost, peerUrl, type LabSpec } from './spec.js';
import type { LabState } from './state.js';

/** The ID of the member with `node`'s peer URL, as the cluster lists it (asked from healthy members first). */
export async function memberIdOf(spec: LabSpec, state: LabState, node: string): Promise<{ answered: boolean; id?: string }> {
  const peer = peerUrl(spec, findHost(spec, node));
  const order = [...spec.etcdNodes.filter((n) => n.name !== node), findHost(spec, node)];
  const probes = await Promise.all(order.map((n) => probeNode(spec, state, n.name)));
  const answer = probes.find((p) => p.healthy && p.members) ?? probes.find((p) => p.members);
  if (!answer?.members) return { answered: false };
  return { answered: true, id: answer.members.find((m) => m.peerURLs.includes(peer))?.id };
}

/**
 * Why `node` counts as repaired since the fault (undefined: not repaired, or nobody can tell — then the undo goes
 * ahead as before): its peer URL now belongs to another member ID, or to none, or its member (same ID) is healthy
 * again on data written since (etcd rejoined by itself on the wiped dir).
 */
export async function repairedSince(spec: LabSpec, state: LabState, node: string, was: string | undefined): Promise<string | undefined> {
  const peer = peerUrl(spec, findHost(spec, node));
  const now = await memberIdOf(spec, state, node);
  if (was && now.answered && now.id !== was) {
    return now.id
      ? `the member at ${peer} is now ${now.id}, not ${was} as when the fault was injected: it was replaced since (a playbook repaired the node)`
      : `no member has ${peer} any more (it was ${was} when the fault was injected): it was removed since`;
  }
  if (await memberHealthy(spec, state, node)) return `its member${was ? ` ${was}` : ''} is healthy again on data written since the fault (etcd rejoined by itself)`;
  return undefined;
}
