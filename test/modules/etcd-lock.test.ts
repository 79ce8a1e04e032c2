// etcd_lock: acquire, refuse naming the holder, --break-lock, races, renewal, release (task and run end), files backend.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import type { ModuleResult } from '../../engine/modules/define.js';
import { moduleNamed, testContext, type TestContextOptions } from './context.js';
import { ScriptedConnection, type Step } from './fake-connection.js';
import { E, fail, ok, VARS } from '../etcd/etcd-script.js';

const KEY = '/ringmaster/lock';
const FILE = '/var/lib/etcd.ringmaster-lock';
const LEASE = '694d77aa9e38260f';
const HEADER = '"header":{"cluster_id":15118495548433857066,"member_id":13668033151171901709,"revision":7,"raft_term":2}';
const other = { run_id: '20260102T030405000Z-abcdef', user: 'alice', host: 'ctl1', playbook: '/opt/rm/playbooks/replace-member.yml', started: '2026-01-02T03:04:05.000Z', pid: 4242, backend: 'etcd', ttl_s: 30, lease: '1111' };
const b64 = (s: string) => Buffer.from(s).toString('base64');
const LEASE_DEC = BigInt(`0x${LEASE}`).toString(10); // etcdctl's JSON prints leases as decimal uint64
const kvJson = (value: string, lease = LEASE_DEC) => `{${HEADER},"kvs":[{"key":"${b64(KEY)}","create_revision":6,"mod_revision":6,"version":1,"value":"${b64(value)}","lease":${lease}}],"count":1}`;

const GET_FREE: Step = { exec: E(`get ${KEY} -w json`), ...ok(`{${HEADER}}`) };
const GET_HELD = (value = JSON.stringify(other), lease?: string): Step => ({ exec: E(`get ${KEY} -w json`), ...ok(kvJson(value, lease)) });
const GRANT: Step = { exec: E('lease grant 30'), ...ok(`lease ${LEASE} granted with TTL(30s)\n`) };
const TXN_OK: Step = { exec: E('txn -w json'), ...ok(`{${HEADER},"succeeded":true,"responses":[{"Response":{"ResponsePut":{"header":{"revision":8}}}}]}`) };
const TXN_LOST_JSON = `{${HEADER},"responses":[{"Response":{"ResponseRange":{"header":{"revision":8},"kvs":[{"key":"${b64(KEY)}","create_revision":8,"mod_revision":8,"version":1,"value":"${b64(JSON.stringify(other))}","lease":7587869315470931471}],"count":1}}}]}`;
const TXN_LOST: Step = { exec: E('txn -w json'), ...ok(TXN_LOST_JSON) };
/** etcdctl 3.6's JSON names the oneof field in snake case (golang protobuf), as a 3.6.16 txn printed it. */
const TXN_LOST_36: Step = { exec: E('txn -w json'), ...ok(TXN_LOST_JSON.replace('"ResponseRange"', '"response_range"')) };
const REVOKE: Step = { exec: E(`lease revoke ${LEASE}`), ...ok(`lease ${LEASE} revoked\n`) };
const READ_FILE = /^sh -c .*present.* sh \/var\/lib\/etcd\.ringmaster-lock$/;
const FILE_ABSENT: Step = { exec: READ_FILE, ...ok('absent\n') };
const FILE_HELD = (record: object, ageS: number): Step => ({ exec: READ_FILE, ...ok(`present 1000 ${1000 + ageS}\n${JSON.stringify(record)}\n`) });
const CREATE: Step = { exec: /^sh -c 'set -C; umask 077; cat > "\$1"' sh \/var\/lib\/etcd\.ringmaster-lock$/ };
const RELEASE_FILE: Step = { exec: /^sh -c 'if grep -qF .* sh \/var\/lib\/etcd\.ringmaster-lock '"run_id":"test-run"'$/, ...ok('removed\n') };
const QUIET_GET = E(`get ${KEY} -w json`, undefined, '3s');

async function lock(steps: Step[], args: Record<string, unknown> = {}, o: TestContextOptions = {}) {
  const conn = new ScriptedConnection(steps);
  const ctx = testContext(conn, { vars: VARS, ...o });
  const result: ModuleResult = await moduleNamed('etcd_lock').run(ctx, args);
  return { result, conn, ctx };
}

function done(conn: ScriptedConnection): void {
  expect(conn.unexpected).to.deep.equal([]);
  expect(conn.remaining()).to.deep.equal([]);
}

describe('etcd_lock (etcd backend)', () => {
  it('talks only to the endpoints of the majority\'s cluster, so a lease granted by a split member cannot be lost', async () => {
    const A = 'http://127.0.0.1:24591', B = 'http://127.0.0.1:24592', C = 'http://127.0.0.1:24593';
    const row = (url: string, cluster: string) => `{"Endpoint":"${url}","Status":{"header":{"cluster_id":${cluster},"member_id":1,"revision":5,"raft_term":3},"version":"3.4.23","dbSize":1,"leader":1,"raftIndex":9,"raftTerm":3}}`;
    const status: Step = { exec: E('endpoint status -w json', `${A},${B},${C}`), ...ok(`[${row(A, '111')},${row(B, '111')},${row(C, '999')}]`) };
    const two = `${A},${B}`;
    const { result, conn, ctx } = await lock([
      status,
      { exec: E(`get ${KEY} -w json`, two), ...ok(`{${HEADER}}`) },
      { exec: E('lease grant 30', two), ...ok(`lease ${LEASE} granted with TTL(30s)\n`) },
      { exec: E('txn -w json', two), ...TXN_OK.reply ? { reply: TXN_OK.reply } : {} },
      FILE_ABSENT,
      { exec: E(`lease revoke ${LEASE}`, two), ...ok(`lease ${LEASE} revoked\n`) },
    ], { endpoints: [A, B, C] });
    expect(result.failed, String(result.msg)).to.equal(undefined);
    await ctx.endRun(); // released with the same two endpoints
    done(conn);
  });

  it('creates the key only if absent, on a lease, with the holder record, and revokes the lease at the end of the run', async () => {
    const { result, conn, ctx } = await lock([GET_FREE, GRANT, TXN_OK, FILE_ABSENT, REVOKE]);
    expect(result).to.include({ changed: false, lease: LEASE, key: KEY }); // gone again when the run ends
    expect(result.failed).to.equal(undefined);
    const txn = conn.calls.find((c) => c.text === E('txn -w json'))!;
    const lines = txn.stdin!.split('\n');
    expect(lines[0]).to.equal(`create("${KEY}") = "0"`);
    expect(lines[1]).to.equal('');
    const put = /^put --lease=694d77aa9e38260f \/ringmaster\/lock (".*")$/.exec(lines[2]);
    expect(put, lines[2]).to.not.equal(null);
    const record = JSON.parse(JSON.parse(put![1]) as string) as Record<string, unknown>;
    expect(record).to.include({ run_id: 'test-run', host: hostname(), playbook: '/mem/site.yml', started: '2026-01-02T03:04:05.000Z', pid: process.pid, lease: LEASE, backend: 'etcd' });
    expect(record.user).to.be.a('string').and.not.equal('');
    expect(lines.slice(3)).to.deep.equal(['', `get ${KEY}`, '', '']);
    expect(ctx.cleanups.map((c) => c.what)).to.deep.equal([`releasing the lock ${KEY} (lease ${LEASE})`]);
    expect(conn.remaining()).to.deep.equal([REVOKE]); // nothing released before the run ends
    await ctx.endRun();
    done(conn);
  });

  it('refuses with abort, naming the holder, and changes nothing when another run holds the key', async () => {
    const { result, conn, ctx } = await lock([GET_HELD()]);
    expect(result).to.include({ changed: false, failed: true, abort: true });
    expect(result.msg).to.equal(`node1: ${KEY} is locked by run 20260102T030405000Z-abcdef of alice@ctl1 (playbook replace-member.yml, since 2026-01-02T03:04:05.000Z, pid 4242), lease 694d77aa9e38260f; wait for it, or --break-lock if it is dead`);
    expect(ctx.cleanups).to.deep.equal([]);
    done(conn);
  });

  it('revokes its lease at the run\'s end when the run is interrupted while the txn is in flight (the key may be written already)', async () => {
    const interrupted: Step = { exec: E('txn -w json'), throws: new Error('interrupted (SIGTERM)') };
    const conn = new ScriptedConnection([GET_FREE, GRANT, interrupted, REVOKE]);
    const ctx = testContext(conn, { vars: VARS });
    let thrown: Error | undefined;
    await moduleNamed('etcd_lock').run(ctx, {}).catch((e: Error) => (thrown = e));
    expect(thrown?.message).to.equal('interrupted (SIGTERM)');
    expect(conn.remaining()).to.deep.equal([REVOKE]);
    await ctx.endRun();
    done(conn);
  });

  for (const [etcdctl, txn] of [['3.4/3.5 (ResponseRange)', TXN_LOST], ['3.6 (response_range)', TXN_LOST_36]] as const) {
    it(`refuses when another run takes the key between the read and the txn, naming it, and gives its own lease back: etcdctl ${etcdctl}`, async () => {
      const { result, conn, ctx } = await lock([GET_FREE, GRANT, txn, REVOKE]);
      expect(result).to.include({ abort: true, failed: true });
      expect(result.msg).to.match(/locked by run 20260102T030405000Z-abcdef of alice@ctl1/);
      // The release was registered before the txn (an interrupt mid-txn must still revoke); it ran already, so the
      // run's end sends nothing more.
      await ctx.endRun();
      done(conn);
    });
  }

  it('refuses a lock put by hand without a lease, saying it never expires; --break-lock deletes it with a warning and takes the lock', async () => {
    const refused = await lock([GET_HELD('manual', '0')]);
    expect(refused.result.abort).to.equal(true);
    expect(refused.result.msg).to.match(/locked by a value that is not a ringmaster holder record: "manual" \(a key without a lease: it never expires by itself\); wait for it, or --break-lock/);
    done(refused.conn);
    const del: Step = { exec: E(`del ${KEY}`), ...ok('1\n') };
    const broken = await lock([GET_HELD('manual', '0'), del, GRANT, TXN_OK, FILE_ABSENT, REVOKE], {}, { run: { breakLock: true } });
    expect(broken.result).to.include({ changed: true, lease: LEASE }); // another run's lock is gone for good
    expect(broken.ctx.warnings).to.deep.equal([`--break-lock: broke the lock ${KEY} of a value that is not a ringmaster holder record: "manual" (a key without a lease: it never expires by itself)`]);
    await broken.ctx.endRun();
    done(broken.conn);
  });

  it('breaks a live-looking lock of another run only with --break-lock, naming the broken holder', async () => {
    const del: Step = { exec: E(`del ${KEY}`), ...ok('1\n') };
    const { result, conn, ctx } = await lock([GET_HELD(), del, GRANT, TXN_OK, FILE_ABSENT, REVOKE], {}, { run: { breakLock: true } });
    expect(result.changed).to.equal(true);
    expect(ctx.warnings[0]).to.match(/^--break-lock: broke the lock \/ringmaster\/lock of run 20260102T030405000Z-abcdef of alice@ctl1 \(playbook replace-member.yml/);
    await ctx.endRun();
    done(conn);
  });

  it('in check mode takes nothing but still reads the key and refuses when it is held', async () => {
    const free = await lock([GET_FREE, FILE_ABSENT], {}, { check: true });
    expect(free.result).to.include({ changed: false });
    expect(free.result.msg).to.equal(`check mode: would acquire ${KEY} (lease TTL 30s)`);
    expect(free.ctx.cleanups).to.deep.equal([]);
    done(free.conn);
    const held = await lock([GET_HELD()], {}, { check: true });
    expect(held.result).to.include({ abort: true, failed: true });
    done(held.conn);
  });

  it('fails (not a refusal) when etcd does not answer, pointing at the files backend', async () => {
    const conn = new ScriptedConnection([{ exec: E(`get ${KEY} -w json`), ...fail('Error: context deadline exceeded') }]);
    const ctx = testContext(conn, { vars: VARS });
    const error = await moduleNamed('etcd_lock').run(ctx, {}).then(() => undefined, (e: Error & { details?: { hint?: string } }) => e);
    expect(error?.message).to.equal('cannot read the lock /ringmaster/lock: Error: context deadline exceeded');
    expect(error?.details?.hint).to.match(/backend: files/);
    expect(ctx.cleanups).to.deep.equal([]);
    done(conn);
  });

  it('releases at once with state: released, and the run end then has nothing left to do', async () => {
    const conn = new ScriptedConnection([GET_FREE, GRANT, TXN_OK, FILE_ABSENT, REVOKE]);
    const ctx = testContext(conn, { vars: VARS, run: { id: 'run-release-task' } });
    const taken = await moduleNamed('etcd_lock').run(ctx, { state: 'acquired' });
    expect(taken.lease).to.equal(LEASE);
    const released = await moduleNamed('etcd_lock').run(ctx, { state: 'released' });
    expect(released).to.include({ changed: false, msg: `released ${KEY} (lease ${LEASE} revoked)` });
    await ctx.endRun(); // a second revoke would be an unexpected call
    done(conn);
    const again = await moduleNamed('etcd_lock').run(ctx, { state: 'released' });
    expect(again).to.include({ changed: false });
  });

  it('renews the lease every ttl/3 seconds while the run lasts, and warns once when a renewal fails', async function () {
    this.timeout(10_000);
    const grant6: Step = { exec: E('lease grant 6'), ...ok(`lease ${LEASE} granted with TTL(6s)\n`) };
    const keep = E(`lease keep-alive --once ${LEASE}`);
    const conn = new ScriptedConnection([GET_FREE, grant6, TXN_OK, FILE_ABSENT, { exec: keep, ...ok('keepalived') }, { exec: keep, ...fail('Error: etcdserver: requested lease not found', 2) }, REVOKE]);
    const ctx = testContext(conn, { vars: VARS, run: { id: 'run-renew' } });
    await moduleNamed('etcd_lock').run(ctx, { ttl: 6 });
    await new Promise((r) => setTimeout(r, 4_300));
    expect(conn.execs().filter((c) => c === keep)).to.have.length(2);
    expect(ctx.warnings).to.deep.equal([`the lock ${KEY} (lease ${LEASE}) could not be renewed: Error: etcdserver: requested lease not found; another run can take it once it expires`]);
    await ctx.endRun();
    done(conn);
  });

  it('refuses when a files-backend run (recover-quorum) holds this host\'s lock file, and gives its key back at the end', async () => {
    const { result, conn, ctx } = await lock([GET_FREE, GRANT, TXN_OK, FILE_HELD({ ...other, backend: 'files' }, 3), REVOKE]);
    expect(result).to.include({ abort: true });
    expect(result.msg).to.match(/^node1: the cluster \(lock file \/var\/lib\/etcd\.ringmaster-lock\) is locked by run 20260102T030405000Z-abcdef of alice@ctl1/);
    await ctx.endRun();
    done(conn);
  });
  it('--break-lock removes a files-backend run\'s lock file left on its host (a dead recovery), with a warning', async () => {
    const rm: Step = { exec: `rm -f -- ${FILE}` };
    const { result, conn, ctx } = await lock([GET_FREE, GRANT, TXN_OK, FILE_HELD({ ...other, backend: 'files' }, 500), rm, REVOKE], {}, { run: { breakLock: true } });
    expect(result).to.include({ lease: LEASE });
    expect(result.failed).to.equal(undefined);
    expect(ctx.warnings).to.have.length(1);
    expect(ctx.warnings[0]).to.match(/^--break-lock: broke the lock file \/var\/lib\/etcd\.ringmaster-lock on node1 of run 20260102T030405000Z-abcdef .*\(stale: not renewed for 500s/);
    await ctx.endRun();
    done(conn);
  });
});

describe('etcd_lock (files backend)', () => {
  it('creates the lock file exclusively, mode 0600 (umask 077), respects no etcd lock when etcd has no quorum, and removes only its own file at the end', async () => {
    const { result, conn, ctx } = await lock([FILE_ABSENT, CREATE, { exec: QUIET_GET, ...fail('Error: context deadline exceeded') }, RELEASE_FILE], { backend: 'files' });
    expect(result).to.include({ changed: false, path: FILE });
    const record = JSON.parse(conn.calls[1].stdin!) as Record<string, unknown>;
    expect(record).to.include({ run_id: 'test-run', backend: 'files', pid: process.pid, host: hostname() });
    await ctx.endRun();
    done(conn);
  });

  it('refuses a lock file of another run, calling it stale when not renewed within its TTL or when its pid is gone from this controller', async () => {
    const old = await lock([FILE_HELD({ ...other, backend: 'files' }, 95)], { backend: 'files' });
    expect(old.result).to.include({ abort: true });
    expect(old.result.msg).to.match(/locked by run 20260102T030405000Z-abcdef of alice@ctl1 .* \(stale: not renewed for 95s, longer than its TTL of 30s\); wait for it, or --break-lock/);
    done(old.conn);
    const deadPid = spawnSync('true').pid;
    const dead = await lock([FILE_HELD({ ...other, backend: 'files', host: hostname(), pid: deadPid }, 2)], { backend: 'files' });
    expect(dead.result.msg).to.contain(`(stale: its pid ${deadPid} no longer runs on this controller)`);
    done(dead.conn);
    const live = await lock([FILE_HELD({ ...other, backend: 'files', host: hostname(), pid: process.pid }, 2)], { backend: 'files' });
    expect(live.result.msg).to.not.contain('stale');
    done(live.conn);
  });

  it('--break-lock removes another run\'s lock file with a warning naming it, then creates its own', async () => {
    const rm: Step = { exec: `rm -f -- ${FILE}` };
    const { result, conn, ctx } = await lock([FILE_HELD({ ...other, backend: 'files' }, 95), rm, CREATE, { exec: QUIET_GET, ...ok(`{${HEADER}}`) }, RELEASE_FILE], { backend: 'files' }, { run: { breakLock: true } });
    expect(result.changed).to.equal(true);
    expect(ctx.warnings).to.have.length(1);
    expect(ctx.warnings[0]).to.match(/^--break-lock: broke the lock \/var\/lib\/etcd\.ringmaster-lock on node1 of run 20260102T030405000Z-abcdef of alice@ctl1 .*stale/);
    await ctx.endRun();
    done(conn);
  });

  it('refuses when the cluster answers and an etcd-backend run holds its key; its own file goes at the end of the run', async () => {
    const { result, conn, ctx } = await lock([FILE_ABSENT, CREATE, { exec: QUIET_GET, ...ok(kvJson(JSON.stringify(other))) }, RELEASE_FILE], { backend: 'files' });
    expect(result).to.include({ abort: true });
    expect(result.msg).to.match(/^node1: the cluster \(etcd lock \/ringmaster\/lock\) is locked by run 20260102T030405000Z-abcdef/);
    await ctx.endRun();
    done(conn);
  });

  it('refuses, naming the winner, when another run creates the file between the read and the create', async () => {
    const { result, conn, ctx } = await lock([FILE_ABSENT, { ...CREATE, ...fail("sh: 1: cannot create /var/lib/etcd.ringmaster-lock: File exists", 2) }, FILE_HELD({ ...other, backend: 'files' }, 0)], { backend: 'files' });
    expect(result).to.include({ abort: true });
    expect(result.msg).to.match(/locked by run 20260102T030405000Z-abcdef/);
    expect(ctx.cleanups).to.deep.equal([]);
    done(conn);
  });
});
