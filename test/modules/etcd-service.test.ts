// etcd_service: stop/start per flavour, waits, no-ops and check mode, against a scripted connection.
import { expect } from 'chai';
import { runModule } from './context.js';
import { ScriptedConnection, type Step } from './fake-connection.js';
import { E, fixture, ok, VARS } from '../etcd/etcd-script.js';

const STATE = /^sh -c .* state \/etc\/kubernetes\/manifests\/etcd\.yaml \/etc\/kubernetes\/ringmaster\/etcd\.yaml$/;
const MOVE_OUT = 'mkdir -p /etc/kubernetes/ringmaster && mv -f -- /etc/kubernetes/manifests/etcd.yaml /etc/kubernetes/ringmaster/etcd.yaml';
const MOVE_IN = 'mkdir -p /etc/kubernetes/manifests && mv -f -- /etc/kubernetes/ringmaster/etcd.yaml /etc/kubernetes/manifests/etcd.yaml';
const PORT_CLOSED = /^bash -c .*! timeout 1 bash -c .*\/dev\/tcp\/127\.0\.0\.1\/2379/;
const vars = { ...VARS, etcd_client_url: 'https://10.0.0.11:2379' };

async function run(steps: Step[], args: Record<string, unknown>, o: { check?: boolean; vars?: Record<string, unknown> } = {}) {
  const conn = new ScriptedConnection(steps);
  const result = await runModule('etcd_service', conn, args, { vars: o.vars ?? vars, check: o.check });
  expect(conn.unexpected).to.deep.equal([]);
  expect(conn.remaining()).to.deep.equal([]);
  return { result, conn };
}

describe('etcd_service', () => {
  it('stops a static pod by moving its manifest out of manifests/ and waits for the client port to close', async () => {
    const { result } = await run([{ exec: STATE, reply: { stdout: 'running\n' } }, { exec: MOVE_OUT }, { exec: PORT_CLOSED }], { state: 'stopped', timeout: 30 });
    expect(result).to.include({ changed: true, flavor: 'static-pod', held_manifest: '/etc/kubernetes/ringmaster/etcd.yaml', waited: 'port-closed' });
    expect(result.commands).to.deep.equal([MOVE_OUT]);
  });

  it('is a no-op that still confirms the port is closed when the manifest is already held', async () => {
    const { result } = await run([{ exec: STATE, reply: { stdout: 'stopped\n' } }, { exec: PORT_CLOSED }], { state: 'stopped' });
    expect(result).to.include({ changed: false });
    expect(result.msg).to.match(/already stopped \(manifest held at \/etc\/kubernetes\/ringmaster\/etcd\.yaml\)/);
  });

  it('fails naming the port when etcd keeps answering after the timeout', async () => {
    const conn = new ScriptedConnection([{ exec: STATE, reply: { stdout: 'running\n' } }, { exec: MOVE_OUT }, { exec: PORT_CLOSED, reply: { code: 1 } }]);
    const err = await runModule('etcd_service', conn, { state: 'stopped', timeout: 5 }, { vars }).catch((e) => e);
    expect(err.message).to.equal("etcd's client port 2379 still answers after 5s");
    expect(err.details.host).to.equal('node1');
  });

  it('starts a static pod by moving the manifest back and waits until the local endpoint is healthy', async () => {
    const health = /etcdctl --endpoints=http:\/\/127\.0\.0\.1:24591 .* endpoint health$/;
    const { result } = await run([{ exec: STATE, reply: { stdout: 'stopped\n' } }, { exec: MOVE_IN }, { exec: health, reply: { code: 1, stderr: 'unhealthy' } }, { exec: health }], { state: 'started' });
    expect(result).to.include({ changed: true, waited: 'healthy' });
  });

  it('uses docker stop for the docker flavour', async () => {
    const { result } = await run([{ exec: /docker inspect .* state etcd$/, reply: { stdout: 'running\n' } }, { exec: 'docker stop etcd' }, { exec: PORT_CLOSED }], { state: 'stopped' }, { vars: { ...vars, etcd_flavor: 'docker' } });
    expect(result.commands).to.deep.equal(['docker stop etcd']);
  });

  it('uses systemctl start for the systemd flavour and can wait for the port only', async () => {
    const { result } = await run([{ exec: /systemctl is-active .* state etcd$/, reply: { stdout: 'stopped\n' } }, { exec: 'systemctl start etcd' }, { exec: /^bash -c .*if timeout 1 bash -c/ }], { state: 'started', flavor: 'systemd', wait: 'port' });
    expect(result).to.include({ changed: true, waited: 'port' });
  });

  it('in check mode reads the state and prints the move without running it', async () => {
    const { result, conn } = await run([{ exec: STATE, reply: { stdout: 'running\n' } }], { state: 'stopped' }, { check: true });
    expect(result).to.include({ changed: true });
    expect(result.commands).to.deep.equal([MOVE_OUT]);
    expect(conn.execs()).to.have.length(1);
  });

  it('fails when there is no manifest anywhere', async () => {
    const conn = new ScriptedConnection([{ exec: STATE, reply: { stdout: 'missing\n' } }]);
    const err = await runModule('etcd_service', conn, { state: 'started' }, { vars }).catch((e) => e);
    expect(err.message).to.match(/no etcd manifest at \/etc\/kubernetes\/manifests\/etcd\.yaml nor at \/etc\/kubernetes\/ringmaster\/etcd\.yaml/);
    expect(err.hint).to.match(/etcd_manifest/);
  });

  it('treats a member stopped by hand (no manifest anywhere, port closed) as already stopped', async () => {
    const conn = new ScriptedConnection([{ exec: STATE, reply: { stdout: 'missing\n' } }, { exec: PORT_CLOSED }]);
    const r = await runModule('etcd_service', conn, { state: 'stopped' }, { vars });
    expect(r).to.include({ changed: false });
    expect(r.msg).to.match(/already stopped: no manifest .* port 2379 is closed/);
  });

  it('still fails to stop a member without a manifest whose port keeps answering', async () => {
    const conn = new ScriptedConnection([{ exec: STATE, reply: { stdout: 'missing\n' } }, { exec: PORT_CLOSED, reply: { code: 1 } }]);
    const err = await runModule('etcd_service', conn, { state: 'stopped' }, { vars }).catch((e) => e);
    expect(err.message).to.match(/no etcd manifest/);
  });
});

describe('etcd_service state=stopped with guard_endpoints', () => {
  // m1 (this host, peer 24691) is about to stop; the guard task passed earlier, but m3 has died since.
  const GUARD = 'http://127.0.0.1:24592';
  const ALL = 'http://127.0.0.1:24593,http://127.0.0.1:24592,http://127.0.0.1:24591';
  const reads = (healthFixture: string, statusFixture: string, code: number): Step[] => [
    { exec: E('member list -w json', GUARD), ...ok(fixture('member-list-3.json')) },
    { exec: E('endpoint health -w json', ALL), reply: { code, stdout: fixture(healthFixture), stderr: code ? 'Error: unhealthy cluster' : '' } },
    { exec: E('endpoint status -w json', ALL), reply: { code, stdout: fixture(statusFixture), stderr: '' } },
  ];

  it('re-reads the cluster right before the stop and refuses (abort) when another member died since the guard ran', async () => {
    const { result, conn } = await run([{ exec: STATE, reply: { stdout: 'running\n' } }, ...reads('endpoint-health-3-one-down.json', 'endpoint-status-3-one-down.json', 1)],
      { state: 'stopped', guard_endpoints: [GUARD] }, { vars: VARS });
    expect(result).to.include({ failed: true, abort: true, changed: false });
    expect(result.msg).to.match(/quorum guard \(re-checked right before the stop\): before: voters 3, healthy voters 2, quorum 2, .* after stopping m1 \(da0c86105c2549da, http:\/\/127.0.0.1:24691\): voters 3, healthy voters 1/);
    expect(conn.execs().some((c) => c.includes(' mv '))).to.equal(false);
  });

  it('in check mode plans the re-check instead of judging a live state the earlier planned steps did not change yet', async () => {
    // The plan's guard judged the whole sequence (e.g. a stale member removed before this stop); check mode removed nothing.
    const { result, conn } = await run([{ exec: STATE, reply: { stdout: 'running\n' } }], { state: 'stopped', guard_endpoints: [GUARD] }, { vars: VARS, check: true });
    expect(result).to.include({ changed: true });
    expect(result.msg).to.match(/^check mode: would re-check the quorum against the live members, then stop etcd/);
    expect(conn.execs()).to.have.length(1);
  });

  it('stops after the re-check when every member is healthy', async () => {
    const { result } = await run([{ exec: STATE, reply: { stdout: 'running\n' } }, ...reads('endpoint-health-3.json', 'endpoint-status-3.json', 0), { exec: MOVE_OUT }, { exec: PORT_CLOSED }],
      { state: 'stopped', guard_endpoints: [GUARD] }, { vars: VARS });
    expect(result).to.include({ changed: true });
  });
});
