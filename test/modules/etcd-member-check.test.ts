// etcd_member_check: the member list must hold exactly the expected voters and no learner but the allowed ones;
// a learner the forced start left behind (etcd #20893) fails, naming its ID and peer URL and `etcdctl member remove`.
import { expect } from 'chai';
import { runModule } from './context.js';
import { ScriptedConnection } from './fake-connection.js';
import { E, ok, VARS } from '../etcd/etcd-script.js';

const peer = (i: number) => `http://127.0.0.1:2469${i}`;
const vars = {
  ...VARS,
  groups: { etcd: ['node1', 'node2', 'node3'] },
  hostvars: Object.fromEntries([1, 2, 3].map((i) => [`node${i}`, { etcd_name: `node${i}`, etcd_peer_url: peer(i) }])),
};
const HEX = { a: 'da0c86105c2549da', b: '9e0b5faf90bb398a', c: '27571c27a0389ac3' };
/** The same IDs as etcdctl prints them: decimal uint64. */
const DEC = Object.fromEntries(Object.entries(HEX).map(([k, h]) => [k, BigInt(`0x${h}`).toString()])) as typeof HEX;

function list(members: Array<{ id: string; name: string; peer: string; learner?: boolean }>): string {
  const raw = members.map((m) => `{"ID":${m.id},"name":"${m.name}","peerURLs":["${m.peer}"],"clientURLs":["http://127.0.0.1:2459${m.peer.slice(-1)}"]${m.learner ? ',"isLearner":true' : ''}}`);
  return `{"header":{"cluster_id":3204957111581149579,"member_id":${members[0].id},"raft_term":5},"members":[${raw.join(',')}]}`;
}

async function check(stdout: string, args: Record<string, unknown>) {
  const conn = new ScriptedConnection([{ exec: E('member list -w json'), ...ok(stdout) }]);
  const r = await runModule('etcd_member_check', conn, args, { vars });
  expect(conn.unexpected).to.deep.equal([]);
  return r;
}

describe('etcd_member_check', () => {
  it('fails on a learner the forced start left behind, naming its ID and peer URL and the command to remove it', async () => {
    // What etcd before 3.5.25 / 3.6.6 can leave: the survivor, plus the old cluster's learner (here at node3's peer URL).
    const r = await check(list([{ id: DEC.a, name: 'node1', peer: peer(1) }, { id: DEC.c, name: 'node3', peer: peer(3), learner: true }]), { voters: ['node1'], learners: [] });
    expect(r.failed).to.equal(true);
    expect(r.abort).to.equal(undefined);
    expect(r.problems).to.deep.equal([
      `leftover learner ${HEX.c} (peer URL ${peer(3)}, name node3): no step of this run is adding it; remove it with \`etcdctl member remove ${HEX.c}\` on the survivor, then run again`,
    ]);
    expect(r.msg).to.contain(`leftover learner ${HEX.c} (peer URL ${peer(3)}`);
  });

  it('passes with exactly the expected voters and only the learner being added', async () => {
    const r = await check(list([{ id: DEC.a, name: 'node1', peer: peer(1) }, { id: DEC.b, name: 'node2', peer: peer(2), learner: true }]), { voters: ['node1'], learners: ['node2'] });
    expect(r.failed).to.equal(undefined);
    expect(r.problems).to.deep.equal([]);
  });

  it('passes after a full recovery: every inventory member a voter, no learner', async () => {
    const r = await check(list([{ id: DEC.a, name: 'node1', peer: peer(1) }, { id: DEC.b, name: 'node2', peer: peer(2) }, { id: DEC.c, name: 'node3', peer: peer(3) }]), { voters: ['node1', 'node2', 'node3'] });
    expect(r.failed).to.equal(undefined);
    expect(r.msg).to.match(/^member list as expected: 3 voter\(s\), 0 learner/);
  });

  it('names a voter that should not be there, a missing voter and one still a learner', async () => {
    const r = await check(list([{ id: DEC.a, name: 'node1', peer: peer(1) }, { id: DEC.b, name: 'old', peer: 'http://127.0.0.1:24699' }, { id: DEC.c, name: 'node3', peer: peer(3), learner: true }]), { voters: ['node1', 'node2', 'node3'] });
    expect(r.failed).to.equal(true);
    expect(r.problems).to.deep.equal([
      `unexpected voter old (${HEX.b}, http://127.0.0.1:24699): remove it with \`etcdctl member remove ${HEX.b}\` if it is stale, then run again`,
      `node2 (peer URL ${peer(2)}) is not in the member list`,
      `node3 (${HEX.c}, peer URL ${peer(3)}) is still a learner, not a voter: promote it (etcd_member state=promoted) or run again`,
    ]);
  });

  it('refuses hosts that are not in the inventory before asking etcd', async () => {
    const conn = new ScriptedConnection([]);
    const r = await runModule('etcd_member_check', conn, { voters: ['node9'] }, { vars });
    expect(r).to.include({ failed: true });
    expect(r.msg).to.equal('etcd_member_check: node9 is not a host of the inventory');
  });
});
