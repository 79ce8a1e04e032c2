// etcd_member and etcd_quorum_guard: tables of live etcd 3.4 answers → the commands run, no-ops, refusals and retries.
import { expect } from 'chai';
import { runModule } from './context.js';
import { ScriptedConnection, type Step } from './fake-connection.js';
import { ALL, E, fail, fixture, ID, ok, VARS } from '../etcd/etcd-script.js';

const LIST = { exec: E('member list -w json'), ...ok(fixture('member-list-3.json')) };
/** Check mode reads the list as a probe, with health's 2 s timeout (a cluster without quorum must not cost 5 s a step). */
const PROBE = E('member list -w json').replace('--command-timeout=5s', '--command-timeout=2s');
const LIST_PROBE = { ...LIST, exec: PROBE };
const HEALTHY = { exec: E('endpoint health -w json', ALL), ...ok(fixture('endpoint-health-3.json')) };
const M3_DOWN = { exec: E('endpoint health -w json', ALL), ...fail('Error: unhealthy cluster', 1, fixture('endpoint-health-3-one-down.json')) };
/** Each member's endpoint says which cluster it is in: the guard counts a member healthy only in this cluster. */
const STATUS = { exec: E('endpoint status -w json', ALL), ...ok(fixture('endpoint-status-3.json')) };
const STATUS_M3_DOWN = { exec: E('endpoint status -w json', ALL), ...fail('Failed to get the status of endpoint http://127.0.0.1:24593', 1, fixture('endpoint-status-3-one-down.json')) };
const UNHEALTHY = fail(fixture('member-add-unhealthy.stderr'));
const ADD_M4 = E('member add m4 --peer-urls=http://127.0.0.1:24694 --learner -w json');

async function run(module: string, steps: Step[], args: Record<string, unknown>, check = false) {
  const conn = new ScriptedConnection(steps);
  const result = await runModule(module, conn, args, { vars: VARS, check });
  expect(conn.unexpected, 'unexpected commands').to.deep.equal([]);
  expect(conn.remaining(), 'steps never reached').to.deep.equal([]);
  return { result, conn };
}

describe('etcd_quorum_guard', () => {
  it('refuses to remove a healthy member when another voter is down, with the arithmetic', async () => {
    const { result } = await run('etcd_quorum_guard', [LIST, M3_DOWN, STATUS_M3_DOWN], { action: 'remove', member: 'm1' });
    expect(result).to.include({ failed: true, abort: true, voters: 3, healthy_voters: 2, quorum: 2 });
    expect(result.msg).to.match(/after removing m1 \(da0c86105c2549da, http:\/\/127.0.0.1:24691\): voters 2, healthy voters 1, quorum 2, fault tolerance 0 → refused: after removing m1 \(da0c86105c2549da, http:\/\/127.0.0.1:24691\), 1 healthy voter\(s\) would be below the quorum of 2/);
  });

  it('allows removing the member that is already down and reports the numbers', async () => {
    const { result } = await run('etcd_quorum_guard', [LIST, M3_DOWN, STATUS_M3_DOWN], { action: 'remove', member: ID.m3 });
    expect(result).to.include({ changed: false, safe: true, healthy_voters: 2 });
    expect(result.failed).to.equal(undefined);
    expect(result.after).to.deep.equal({ voters: 2, healthy_voters: 2, quorum: 2, fault_tolerance: 0 });
  });

  it('refuses to stop a second member of three and finds it by peer URL', async () => {
    const { result } = await run('etcd_quorum_guard', [LIST, M3_DOWN, STATUS_M3_DOWN], { action: 'stop', member: 'http://127.0.0.1:24692' });
    expect(result).to.include({ abort: true });
    expect(result.msg).to.match(/stopping m2/);
  });

  it('says why a member that is not in the list cannot change the quorum', async () => {
    const { result } = await run('etcd_quorum_guard', [LIST, HEALTHY, STATUS], { action: 'remove', member: 'node9' });
    expect(result).to.include({ changed: false, safe: true });
    expect(result.msg).to.match(/node9 is not in the live member list/);
  });
});

describe('etcd_member state=present', () => {
  it('is a no-op naming the member when it is already registered with the same peer URL', async () => {
    const { result } = await run('etcd_member', [LIST], { name: 'm2', peer_urls: ['http://127.0.0.1:24692'] });
    expect(result).to.include({ changed: false, member_id: ID.m2, initial_cluster_state: 'existing' });
    expect(result.msg).to.equal(`member m2 already present (id ${ID.m2})`);
  });

  it('counts an unstarted member with the same peer URL as already added (never adds twice)', async () => {
    const list = { exec: E('member list -w json'), ...ok(fixture('member-list-learner-unstarted.json')) };
    const { result } = await run('etcd_member', [list], { name: 'm4', peer_urls: ['http://127.0.0.1:24694'] });
    expect(result).to.include({ changed: false, member_id: ID.m4, learner: true });
    expect(result.initial_cluster).to.equal('m1=http://127.0.0.1:24691,m2=http://127.0.0.1:24692,m3=http://127.0.0.1:24693,m4=http://127.0.0.1:24694');
  });

  it('refuses a started member of another name on the same peer URL as a stale member', async () => {
    const conn = new ScriptedConnection([LIST]);
    const err = await runModule('etcd_member', conn, { name: 'node3', peer_urls: ['http://127.0.0.1:24693'] }, { vars: VARS }).catch((e) => e);
    expect(err.code).to.equal('E_TASK_FAILED');
    expect(err.message).to.match(/stale member: peer URL http:\/\/127.0.0.1:24693 belongs to started member m3 \(27571c27a0389ac3, http:\/\/127.0.0.1:24693\), not node3/);
    expect(err.hint).to.match(/state=absent id=27571c27a0389ac3/);
    expect(err.details.host).to.equal('node1');
  });

  it('refuses a name registered with another peer URL', async () => {
    const conn = new ScriptedConnection([LIST]);
    const err = await runModule('etcd_member', conn, { name: 'm3', peer_urls: ['http://127.0.0.1:24699'] }, { vars: VARS }).catch((e) => e);
    expect(err.message).to.match(/stale member: name m3 is registered as m3 \(27571c27a0389ac3, http:\/\/127.0.0.1:24693\) with peer URL http:\/\/127.0.0.1:24693/);
  });

  it('retries "unhealthy cluster" refusals and returns the new ID and --initial-cluster', async () => {
    const { result, conn } = await run('etcd_member', [LIST, { exec: ADD_M4, ...UNHEALTHY }, { exec: ADD_M4, ...UNHEALTHY }, { exec: ADD_M4, ...ok(fixture('member-add-learner.json')) }], {
      name: 'm4', peer_urls: ['http://127.0.0.1:24694'], delay: 0, timeout: 30,
    });
    expect(result).to.include({ changed: true, member_id: ID.m4, learner: true, attempts: 3, initial_cluster_state: 'existing' });
    expect(result.initial_cluster).to.equal('m1=http://127.0.0.1:24691,m2=http://127.0.0.1:24692,m3=http://127.0.0.1:24693,m4=http://127.0.0.1:24694');
    expect(conn.execs().filter((c) => c === ADD_M4)).to.have.length(3);
  });

  it('gives up on "unhealthy cluster" at the deadline with a hint', async () => {
    const conn = new ScriptedConnection([LIST, { exec: ADD_M4, ...UNHEALTHY }]);
    const err = await runModule('etcd_member', conn, { name: 'm4', peer_urls: ['http://127.0.0.1:24694'], timeout: 0, delay: 0 }, { vars: VARS }).catch((e) => e);
    expect(err.message).to.match(/member add m4 failed after 1 attempt\(s\): Error: etcdserver: unhealthy cluster/);
    expect(err.hint).to.match(/remove dead members first/);
  });

  it('adds a voter only after the quorum check, and aborts when it would be unsafe', async () => {
    const { result } = await run('etcd_member', [LIST, M3_DOWN, STATUS_M3_DOWN], { name: 'm5', peer_urls: ['http://127.0.0.1:24695'], learner: 'false' });
    expect(result).to.include({ failed: true, abort: true });
    expect(result.msg).to.match(/adding m5 as a voter: voters 4, healthy voters 2, quorum 3, fault tolerance 0 → refused/);
  });

  it('asks the live endpoint for the version when etcd_version is not set', async () => {
    const vars = { ...VARS, etcd_version: undefined };
    const conn = new ScriptedConnection([LIST_PROBE, { exec: E('endpoint status -w json'), ...ok(fixture('endpoint-status-3.json')) }]);
    const result = await runModule('etcd_member', conn, { name: 'm4', peer_urls: ['http://127.0.0.1:24694'] }, { vars, check: true });
    expect(result.commands).to.deep.equal([ADD_M4]);
  });

  it('in check mode prints the add command and runs only read-only queries', async () => {
    const { result, conn } = await run('etcd_member', [LIST_PROBE], { name: 'm4', peer_urls: ['http://127.0.0.1:24694'] }, true);
    expect(result).to.include({ changed: true, learner: true });
    expect(result.commands).to.deep.equal([ADD_M4]);
    expect(conn.execs()).to.deep.equal([PROBE]);
    expect(result.initial_cluster).to.match(/m4=http:\/\/127.0.0.1:24694$/);
  });

  it('in check mode plans the add when the member list cannot be read (quorum lost, a recovery only planned), but fails for real', async () => {
    const noQuorum: Step = { exec: PROBE, ...fail('{"level":"warn","msg":"retrying of unary invoker failed"}\nError: context deadline exceeded', 1) };
    const planned = await run('etcd_member', [noQuorum], { name: 'm4', peer_urls: ['http://127.0.0.1:24694'] }, true);
    expect(planned.result).to.include({ changed: true });
    expect(planned.result.msg).to.match(/^check mode: would make m4 present \(the live member list cannot be read now: .*context deadline exceeded/);
    const conn = new ScriptedConnection([{ ...noQuorum, exec: E('member list -w json') }]);
    const err = await runModule('etcd_member', conn, { name: 'm4', peer_urls: ['http://127.0.0.1:24694'] }, { vars: VARS }).catch((e: Error) => e);
    expect(String(err)).to.match(/context deadline exceeded/);
  });
});

describe('etcd_member state=absent', () => {
  it('removes by live ID after the quorum check', async () => {
    const { result } = await run('etcd_member', [LIST, M3_DOWN, STATUS_M3_DOWN, { exec: E(`member remove ${ID.m3}`), ...ok(fixture('member-remove.stdout')) }], { state: 'absent', name: 'm3' });
    expect(result).to.include({ changed: true, member_id: ID.m3 });
    expect(result.msg).to.match(/removed m3 \(27571c27a0389ac3, http:\/\/127.0.0.1:24693\); before: voters 3/);
  });

  it('is a no-op when the member is already absent', async () => {
    const { result } = await run('etcd_member', [LIST], { state: 'absent', name: 'node9' });
    expect(result).to.include({ changed: false, msg: 'member node9 already absent' });
  });

  it('aborts instead of removing when quorum would be lost', async () => {
    const { result } = await run('etcd_member', [LIST, M3_DOWN, STATUS_M3_DOWN], { state: 'absent', id: ID.m2 });
    expect(result).to.include({ failed: true, abort: true, member_id: ID.m2 });
  });

  it('treats "member not found" during the removal as already done', async () => {
    const { result } = await run('etcd_member', [LIST, HEALTHY, STATUS, { exec: E(`member remove ${ID.m3}`), ...fail(fixture('member-remove-not-found.stderr')) }], { state: 'absent', id: ID.m3 });
    expect(result).to.include({ changed: false });
    expect(result.msg).to.match(/already removed/);
  });
});

describe('etcd_member state=promoted', () => {
  const LEARNER = { exec: E('member list -w json'), ...ok(fixture('member-list-learner-unstarted.json')) };
  const PROMOTE = E(`member promote ${ID.m4}`);

  it('retries until the learner is in sync with the leader', async () => {
    const notInSync = fail(fixture('member-promote-not-in-sync.stderr'));
    const { result } = await run('etcd_member', [LEARNER, { exec: PROMOTE, ...notInSync }, { exec: PROMOTE, ...notInSync }, { exec: PROMOTE, ...ok(fixture('member-promote-ok.stdout')) }], {
      state: 'promoted', name: 'm4', peer_urls: ['http://127.0.0.1:24694'], delay: 0,
    });
    expect(result).to.include({ changed: true, attempts: 3, member_id: ID.m4 });
  });

  it('gives up at once when the learner\'s own client URL stops answering (its etcd is not running), not at the deadline', async () => {
    const notInSync = fail(fixture('member-promote-not-in-sync.stderr'));
    const silent = { exec: E('endpoint status -w json', 'http://127.0.0.1:24594'), ...fail('Failed to get the status of endpoint http://127.0.0.1:24594 (context deadline exceeded)') };
    const vars = { ...VARS, etcd_client_url: 'http://127.0.0.1:24594' };
    const steps = [LEARNER, { exec: PROMOTE, ...notInSync }, silent, { exec: PROMOTE, ...notInSync }, silent, { exec: PROMOTE, ...notInSync }, silent];
    const conn = new ScriptedConnection(steps);
    const t0 = Date.now();
    const err = await runModule('etcd_member', conn, { state: 'promoted', id: ID.m4, timeout: 90, delay: 0 }, { vars }).catch((e) => e);
    expect(Date.now() - t0).to.be.below(5000);
    expect(conn.remaining()).to.deep.equal([]);
    expect(err.message).to.match(/failed after 3 attempt\(s\): .*in sync with leader.*; the learner's client URL http:\/\/127.0.0.1:24594 did not answer 3 probes in a row: its etcd is not running/);
    expect(err.hint).to.match(/start it again/);
  });

  it('fails at the deadline naming the member and what to check', async () => {
    const conn = new ScriptedConnection([LEARNER, { exec: PROMOTE, ...fail(fixture('member-promote-not-in-sync.stderr')) }]);
    const err = await runModule('etcd_member', conn, { state: 'promoted', id: ID.m4, timeout: 0, delay: 0 }, { vars: VARS }).catch((e) => e);
    expect(err.message).to.match(/member promote unstarted member e9ff8ace14ff4d95 .* in sync with leader/);
    expect(err.hint).to.match(/did not catch up within 0s/);
  });

  it('is a no-op when the member is already a voter', async () => {
    const { result } = await run('etcd_member', [LIST], { state: 'promoted', name: 'm2' });
    expect(result).to.include({ changed: false, msg: `member m2 (${ID.m2}, http://127.0.0.1:24692) is already a voter` });
  });
});
