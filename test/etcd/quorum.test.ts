// The quorum arithmetic the guard decides on.
import { expect } from 'chai';
import type { Member } from '../../engine/etcd/members.js';
import { checkStep, quorumOf, quorumState } from '../../engine/etcd/quorum.js';

const m = (id: string, over: Partial<Member> = {}): Member => ({ id, name: id, peerURLs: [`https://${id}:2380`], clientURLs: [`https://${id}:2379`], isLearner: false, started: true, ...over });
const three = [m('a'), m('b'), m('c')];

describe('etcd quorum', () => {
  it('computes quorum as a strict majority of voters', () => {
    expect([1, 2, 3, 4, 5].map(quorumOf)).to.deep.equal([1, 2, 2, 3, 3]);
  });

  it('counts only started, healthy voters and ignores learners', () => {
    const s = quorumState([...three, m('l', { isLearner: true })], new Set(['a', 'b', 'l']));
    expect(s).to.deep.equal({ voters: 3, learners: 1, healthyVoters: 2, quorum: 2, faultTolerance: 0 });
  });

  it('refuses to remove a second started member when one of three is already down', () => {
    const v = checkStep(three, new Set(['a', 'b']), { kind: 'remove', memberId: 'b' }, 'removing b');
    expect(v.safe).to.equal(false);
    expect(v.explanation).to.contain('voters 3, healthy voters 2, quorum 2').and.contain('refused');
  });

  it('allows removing the dead member of three (quorum shrinks with it)', () => {
    const v = checkStep(three, new Set(['a', 'b']), { kind: 'remove', memberId: 'c' }, 'removing c');
    expect(v.safe).to.equal(true);
    expect(v.after).to.include({ voters: 2, healthyVoters: 2, quorum: 2 });
  });

  it('refuses to stop a member when that would leave healthy voters below quorum', () => {
    expect(checkStep(three, new Set(['a', 'b']), { kind: 'stop', memberId: 'a' }, 'stopping a').safe).to.equal(false);
    expect(checkStep(three, new Set(['a', 'b', 'c']), { kind: 'stop', memberId: 'a' }, 'stopping a').safe).to.equal(true);
  });

  it('treats adding a voter as raising the quorum before the new member is up', () => {
    // 2 voters, both healthy: adding a third voter makes quorum 2 with 2 healthy → safe;
    // 3 voters with 2 healthy: adding a 4th makes quorum 3 with 2 healthy → refused.
    expect(checkStep([m('a'), m('b')], new Set(['a', 'b']), { kind: 'add', learner: false }, 'adding c').safe).to.equal(true);
    expect(checkStep(three, new Set(['a', 'b']), { kind: 'add', learner: false }, 'adding d').safe).to.equal(false);
    expect(checkStep(three, new Set(['a', 'b']), { kind: 'add', learner: true }, 'adding learner d').safe).to.equal(true);
  });
});
