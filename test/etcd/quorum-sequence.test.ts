// The guard judges every state a sequence passes through: a property test against an independent count, and the
// runbook-004 trap where only the state between "stop" and "remove" is below quorum.
import { expect } from 'chai';
import type { Member } from '../../engine/etcd/members.js';
import { checkSequence, replacementSteps, type PlannedStep } from '../../engine/etcd/quorum.js';

const m = (id: string, over: Partial<Member> = {}): Member => ({ id, name: id, peerURLs: [`https://${id}:2380`], clientURLs: [`https://${id}:2379`], isLearner: false, started: true, ...over });

/** A small deterministic PRNG (mulberry32), so a failure names a seed that reproduces it. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The oracle, written independently: a majority means 2 × up voters > voters. */
function oracleSafe(members: Member[], healthy: Set<string>, steps: PlannedStep[]): boolean {
  const state = new Map(members.map((x) => [x.id, { vote: !x.isLearner, up: x.started && healthy.has(x.id) }]));
  for (const s of steps) {
    const id = s.memberId ?? `anon${state.size}`;
    if (s.kind === 'add') state.set(id, { vote: !s.learner, up: false });
    else if (s.kind === 'remove') state.delete(id);
    else if (state.has(id)) {
      const cur = state.get(id)!;
      state.set(id, s.kind === 'stop' ? { ...cur, up: false } : s.kind === 'start' ? { ...cur, up: true } : { ...cur, vote: true });
    }
    const votes = [...state.values()].filter((x) => x.vote);
    if (votes.length === 0 || 2 * votes.filter((x) => x.up).length <= votes.length) return false;
  }
  return true;
}

describe('etcd quorum guard over sequences', () => {
  it('refuses exactly the random sequences that pass through a state below quorum (2000 cases)', () => {
    let refused = 0;
    for (let seed = 1; seed <= 2000; seed++) {
      const r = rng(seed);
      const n = 1 + Math.floor(r() * 6);
      const members = Array.from({ length: n }, (_, i) => m(`m${i}`, { isLearner: r() < 0.15, started: r() < 0.9 }));
      const healthy = new Set(members.filter(() => r() < 0.75).map((x) => x.id));
      const ids = members.map((x) => x.id);
      const kinds = ['stop', 'start', 'remove', 'add', 'promote'] as const;
      const steps: PlannedStep[] = Array.from({ length: 1 + Math.floor(r() * 6) }, () => {
        const kind = kinds[Math.floor(r() * kinds.length)];
        // Added members get fresh IDs (etcd assigns them); later steps may touch them, or IDs already removed.
        if (kind === 'add') {
          ids.push(`new${ids.length}`);
          return { kind, learner: r() < 0.5, memberId: ids[ids.length - 1] };
        }
        return { kind, memberId: ids[Math.floor(r() * ids.length)] };
      });
      const verdict = checkSequence(members, healthy, steps, steps.map((s) => s.kind));
      expect(verdict.safe, `seed ${seed}: ${verdict.explanation}`).to.equal(oracleSafe(members, healthy, steps));
      if (!verdict.safe) {
        refused++;
        expect(verdict.states.at(-1)!.safe, `seed ${seed}: the last evaluated state is the unsafe one`).to.equal(false);
      }
    }
    // Both outcomes must be well represented, or the property says little.
    expect(refused).to.be.within(300, 1700);
  });

  it('refuses a replacement of a healthy member while a dead extra voter holds the quorum up (runbook 004), at the stop', () => {
    // node1..node3 healthy, ghost dead: 4 voters, quorum 3. Stopping node2 leaves 2 healthy of 4 voters.
    const members = [m('node1'), m('node2'), m('node3'), m('ghost')];
    const healthy = new Set(['node1', 'node2', 'node3']);
    const steps = replacementSteps([], [{ liveId: 'node2', key: 'node2' }], true);
    const v = checkSequence(members, healthy, steps, steps.map((s) => `${s.kind} ${s.memberId}`));
    expect(v.safe).to.equal(false);
    expect(v.states).to.have.length(1);
    expect(v.explanation).to.contain('after stop node2: voters 4, healthy voters 2, quorum 3').and.contain('refused');
    // The old single-step arithmetic (remove = voters − 1) called this safe: voters 3, healthy 2, quorum 2.
    const removeOnly = checkSequence(members, healthy, [{ kind: 'remove', memberId: 'node2' }], ['remove node2']);
    expect(removeOnly.safe).to.equal(true);
  });

  it('allows the same replacement once the dead member is removed first, through every state', () => {
    const members = [m('node1'), m('node2'), m('node3'), m('ghost')];
    const steps = replacementSteps(['ghost'], [{ liveId: 'node2', key: 'node2' }], true);
    expect(steps.map((s) => s.kind)).to.deep.equal(['remove', 'stop', 'remove', 'add', 'start', 'promote']);
    const v = checkSequence(members, new Set(['node1', 'node2', 'node3']), steps, steps.map((s) => s.kind));
    expect(v.safe, v.explanation).to.equal(true);
    expect(v.states.map((s) => `${s.state.voters}/${s.state.healthyVoters}`)).to.deep.equal(['3/3', '3/2', '2/2', '2/2', '2/2', '3/3']);
  });

  it('replaces two dead members of five by removing both before re-adding either', () => {
    const members = ['a', 'b', 'c', 'd', 'e'].map((x) => m(x));
    const steps = replacementSteps([], [{ liveId: 'd', key: 'd' }, { liveId: 'e', key: 'e' }], true);
    expect(steps.map((s) => s.kind)).to.deep.equal(['stop', 'remove', 'stop', 'remove', 'add', 'start', 'promote', 'add', 'start', 'promote']);
    const v = checkSequence(members, new Set(['a', 'b', 'c']), steps, steps.map((s) => s.kind));
    expect(v.safe, v.explanation).to.equal(true);
    expect(v.after).to.include({ voters: 5, healthyVoters: 5 });
  });

  it('refuses to replace two healthy members of three at once: the second stop leaves one healthy of two voters', () => {
    const members = ['a', 'b', 'c'].map((x) => m(x));
    const steps = replacementSteps([], [{ liveId: 'b', key: 'b' }, { liveId: 'c', key: 'c' }], true);
    const v = checkSequence(members, new Set(['a', 'b', 'c']), steps, steps.map((s) => `${s.kind} ${s.memberId}`));
    expect(v.safe).to.equal(false);
    expect(v.explanation).to.contain('after stop c: voters 2, healthy voters 1, quorum 2');
  });
});
