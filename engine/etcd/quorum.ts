// Quorum arithmetic from the live member list: who votes, who is up, and what a step would leave.
import type { Member } from './members.js';

/** The numbers the guard prints and decides on. */
export interface QuorumState {
  voters: number;
  learners: number;
  /** Voters that are started AND answered healthy. */
  healthyVoters: number;
  quorum: number;
  /** How many more voters may be lost while keeping quorum (negative: quorum already lost). */
  faultTolerance: number;
}

export type PlannedStep =
  | { kind: 'stop'; memberId: string }
  | { kind: 'remove'; memberId: string }
  | { kind: 'add'; learner: boolean };

export interface GuardVerdict {
  safe: boolean;
  before: QuorumState;
  after: QuorumState;
  /** The arithmetic in words, e.g. "voters 3, healthy 2, quorum 2; after removing node2: voters 2, healthy 1, quorum 2 → refused". */
  explanation: string;
}

export function quorumOf(voters: number): number {
  return Math.floor(voters / 2) + 1;
}

/** `healthy` holds the hex IDs of members that answered `endpoint health` true. */
export function quorumState(members: Member[], healthy: ReadonlySet<string>): QuorumState {
  const voters = members.filter((m) => !m.isLearner);
  const healthyVoters = voters.filter((m) => m.started && healthy.has(m.id)).length;
  const quorum = quorumOf(voters.length);
  return { voters: voters.length, learners: members.length - voters.length, healthyVoters, quorum, faultTolerance: healthyVoters - quorum };
}

/**
 * Decide whether a step keeps started, healthy voters at or above quorum afterwards.
 * Adding a voter raises the quorum before the new member is up, so it counts as +1 voter, +0 healthy.
 * Stopping or removing a learner never changes the vote.
 */
export function checkStep(members: Member[], healthy: ReadonlySet<string>, step: PlannedStep, label: string): GuardVerdict {
  const before = quorumState(members, healthy);
  let after: QuorumState;
  if (step.kind === 'add') {
    after = step.learner
      ? { ...before, learners: before.learners + 1 }
      : recompute(before.voters + 1, before.healthyVoters, before.learners);
  } else {
    const m = members.find((x) => x.id === step.memberId);
    const isVoter = m !== undefined && !m.isLearner;
    const wasHealthy = isVoter && m.started && healthy.has(m.id);
    const voters = step.kind === 'remove' && isVoter ? before.voters - 1 : before.voters;
    const learners = step.kind === 'remove' && m?.isLearner ? before.learners - 1 : before.learners;
    after = recompute(voters, before.healthyVoters - (wasHealthy ? 1 : 0), learners);
  }
  // A step that leaves quorum intact is safe; one on an already-broken cluster is safe only if it does not make things worse.
  const safe = after.voters > 0 && after.healthyVoters >= after.quorum;
  const explanation =
    `before: ${describe(before)}; after ${label}: ${describe(after)} → ` +
    (safe ? 'safe' : `refused: ${after.healthyVoters} healthy voter(s) would be below the quorum of ${after.quorum}`);
  return { safe, before, after, explanation };
}

function recompute(voters: number, healthyVoters: number, learners: number): QuorumState {
  const quorum = quorumOf(voters);
  return { voters, learners, healthyVoters, quorum, faultTolerance: healthyVoters - quorum };
}

function describe(s: QuorumState): string {
  return `voters ${s.voters}, healthy voters ${s.healthyVoters}, quorum ${s.quorum}, fault tolerance ${Math.max(s.faultTolerance, 0)}${s.learners ? `, learners ${s.learners}` : ''}`;
}
