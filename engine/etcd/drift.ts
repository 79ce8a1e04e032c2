// Inventory against live membership, matched by peer URL (a dead member may share a live node's name, never its peer URL).
import type { Member } from './members.js';

/** One inventory host of the etcd group as the inventory describes it. */
export interface InventoryMember {
  host: string;
  name: string;
  /** '' when the inventory gives none: then (and only then) the name is matched, if no other member carries it. */
  peer: string;
}

/** Differences between what the inventory says and what etcd says; members named `name (id, peer URL)`. */
export interface Drift {
  stale: string[];
  missing: string[];
  unstarted: string[];
  learners: string[];
  peer_url_mismatch: Array<{ name: string; inventory: string; live: string[] }>;
}

/** Which live member each inventory host is: its peer URL decides. */
export function matchInventory(inventory: InventoryMember[], members: Member[]): Map<string, Member | undefined> {
  const out = new Map<string, Member | undefined>();
  for (const i of inventory) {
    if (i.peer !== '') {
      out.set(i.host, members.find((m) => m.peerURLs.includes(i.peer)));
      continue;
    }
    const named = members.filter((m) => m.name !== '' && m.name === i.name);
    out.set(i.host, named.length === 1 ? named[0] : undefined);
  }
  return out;
}

/** Live members that are no inventory host's (runbook 004's leftovers), by ID. */
export function staleMembers(inventory: InventoryMember[], members: Member[]): Member[] {
  const mine = new Set([...matchInventory(inventory, members).values()].filter((m): m is Member => m !== undefined).map((m) => m.id));
  return members.filter((m) => !mine.has(m.id));
}

export function memberLabel(m: Member): string {
  const peers = m.peerURLs.join(',') || 'no peer URL';
  return m.name ? `${m.name} (${m.id}, ${peers})` : `unstarted member ${m.id} (${peers})`;
}

/**
 * Inventory says what should be; etcd says what is. A host whose peer URL no member has, while an unclaimed live
 * member carries its name, is a peer-URL mismatch (the inventory is probably wrong), not a missing plus a stale member.
 */
export function driftOf(inventory: InventoryMember[], members: Member[]): Drift {
  const matched = matchInventory(inventory, members);
  const stale = staleMembers(inventory, members);
  const mismatch: Drift['peer_url_mismatch'] = [];
  const missing: string[] = [];
  for (const i of inventory) {
    if (matched.get(i.host)) continue;
    const namesake = stale.filter((m) => m.name !== '' && m.name === i.name);
    if (i.peer !== '' && namesake.length === 1 && namesake[0].started) mismatch.push({ name: i.name, inventory: i.peer, live: namesake[0].peerURLs });
    else missing.push(i.host === i.name ? i.name : `${i.host} (${i.name})`);
  }
  const explained = new Set(mismatch.map((x) => x.name));
  return {
    stale: stale.filter((m) => m.started && !explained.has(m.name)).map(memberLabel),
    missing,
    unstarted: members.filter((m) => !m.started).map(memberLabel),
    learners: members.filter((m) => m.isLearner).map((m) => (m.name ? memberLabel(m) : m.id)),
    peer_url_mismatch: mismatch,
  };
}

export function hasDrift(d: Drift): boolean {
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
