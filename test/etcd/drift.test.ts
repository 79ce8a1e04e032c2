// Inventory against live members by peer URL: a dead member sharing a live node's name is stale, whichever ID sorts first.
import { expect } from 'chai';
import { driftOf, matchInventory, staleMembers } from '../../engine/etcd/drift.js';
import type { Member } from '../../engine/etcd/members.js';

const peer = (n: number) => `https://10.0.0.${n}:2380`;
const m = (id: string, name: string, n: number, over: Partial<Member> = {}): Member => ({ id, name, peerURLs: [peer(n)], clientURLs: [`https://10.0.0.${n}:2379`], isLearner: false, started: true, ...over });
const inventory = [1, 2, 3].map((n) => ({ host: `node${n}`, name: `node${n}`, peer: peer(n) }));

describe('etcd inventory drift', () => {
  for (const [order, ghostId] of [['before', '0000000000000001'], ['after', 'ffffffffffffffff']] as const) {
    it(`takes a dead member named like a live node (its ID sorting ${order} the live one's) as stale, not as a peer-URL mismatch`, () => {
      const live = [m('1000000000000001', 'node1', 1), m('2000000000000002', 'node2', 2), m('3000000000000003', 'node3', 3)];
      const ghost = m(ghostId, 'node2', 99);
      const members = order === 'before' ? [ghost, ...live] : [...live, ghost];
      expect(matchInventory(inventory, members).get('node2')?.id).to.equal('2000000000000002');
      expect(staleMembers(inventory, members).map((x) => x.id)).to.deep.equal([ghostId]);
      const d = driftOf(inventory, members);
      expect(d.peer_url_mismatch).to.deep.equal([]);
      expect(d.stale).to.deep.equal([`node2 (${ghostId}, ${peer(99)})`]);
      expect(d.missing).to.deep.equal([]);
    });
  }

  it('reports a wrong inventory peer URL as a mismatch when the live member of that name is unclaimed', () => {
    const members = [m('a1', 'node1', 1), m('a2', 'node2', 22), m('a3', 'node3', 3)];
    const d = driftOf(inventory, members);
    expect(d.peer_url_mismatch).to.deep.equal([{ name: 'node2', inventory: peer(2), live: [peer(22)] }]);
    expect(d.stale).to.deep.equal([]);
    expect(d.missing).to.deep.equal([]);
  });

  it('counts an unstarted member whose peer URL is no inventory host\'s as stale, and one on a host\'s peer URL as that host\'s', () => {
    const members = [m('a1', 'node1', 1), m('a2', 'node2', 2), m('a3', '', 3, { started: false, clientURLs: [] }), m('a9', '', 9, { started: false, clientURLs: [] })];
    expect(matchInventory(inventory, members).get('node3')?.id).to.equal('a3');
    expect(staleMembers(inventory, members).map((x) => x.id)).to.deep.equal(['a9']);
    expect(driftOf(inventory, members).unstarted).to.have.length(2);
  });
});
