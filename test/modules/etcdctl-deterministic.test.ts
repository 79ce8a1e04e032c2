// A deterministic etcdctl error (bad flag, missing TLS file, env conflict, x509) fails on the first attempt with
// etcdctl's own line in the message; transient ones (a member starting, a cluster electing) are still waited out.
import { expect } from 'chai';
import { deterministicLine } from '../../engine/etcd/etcdctl-errors.js';
import { runModule } from './context.js';
import { ScriptedConnection, type Step } from './fake-connection.js';
import { ALL, E, fail, fixture, ok, VARS } from '../etcd/etcd-script.js';

const UNKNOWN_FLAG = 'Error: unknown flag: --insecure-discoveryy';
const NO_CA = 'Error: open /etc/kubernetes/pki/etcd/ca.crt: no such file or directory';
const SHADOWED = 'Error: conflicting environment variable "ETCDCTL_ENDPOINTS" is shadowed by corresponding command-line flag (either unset environment variable or disable flag)';
const X509 = 'Error: x509: certificate signed by unknown authority';
const LIST = { exec: E('member list -w json'), ...ok(fixture('member-list-3.json')) };

/** Runs a module on a scripted connection; returns the error (or result), the connection and the elapsed time. */
async function attempt(module: string, steps: Step[], args: Record<string, unknown>, vars: Record<string, unknown> = VARS) {
  const conn = new ScriptedConnection(steps);
  const t0 = Date.now();
  const out = await runModule(module, conn, args, { vars }).then((r) => ({ result: r, err: undefined }), (e: Error) => ({ result: undefined, err: e }));
  return { ...out, conn, ms: Date.now() - t0 };
}

describe('deterministic etcdctl errors', () => {
  for (const [what, line] of [['an unknown flag', UNKNOWN_FLAG], ['a missing TLS file', NO_CA], ['a shadowed environment variable', SHADOWED], ['an x509 error', X509]]) {
    it(`etcd_health reports ${what} verbatim on the first attempt instead of waiting 30 s`, async () => {
      const { err, conn, ms } = await attempt('etcd_health', [{ exec: E('member list -w json'), ...fail(`{"level":"warn","msg":"retrying"}\n${line}`) }], { timeout: 30, delay: 1 });
      expect(conn.unexpected).to.deep.equal([]);
      expect(conn.execs()).to.have.length(1);
      expect(err?.message).to.contain(line);
      expect(ms).to.be.lessThan(1000);
    });
  }

  it('etcd_health: endpoint health failing on a missing CA file is that error, not "0 healthy voters"', async () => {
    // Health and status are read in parallel on the one connection: both fail on the missing file, health's error is reported.
    const { err, conn } = await attempt('etcd_health', [LIST, { exec: E('endpoint health -w json', ALL), ...fail(NO_CA) }, { exec: E('endpoint status -w json', ALL), ...fail(NO_CA) }], { timeout: 30, delay: 1 });
    expect(conn.unexpected).to.deep.equal([]);
    expect(conn.remaining()).to.deep.equal([]);
    expect(err?.message).to.equal(`node1: etcdctl endpoint health failed (exit 1): ${NO_CA}`);
  });

  it('etcd_health still waits out a transient refusal (a member starting) and then passes', async () => {
    const steps: Step[] = [
      { exec: E('member list -w json'), ...fail('Error: context deadline exceeded') },
      LIST, { exec: E('endpoint health -w json', ALL), ...ok(fixture('endpoint-health-3.json')) }, { exec: E('endpoint status -w json', ALL), ...ok(fixture('endpoint-status-3.json')) },
    ];
    const { result, err, conn } = await attempt('etcd_health', steps, { timeout: 30, delay: 0, expect_voters: 3 });
    expect(err).to.equal(undefined);
    expect(conn.remaining()).to.deep.equal([]);
    expect(result).to.include({ polls: 2, healthy_voters: 3 });
  });

  it('etcd_member add stops at the first conflicting-environment error, saying what etcdctl said', async () => {
    const steps: Step[] = [LIST, { exec: /member add m9 --peer-urls=http:\/\/127\.0\.0\.1:24699 --learner -w json$/, ...fail(SHADOWED) }];
    const { err, conn } = await attempt('etcd_member', steps, { state: 'present', name: 'm9', peer_urls: ['http://127.0.0.1:24699'], timeout: 30, delay: 1 });
    expect(conn.unexpected).to.deep.equal([]);
    expect(conn.remaining()).to.deep.equal([]);
    expect(err?.message).to.equal(`member add m9 failed after 1 attempt(s): ${SHADOWED}`);
    expect((err as { hint?: string }).hint).to.match(/etcdctl itself refused/);
  });

  it('etcd_member promote does not retry an x509 error even though it retries "unhealthy cluster"', async () => {
    const learner = fixture('member-list-3.json').replace(/("name":"m3",[^}]*?)"clientURLs"/, '$1"isLearner":true,"clientURLs"');
    const steps: Step[] = [{ exec: E('member list -w json'), ...ok(learner) }, { exec: /member promote 27571c27a0389ac3$/, ...fail(`${X509}\nError: etcdserver: unhealthy cluster`) }];
    const { err, conn } = await attempt('etcd_member', steps, { state: 'promoted', name: 'm3', timeout: 30, delay: 1 });
    expect(conn.unexpected).to.deep.equal([]);
    expect(err?.message).to.equal(`member promote m3 (27571c27a0389ac3, http://127.0.0.1:24693) failed after 1 attempt(s): ${X509}`);
  });

  it('etcd_service start reports a missing client key at once instead of waiting for health', async () => {
    const noKey = 'Error: open /etc/kubernetes/pki/etcd/healthcheck-client.key: no such file or directory';
    const steps: Step[] = [{ exec: /^sh -c .* state /, reply: { stdout: 'stopped\n' } }, { exec: /^mkdir -p \/etc\/kubernetes\/manifests && mv/ }, { exec: /etcdctl .* endpoint health$/, ...fail(noKey) }];
    const { err, conn, ms } = await attempt('etcd_service', steps, { state: 'started', timeout: 60 });
    expect(conn.unexpected).to.deep.equal([]);
    expect(conn.remaining()).to.deep.equal([]);
    expect(err?.message).to.match(/endpoint health failed: Error: open \/etc\/kubernetes\/pki\/etcd\/healthcheck-client\.key: no such file or directory$/);
    expect(ms).to.be.lessThan(1000);
  });

  it('the recover survey names a missing CA file instead of calling every member "does not answer"', async () => {
    const urls = ['http://127.0.0.1:24591', 'http://127.0.0.1:24592', 'http://127.0.0.1:24593'];
    const vars = { ...VARS, groups: { etcd: ['node1', 'node2', 'node3'] }, hostvars: Object.fromEntries(urls.map((u, i) => [`node${i + 1}`, { etcd_name: `m${i + 1}`, etcd_client_url: u }])) };
    const { err, result, conn } = await attempt('etcd_quorum_guard', [{ exec: E('endpoint status -w json', urls.join(',')), ...fail(NO_CA) }], { action: 'recover' }, vars);
    expect(conn.unexpected).to.deep.equal([]);
    expect(result?.msg ?? '').to.not.contain('does not answer');
    expect(err?.message).to.equal(`node1: etcdctl endpoint status failed (exit 1): ${NO_CA}`);
  });

  it('etcd_snapshot save fails on a deterministic error of the key count instead of recording "unknown"', async () => {
    const sha = 'a'.repeat(64);
    const steps: Step[] = [
      { exec: /^mkdir -p -m 0700 \/var\/lib\/etcd-snapshots && sh -c / },
      { exec: / snapshot save \/var\/lib\/etcd-snapshots\/etcd-m1-\d{8}T\d{9}Z-[0-9a-f]{12}\.db$/, ...ok(fixture('snapshot-save.stdout')) },
      { exec: /^sh -c .* probe /, reply: { stdout: `${sha}\nabsent\nclosed\nnone\n` } },
      { exec: / endpoint status -w json$/, ...ok(fixture('endpoint-status.json')) },
      { exec: / snapshot status .* -w json$/, ...ok(fixture('snapshot-status.json')) },
      { exec: / get '' --from-key --rev=5 --keys-only --limit=1 -w json$/, ...fail(UNKNOWN_FLAG) },
    ];
    const { err, conn } = await attempt('etcd_snapshot', steps, { action: 'save', fetch: false });
    expect(conn.unexpected).to.deep.equal([]);
    expect(conn.remaining()).to.deep.equal([]);
    expect(err?.message).to.match(/--keys-only --limit=1 -w json failed: Error: unknown flag: --insecure-discoveryy$/);
  });

  it('classifies lines: deterministic ones verbatim, transient ones not', () => {
    for (const l of [UNKNOWN_FLAG, NO_CA, SHADOWED, X509, 'Error: unknown shorthand flag: \'x\' in -x', 'Error: open /k.key: permission denied']) expect(deterministicLine(`noise\n${l}\n`, 1)).to.equal(l);
    for (const l of ['Error: context deadline exceeded', 'Error: etcdserver: unhealthy cluster', 'Error: etcdserver: request timed out', 'Error: etcdserver: no leader',
      'Error: dial tcp 10.0.0.1:2379: connect: connection refused', 'Error: tls: first record does not look like a TLS handshake', 'Error response from daemon: Container abc is restarting']) {
      expect(deterministicLine(l, 1), l).to.equal(undefined);
    }
    expect(deterministicLine('sh: 1: etcdctl: not found', 127)).to.equal('sh: 1: etcdctl: not found');
  });
});
