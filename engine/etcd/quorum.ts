// Quorum arithmetic from the live member list: who votes, who is up, and every state a sequence of steps passes through.
import type { Member } from './members.js';

/** The numbers the guard prints and decides on. */
export interface QuorumState {
  voters: number;
  learners: number;
  /** Voters that are started AND answered healthy (in the cluster the member list came from). */
  healthyVoters: number;
  quorum: number;
  /** How many more voters may be lost while keeping quorum (negative: quorum already lost). */
  faultTolerance: number;
}

/**
 * One step of a membership change. `memberId` names a live member by hex ID; for `add` it is a placeholder
 * (e.g. the new member's peer URL) that later `start` / `promote` steps of the same sequence refer to.
 */
export type PlannedStep =
  | { kind: 'stop'; memberId: string }
  | { kind: 'start'; memberId: string }
  | { kind: 'remove'; memberId: string }
  | { kind: 'add'; learner: boolean; memberId?: string }
  | { kind: 'promote'; memberId: string };

/** The state after one step of a sequence. */
export interface StepState {
  step: PlannedStep;
  label: string;
  state: QuorumState;
  safe: boolean;
}

export interface GuardVerdict {
  safe: boolean;
  before: QuorumState;
  /** The state after the last step (or after the first unsafe one). */
  after: QuorumState;
  /** Every intermediate state, in order. */
  states: StepState[];
  /** The arithmetic in words, e.g. "before: voters 3, healthy voters 3, quorum 2; after stopping node2: … → refused". */
  explanation: string;
}

/** A member as the guard simulates it: does it vote, is it up (started and healthy). */
interface SimMember {
  id: string;
  voter: boolean;
  up: boolean;
}

export function quorumOf(voters: number): number {
  return Math.floor(voters / 2) + 1;
}

/** `healthy` holds the hex IDs of members that answered `endpoint health` true in the same cluster. */
export function quorumState(members: Member[], healthy: ReadonlySet<string>): QuorumState {
  return stateOf(simulate(members, healthy));
}

function simulate(members: Member[], healthy: ReadonlySet<string>): SimMember[] {
  return members.map((m) => ({ id: m.id, voter: !m.isLearner, up: m.started && healthy.has(m.id) }));
}

function stateOf(sim: SimMember[]): QuorumState {
  const voters = sim.filter((m) => m.voter);
  const healthyVoters = voters.filter((m) => m.up).length;
  const quorum = quorumOf(voters.length);
  return { voters: voters.length, learners: sim.length - voters.length, healthyVoters, quorum, faultTolerance: healthyVoters - quorum };
}

/**
 * Applies one step. A stopped member keeps its vote until it is removed (that is what makes "stop, then remove"
 * dangerous on a cluster with a dead extra voter); an added voter raises the quorum before it is up; a started
 * member counts as up (the sequence promotes a learner only once it is in sync).
 */
function apply(sim: SimMember[], step: PlannedStep): SimMember[] {
  switch (step.kind) {
    case 'stop':
      return sim.map((m) => (m.id === step.memberId ? { ...m, up: false } : m));
    case 'start':
      return sim.map((m) => (m.id === step.memberId ? { ...m, up: true } : m));
    case 'remove':
      return sim.filter((m) => m.id !== step.memberId);
    case 'promote':
      return sim.map((m) => (m.id === step.memberId ? { ...m, voter: true } : m));
    case 'add':
      return [...sim, { id: step.memberId ?? `new-${sim.length}`, voter: !step.learner, up: false }];
  }
}

const safeState = (s: QuorumState) => s.voters > 0 && s.healthyVoters >= s.quorum;

/**
 * Decides a whole sequence: it is safe only if EVERY state it passes through keeps started, healthy voters at or
 * above the quorum of that moment. `labels[i]` describes step i ("stopping node2 (…)"). Evaluation stops at the
 * first unsafe state, which the explanation names.
 */
export function checkSequence(members: Member[], healthy: ReadonlySet<string>, steps: PlannedStep[], labels: string[]): GuardVerdict {
  let sim = simulate(members, healthy);
  const before = stateOf(sim);
  const states: StepState[] = [];
  for (const [i, step] of steps.entries()) {
    sim = apply(sim, step);
    const state = stateOf(sim);
    states.push({ step, label: labels[i] ?? step.kind, state, safe: safeState(state) });
    if (!safeState(state)) break;
  }
  const last = states[states.length - 1];
  const safe = states.every((s) => s.safe);
  const after = last?.state ?? before;
  const lines = states.map((s, i) => `${i + 1}. after ${s.label}: ${describe(s.state)}${s.safe ? '' : ' ← below quorum'}`);
  const verdict = safe ? 'safe'
    : `refused: after ${last.label}, ${after.healthyVoters} healthy voter(s) would be below the quorum of ${after.quorum}${states.length < steps.length ? ` (${steps.length - states.length} later step(s) not evaluated)` : ''}`;
  const explanation = steps.length === 1
    ? `before: ${describe(before)}; after ${labels[0] ?? steps[0].kind}: ${describe(after)} → ${verdict}`
    : `before: ${describe(before)}; ${lines.join('; ')} → ${verdict}`;
  return { safe, before, after, states, explanation };
}

/** At each `add` of the sequence, the voters that are down at that moment (not yet removed, not started): etcd before 3.5.30 / 3.6.11 refuses the add then. */
export function votersDownAtAdds(members: Member[], healthy: ReadonlySet<string>, steps: PlannedStep[]): Array<{ step: number; down: string[] }> {
  let sim = simulate(members, healthy);
  const out: Array<{ step: number; down: string[] }> = [];
  for (const [i, step] of steps.entries()) {
    if (step.kind === 'add') {
      const down = sim.filter((m) => m.voter && !m.up).map((m) => m.id);
      if (down.length > 0) out.push({ step: i, down });
    }
    sim = apply(sim, step);
  }
  return out;
}

/** One step: the sequence of length one (kept for the single-step callers and their messages). */
export function checkStep(members: Member[], healthy: ReadonlySet<string>, step: PlannedStep, label: string): GuardVerdict {
  return checkSequence(members, healthy, [step], [label]);
}

/** A member to replace: its live ID when it is still in the member list, and a key naming it in the sequence. */
export interface ReplacementTarget {
  liveId?: string;
  key: string;
}

/**
 * The steps of replacing `targets` after removing `staleFirst` (live IDs): every stale member removed, then every
 * target still in the list stopped and removed, then each target added back as a learner (or voter), started and
 * promoted, one at a time. Re-adding only after all removals is what lets two dead members of five be replaced in
 * one run: etcd refuses `member add` while a voter is down.
 */
export function replacementSteps(staleFirst: string[], targets: ReplacementTarget[], learner: boolean): PlannedStep[] {
  const steps: PlannedStep[] = staleFirst.map((id) => ({ kind: 'remove', memberId: id }));
  for (const t of targets) if (t.liveId) steps.push({ kind: 'stop', memberId: t.liveId }, { kind: 'remove', memberId: t.liveId });
  for (const t of targets) {
    const fresh = `new:${t.key}`;
    steps.push({ kind: 'add', learner, memberId: fresh }, { kind: 'start', memberId: fresh });
    if (learner) steps.push({ kind: 'promote', memberId: fresh });
  }
  return steps;
}

function describe(s: QuorumState): string {
  return `voters ${s.voters}, healthy voters ${s.healthyVoters}, quorum ${s.quorum}, fault tolerance ${Math.max(s.faultTolerance, 0)}${s.learners ? `, learners ${s.learners}` : ''}`;
}
