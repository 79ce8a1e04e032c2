// etcd_quorum_guard action=recover: refuses while quorum holds, otherwise names the survivor with the highest raft index.
import { expect } from 'chai';
import { runModule } from './context.js';
import { ScriptedConnection, type Step } from './fake-connection.js';
import { E, fail, ok, VARS } from '../etcd/etcd-script.js';

const URLS = ['http://127.0.0.1:24591', 'http://127.0.0.1:24592', 'http://127.0.0.1:24593'];
const vars = {
  ...VARS,
  groups: { etcd: ['node1', 'node2', 'node3'] },
  hostvars: Object.fromEntries(URLS.map((u, i) => [`node${i + 1}`, { etcd_name: `m${i + 1}`, etcd_client_url: u }])),
};

/** `endpoint status -w json` as etcd 3.4 prints it (shape of fixtures/etcd/endpoint-status-3.json) for the members that answer. */
function status(rows: Array<{ url: string; index: number; leader?: number }>): string {
  return JSON.stringify(rows.map((r, i) => ({
    Endpoint: r.url,
    Status: { header: { cluster_id: 3204957111581149579, member_id: 100 + i, revision: 5, raft_term: 3 }, version: '3.4.23', dbSize: 28672, leader: r.leader ?? 0, raftIndex: r.index, raftTerm: 3, raftAppliedIndex: r.index },
  }))).replace(/"(cluster_id|member_id|leader)":(\d+)/g, '"$1":$2');
}
const health = (up: boolean[]) => JSON.stringify(URLS.map((u, i) => ({ endpoint: u, health: up[i], took: '1ms', ...(up[i] ? {} : { error: 'context deadline exceeded' }) })));

const STATUS = (stdout: string, code = 0): Step => ({ exec: E('endpoint status -w json', URLS.join(',')), reply: { code, stdout, stderr: code ? 'Error: context deadline exceeded' : '' } });
const HEALTH = (up: boolean[]): Step => ({ exec: E('endpoint health -w json', URLS.join(',')), ...(up.every(Boolean) ? ok(health(up)) : fail('Error: unhealthy cluster', 1, health(up))) });

async function run(steps: Step[], args: Record<string, unknown> = {}) {
  const conn = new ScriptedConnection(steps);
  const result = await runModule('etcd_quorum_guard', conn, { action: 'recover', ...args }, { vars });
  expect(conn.unexpected, 'unexpected commands').to.deep.equal([]);
  expect(conn.remaining(), 'steps never reached').to.deep.equal([]);
  return result;
}

describe('etcd_quorum_guard action=recover', () => {
  it('picks the answering member with the highest raft index when a majority is lost, and prints the evidence', async () => {
    const r = await run([STATUS(status([{ url: URLS[0], index: 40 }, { url: URLS[2], index: 57 }]), 1), HEALTH([false, false, false])]);
    expect(r.failed).to.equal(undefined);
    expect(r).to.include({ quorum_lost: true, survivor: 'node3', survivor_name: 'm3', survivor_raft_index: 57 });
    const evidence = r.evidence as string[];
    expect(evidence[0]).to.match(/^m1 \(node1\): raft index 40, term 3, revision 5, leader none/);
    expect(evidence[1]).to.equal('m2 (node2): does not answer at http://127.0.0.1:24592');
    expect(evidence).to.include('0 of 3 member(s) healthy, quorum 2: quorum is LOST');
    expect(r.msg).to.match(/survivor: m3 \(node3\), raft index 57, the highest/);
  });

  it('refuses (abort, exit code 8) while a majority is still healthy', async () => {
    const r = await run([STATUS(status([{ url: URLS[0], index: 40, leader: 100 }, { url: URLS[1], index: 40, leader: 100 }]), 1), HEALTH([true, true, false])]);
    expect(r).to.include({ failed: true, abort: true, quorum_lost: false });
    expect(r.msg).to.match(/quorum is intact, refusing to force a new cluster[\s\S]*2 of 3 member\(s\) healthy, quorum 2[\s\S]*replace-member\.yml/);
  });

  it('honours an operator-chosen survivor among the members that answer', async () => {
    const r = await run([STATUS(status([{ url: URLS[0], index: 40 }, { url: URLS[2], index: 57 }]), 1), HEALTH([false, false, false])], { survivor: 'node1' });
    expect(r).to.include({ survivor: 'node1' });
    expect(r.msg).to.match(/chosen by the operator/);
  });

  it('fails without touching anything when no member answers at all', async () => {
    const r = await run([STATUS('', 1), HEALTH([false, false, false])]);
    expect(r).to.include({ failed: true, quorum_lost: true });
    expect(r.abort).to.equal(undefined);
    expect(r.msg).to.match(/no usable survivor: no member answers endpoint status[\s\S]*snapshot-restore\.yml/);
  });

  it('refuses a survivor that is not in the inventory group before asking etcd', async () => {
    const conn = new ScriptedConnection([STATUS('', 1), HEALTH([false, false, false])]);
    const r = await runModule('etcd_quorum_guard', conn, { action: 'recover', survivor: 'node9' }, { vars });
    expect(r).to.include({ failed: true });
    expect(r.msg).to.match(/survivor node9 is not a member of the inventory group etcd \(node1, node2, node3\)/);
  });

  it('resumes an interrupted recovery: the survivor already leads a smaller cluster, so nothing is forced again', async () => {
    // node1 alone is a working one-member cluster (an earlier run forced it); node2 joined as a learner; node3 is gone.
    const live = JSON.stringify({
      header: { cluster_id: 1, member_id: 100, raft_term: 4 },
      members: [
        { ID: 100, name: 'm1', peerURLs: ['http://127.0.0.1:24691'], clientURLs: [URLS[0]] },
        { ID: 101, name: 'm2', peerURLs: ['http://127.0.0.1:24692'], clientURLs: [URLS[1]], isLearner: true },
      ],
    });
    const r = await run([
      STATUS(status([{ url: URLS[0], index: 80, leader: 100 }, { url: URLS[1], index: 80, leader: 100 }]), 1),
      HEALTH([true, false, false]),
      { exec: E('member list -w json', URLS[0]), ...ok(live) },
    ]);
    expect(r.failed).to.equal(undefined);
    expect(r).to.include({ resume: true, quorum_lost: false, survivor: 'node1' });
    expect(r.fence).to.deep.equal(['node3']);
    expect(r.readd).to.deep.equal(['node2', 'node3']);
    expect(r.msg).to.match(/already runs with quorum on m1 .*nothing is forced again; re-adding node2, node3/);
  });

  it('does not resume when the healthy-looking member cannot list members (no quorum anywhere)', async () => {
    const r = await run([
      STATUS(status([{ url: URLS[0], index: 80 }]), 1),
      HEALTH([true, false, false]),
      { exec: E('member list -w json', URLS[0]), ...fail('Error: context deadline exceeded') },
    ]);
    expect(r).to.include({ resume: false, survivor: 'node1' });
    expect(r.fence).to.deep.equal(['node2', 'node3']);
  });
});
