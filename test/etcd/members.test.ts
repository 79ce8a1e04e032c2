// Parsing etcd's member list without losing uint64 precision, and finding members.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { findMember, initialCluster, parseMemberList } from '../../engine/etcd/members.js';
import { toHexId } from '../../engine/etcd/json.js';

const fixture = (f: string) => readFileSync(new URL(`../../../test/fixtures/etcd/${f}`, import.meta.url), 'utf8');

describe('etcd member list', () => {
  const list = parseMemberList(fixture('member-list-learner.json'));

  it('keeps uint64 member IDs exact, as the hex etcdctl prints in its table', () => {
    // etcdctl -w table printed these for the same cluster: ab47d322cf118259, bb7d371eb677b2bf, e285923851f2723f
    expect(list.members.map((m) => m.id)).to.deep.equal(['ab47d322cf118259', 'bb7d371eb677b2bf', 'e285923851f2723f']);
    expect(list.clusterId).to.equal(toHexId('10510667874374234473'));
  });

  it('marks a learner that never started as unstarted with no name', () => {
    const learner = list.members[0];
    expect(learner).to.include({ name: '', isLearner: true, started: false });
    expect(list.members[1]).to.include({ name: 'a', isLearner: false, started: true });
  });

  it('finds a member by name, hex ID or peer URL', () => {
    expect(findMember(list.members, { name: 'b' })?.id).to.equal('e285923851f2723f');
    expect(findMember(list.members, { id: 'BB7D371EB677B2BF' })?.name).to.equal('a');
    expect(findMember(list.members, { peerURL: 'http://127.0.0.1:23803' })?.isLearner).to.equal(true);
    expect(findMember(list.members, { name: 'zz' })).to.equal(undefined);
  });

  it('builds a sorted --initial-cluster from named members', () => {
    expect(initialCluster(list.members.filter((m) => m.name))).to.equal('a=http://127.0.0.1:23801,b=http://127.0.0.1:23802');
  });

  it('converts decimal IDs to 16-digit hex and leaves hex IDs alone', () => {
    expect(toHexId('12342065450288513625')).to.equal('ab47d322cf118259');
    expect(toHexId('ab47d322cf118259')).to.equal('ab47d322cf118259');
    expect(toHexId(5)).to.equal('0000000000000005');
  });
});
