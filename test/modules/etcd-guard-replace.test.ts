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

  describe('another voter down when the replacement adds its member (etcd refused that until 3.5.30 / 3.6.11)', () => {
    const G2 = { id: '000000000000162e', peer: 'http://127.0.0.1:24698', client: 'http://127.0.0.1:24598' };
    /** m1..m3 healthy, two dead voters: GHOST (the target) and G2 (stays down while the target is re-added). */
    const list5 = list4('m4').replace(/\]\}$/, `,{"ID":5678,"name":"m5","peerURLs":["${G2.peer}"],"clientURLs":["${G2.client}"]}]}`);
    const ALL5 = `${ALL4},${G2.client}`;
    const health5 = JSON.stringify([...JSON.parse(health4), { endpoint: G2.client, health: false, took: '2s', error: 'context deadline exceeded' }]);
    const steps5 = (version: string): Step[] => [
      { exec: E('member list -w json'), ...ok(list5) },
      { exec: E('endpoint health -w json', ALL5), ...fail('Error: unhealthy cluster', 1, health5) },
      { exec: E('endpoint status -w json', ALL5), ...fail(`Failed to get the status of endpoint ${GHOST.client}`, 1, fixture('endpoint-status-3.json').replace(/"version":"3\.4\.23"/g, `"version":"${version}"`)) },
    ];

    for (const version of ['3.4.23', '3.5.29', '3.6.10']) {
      it(`refuses on ${version} before any change, naming the down voter and the releases that allow it`, async () => {
        const r = await guard(steps5(version), { member: GHOST.peer });
        expect(r).to.include({ failed: true, abort: true, safe: false });
        expect(r.msg).to.contain(`etcd ${version} (the oldest running member) refuses \`member add\` while a voter is down`);
        expect(r.msg).to.contain(`m5 (${G2.id}, ${G2.peer}) would be down when adding ${GHOST.peer} as a learner`);
        expect(r.msg).to.contain('allowed from 3.5.30 / 3.6.11 and 3.7').and.contain('nothing was changed');
      });
    }

    for (const version of ['3.5.30', '3.6.11', '3.6.16', '3.7.3']) {
      it(`lets ${version} add with the voter down (quorum holds in every state)`, async () => {
        const r = await guard(steps5(version), { member: GHOST.peer });
        expect(r.failed, String(r.msg)).to.equal(undefined);
        expect(r).to.include({ safe: true, voters: 5, healthy_voters: 3 });
      });
    }

    it('passes on 3.4 when the down voter is replaced in the same run (both removed before either is added)', async () => {
      const r = await guard(steps5('3.4.23'), { members: [GHOST.peer, G2.peer] });
      expect(r.failed, String(r.msg)).to.equal(undefined);
      expect(r.safe).to.equal(true);
    });
  });
});
