// etcd_quorum_guard action=replace: the whole replacement judged state by state, on etcd 3.4's real answers plus a dead extra voter.
import { expect } from 'chai';
import { runModule } from './context.js';
import { ScriptedConnection, type Step } from './fake-connection.js';
import { ALL, E, fail, fixture, ID, ok, VARS } from '../etcd/etcd-script.js';

const GHOST = { id: '00000000000004d2', peer: 'http://127.0.0.1:24699', client: 'http://127.0.0.1:24599' };
/** The captured 3-member list plus a dead member left by an earlier replacement, named like a live one. */
const list4 = (ghostName: string) => fixture('member-list-3.json').trim().replace(/\]\}$/, `,{"ID":1234,"name":"${ghostName}","peerURLs":["${GHOST.peer}"],"clientURLs":["${GHOST.client}"]}]}`);
const ALL4 = `${ALL},${GHOST.client}`;
const health4 = JSON.stringify([...JSON.parse(fixture('endpoint-health-3.json')), { endpoint: GHOST.client, health: false, took: '2s', error: 'context deadline exceeded' }]);

const steps4 = (ghostName: string): Step[] => [
  { exec: E('member list -w json'), ...ok(list4(ghostName)) },
  { exec: E('endpoint health -w json', ALL4), ...fail('Error: unhealthy cluster', 1, health4) },
  { exec: E('endpoint status -w json', ALL4), ...fail(`Failed to get the status of endpoint ${GHOST.client}`, 1, fixture('endpoint-status-3.json')) },
];

async function guard(steps: Step[], args: Record<string, unknown>) {
  const conn = new ScriptedConnection(steps);
  const result = await runModule('etcd_quorum_guard', conn, { action: 'replace', ...args }, { vars: VARS });
  expect(conn.unexpected, 'unexpected commands').to.deep.equal([]);
  expect(conn.remaining(), 'steps never reached').to.deep.equal([]);
  return result;
}

describe('etcd_quorum_guard action=replace', () => {
  it('refuses before any change when stopping the target would leave 2 healthy of 4 voters (stale member kept)', async () => {
    const r = await guard(steps4('m2'), { member: 'http://127.0.0.1:24692' });
    expect(r).to.include({ failed: true, abort: true, voters: 4, healthy_voters: 3, quorum: 3 });
    expect(r.msg).to.contain('1. after stopping m2 (9e0b5faf90bb398a, http://127.0.0.1:24692): voters 4, healthy voters 2, quorum 3');
    expect(r.msg).to.contain('refused: after stopping m2');
    expect((r.states as unknown[]).length).to.equal(1);
  });

  it('passes when the stale member is removed first, listing every state through the promotion', async () => {
    const r = await guard(steps4('m2'), { member: 'http://127.0.0.1:24692', remove_first: [GHOST.id] });
    expect(r.failed).to.equal(undefined);
    expect(r.safe).to.equal(true);
    const states = r.states as Array<{ step: string; voters: number; healthy_voters: number; safe: boolean }>;
    expect(states.map((s) => s.step)).to.deep.equal([
      `removing m2 (${GHOST.id}, ${GHOST.peer})`,
      `stopping m2 (${ID.m2}, http://127.0.0.1:24692)`,
      `removing m2 (${ID.m2}, http://127.0.0.1:24692)`,
      'adding http://127.0.0.1:24692 as a learner',
      'starting http://127.0.0.1:24692',
      'promoting http://127.0.0.1:24692',
    ]);
    expect(states.map((s) => `${s.voters}/${s.healthy_voters}`)).to.deep.equal(['3/3', '3/2', '2/2', '2/2', '2/2', '3/3']);
  });

  it('refuses a target named by a name two members carry, asking for the ID or peer URL', async () => {
    const conn = new ScriptedConnection(steps4('m2'));
    const err = await runModule('etcd_quorum_guard', conn, { action: 'replace', member: 'm2' }, { vars: VARS }).catch((e) => e);
    expect(err.message).to.match(/the name m2 is carried by 2 members: m2 \(9e0b5faf90bb398a, http:\/\/127.0.0.1:24692\), m2 \(00000000000004d2/);
    expect(err.hint).to.match(/hex ID or peer URL/);
  });

  it('does not count a member whose endpoint answers for another cluster as healthy (runbook 003 split)', async () => {
    const split = fixture('endpoint-status-3.json').replace(/"cluster_id":3204957111581149579,"member_id":2834765446970383043/, '"cluster_id":9204957111581149579,"member_id":2834765446970383043');
    const r = await guard([
      { exec: E('member list -w json'), ...ok(fixture('member-list-3.json')) },
      { exec: E('endpoint health -w json', ALL), ...ok(fixture('endpoint-health-3.json')) },
      { exec: E('endpoint status -w json', ALL), ...ok(split) },
    ], { member: 'http://127.0.0.1:24692' });
    // m3 answers healthy, but in its own cluster: with it, stopping m2 leaves m1 alone of 3 voters.
    expect(r).to.include({ failed: true, abort: true, healthy_voters: 2 });
    expect(r.foreign).to.deep.equal([{ id: ID.m3, name: 'm3', peer_urls: ['http://127.0.0.1:24693'], cluster_id: '7fbe93b91880098b' }]);
  });
});
