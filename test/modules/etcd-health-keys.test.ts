// etcd_health (convergence checks, inventory drift) and etcd_keys (count/list/get, guarded exact delete with backup).
import { expect } from 'chai';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateModuleArgs } from '../../engine/validate/module-args.js';
import { runModule } from './context.js';
import { ScriptedConnection, type Step } from './fake-connection.js';
import { ALL, E, fail, fixture, ok, VARS } from '../etcd/etcd-script.js';

const LIST = { exec: E('member list -w json'), ...ok(fixture('member-list-3.json')) };
const HEALTH = { exec: E('endpoint health -w json', ALL), ...ok(fixture('endpoint-health-3.json')) };
const STATUS = (text = fixture('endpoint-status-3.json')) => ({ exec: E('endpoint status -w json', ALL), ...ok(text) });
const inventory = {
  groups: { etcd: ['node1', 'node2', 'node9'] },
  hostvars: {
    node1: { etcd_name: 'm1', etcd_peer_url: 'http://127.0.0.1:24691' },
    node2: { etcd_name: 'm2', etcd_peer_url: 'http://127.0.0.1:24699' },
    node9: { etcd_name: 'node9', etcd_peer_url: 'http://127.0.0.1:24699' },
  },
};

async function run(module: string, steps: Step[], args: Record<string, unknown>, o: { check?: boolean; vars?: Record<string, unknown>; playbookDir?: string } = {}) {
  const conn = new ScriptedConnection(steps);
  const result = await runModule(module, conn, args, { vars: o.vars ?? VARS, check: o.check, playbookDir: o.playbookDir });
  expect(conn.unexpected).to.deep.equal([]);
  expect(conn.remaining()).to.deep.equal([]);
  return { result, conn };
}

describe('etcd_health', () => {
  it('passes with three healthy voters, one leader and one cluster ID, and reports inventory drift', async () => {
    const { result } = await run('etcd_health', [LIST, HEALTH, STATUS()], { expect_voters: 3 }, { vars: { ...VARS, ...inventory } });
    expect(result).to.include({ changed: false, voters: 3, healthy_voters: 3, leader: 'm3' });
    expect(result.failed).to.equal(undefined);
    expect(result.cluster_ids).to.deep.equal(['2c7a4b832c28098b']);
    expect(result.msg).to.match(/^healthy: 3\/3 voters \(m\d, m\d, m\d\), leader m3, cluster 2c7a4b832c28098b; drift: /);
    expect(result.raft_indexes).to.deep.equal({ m1: 8, m2: 8, m3: 8 });
    expect(result.drift).to.deep.equal({
      stale: ['m3 (27571c27a0389ac3, http://127.0.0.1:24693)'], missing: ['node9'], unstarted: [], learners: [],
      peer_url_mismatch: [{ name: 'm2', inventory: 'http://127.0.0.1:24699', live: ['http://127.0.0.1:24692'] }],
    });
  });

  it('fails at the deadline listing what is wrong when a voter is down', async () => {
    const down = { exec: E('endpoint health -w json', ALL), ...fail('Error: unhealthy cluster', 1, fixture('endpoint-health-3-one-down.json')) };
    const status = { exec: E('endpoint status -w json', ALL), ...fail('Failed to get the status of endpoint http://127.0.0.1:24593', 1, fixture('endpoint-status-3-one-down.json')) };
    const { result } = await run('etcd_health', [LIST, down, status], { expect_voters: 3, timeout: 0 });
    expect(result.failed).to.equal(true);
    expect(result.msg).to.match(/2 healthy voter\(s\) of 3 live voter\(s\), 3 expected by the inventory \(not healthy: m3 \(27571c27a0389ac3, http:\/\/127.0.0.1:24693\)\)/);
    expect((result.members as Array<{ name: string; healthy: boolean }>).find((m) => m.name === 'm3')!.healthy).to.equal(false);
  });

  it('flags a member that answers healthy but belongs to another cluster', async () => {
    const split = fixture('endpoint-status-3.json').replace(/"cluster_id":3204957111581149579,"member_id":2834765446970383043/, '"cluster_id":9204957111581149579,"member_id":2834765446970383043');
    const { result } = await run('etcd_health', [LIST, HEALTH, STATUS(split)], { expect_voters: 3, timeout: 0 });
    expect(result.failed).to.equal(true);
    // It is named by ID and peer URL, is not counted as a healthy voter, and the fix is named.
    expect(result.msg).to.contain('m3 (27571c27a0389ac3, http://127.0.0.1:24693) is in cluster 7fbe93b91880098b, the others in 2c7a4b832c28098b: it bootstrapped its own cluster — runbook: replace-member.yml -e target=m3');
    expect(result).to.include({ healthy_voters: 2 });
    expect(result.cluster_ids).to.deep.equal(['2c7a4b832c28098b', '7fbe93b91880098b']);
  });

  it('takes timeout and delay as digit strings, which is what `-e health_timeout=3` gives a playbook', async () => {
    const args = { expect_voters: 3, timeout: '0', delay: '0.5' };
    expect(validateModuleArgs('etcd_health', args)).to.deep.equal([]);
    expect(validateModuleArgs('etcd_health', { timeout: 'soon' })).to.have.length(1);
    const { result } = await run('etcd_health', [LIST, HEALTH, STATUS()], args);
    expect(result.failed).to.equal(undefined);
    expect(result.healthy_voters).to.equal(3);
  });

  it('fails naming an alarm that endpoint status reports (NOSPACE)', async () => {
    const nospace = fixture('endpoint-status-3.json').replace(/"dbSizeInUse":16384\}\}\]$/m, '"dbSizeInUse":16384,"errors":["memberID:2834765446970383043 alarm:NOSPACE "]}}]');
    expect(nospace).to.contain('alarm:NOSPACE');
    const { result } = await run('etcd_health', [LIST, HEALTH, STATUS(nospace)], { expect_voters: 3, timeout: 0 });
    expect(result.failed).to.equal(true);
    expect(result.alarms).to.deep.equal(['memberID:2834765446970383043 alarm:NOSPACE ']);
    expect(result.msg).to.contain('alarm raised: memberID:2834765446970383043 alarm:NOSPACE (etcdctl alarm list; NOSPACE: compact and defragment');
  });

  it('fails on drift only when asked to', async () => {
    const { result } = await run('etcd_health', [LIST, HEALTH, STATUS()], { fail_on_drift: true, timeout: 0 }, { vars: { ...VARS, ...inventory } });
    expect(result.failed).to.equal(true);
    expect(result.msg).to.match(/drift: .*"missing":\["node9"\]/);
    expect(result.msg).to.contain("etcd is healthy but the inventory disagrees with the live members: m2's peer URL is http://127.0.0.1:24699 in the inventory but http://127.0.0.1:24692 live");
  });
});

describe('etcd_keys', () => {
  let dir = '';
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'ring-keys-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const GET_A = { exec: E('get /registry/pods/kube-system/a -w json'), ...ok(fixture('get-key.json')) };

  it('counts keys under a prefix from a one-key page (etcd 3.4 has no --count-only)', async () => {
    const { result } = await run('etcd_keys', [{ exec: E('get /registry/ --prefix --keys-only --limit=1 -w json'), ...ok(fixture('get-count.json')) }], { action: 'count', key: '/registry/', prefix: true });
    expect(result).to.include({ count: 3, revision: 4 });
  });

  it('counts every key with an empty prefix, and refuses an empty key anywhere else', async () => {
    const { result } = await run('etcd_keys', [{ exec: E("get '' --prefix --keys-only --limit=1 -w json"), ...ok(fixture('get-count.json')) }], { action: 'count', key: '', prefix: true });
    expect(result).to.include({ count: 3, revision: 4 });
    const conn = new ScriptedConnection([]);
    const err = await runModule('etcd_keys', conn, { action: 'delete', key: '', backup_dest: dir }, { vars: VARS }).catch((e) => e);
    expect(err.message).to.equal('etcd_keys action=delete: the key is empty');
    expect(conn.calls).to.deep.equal([]);
  });

  it('lists keys decoded from base64', async () => {
    const { result } = await run('etcd_keys', [{ exec: E('get /registry/pods/ --prefix --keys-only -w json'), ...ok(fixture('get-prefix-keys.json')) }], { action: 'list', key: '/registry/pods/' });
    expect(result.keys).to.deep.equal(['/registry/pods/kube-system/a', '/registry/pods/kube-system/b']);
  });

  it('gets a value as text and as raw base64', async () => {
    const { result } = await run('etcd_keys', [GET_A], { action: 'get', key: '/registry/pods/kube-system/a' });
    expect(result.kvs).to.deep.equal([{ key: '/registry/pods/kube-system/a', value: 'hello', value_base64: 'aGVsbG8=', mod_revision: 2, version: 1 }]);
  });

  it('saves the old raw values on the controller, then deletes, reporting revisions before and after', async () => {
    const { result } = await run('etcd_keys', [GET_A, { exec: E('del /registry/pods/kube-system/a -w json'), ...ok(fixture('del-key.json')) }], { action: 'delete', key: ['/registry/pods/kube-system/a'], backup_dest: dir });
    expect(result).to.include({ changed: true, revision_before: 4, revision_after: 5 });
    const saved = JSON.parse(readFileSync(result.backup_file as string, 'utf8'));
    expect(saved.kvs).to.deep.equal([{ key: '/registry/pods/kube-system/a', value_base64: 'aGVsbG8=', mod_revision: 2, create_revision: 2, version: 1 }]);
  });

  it('refuses before deleting anything when one of the keys does not exist', async () => {
    const conn = new ScriptedConnection([GET_A, { exec: E('get /registry/pods/kube-system/zz -w json'), ...ok(fixture('get-missing.json')) }]);
    const err = await runModule('etcd_keys', conn, { action: 'delete', key: ['/registry/pods/kube-system/a', '/registry/pods/kube-system/zz'], backup_dest: dir }, { vars: VARS }).catch((e) => e);
    expect(err.message).to.equal('key /registry/pods/kube-system/zz does not exist (revision 4); nothing was deleted');
    expect(conn.execs().some((c) => / del /.test(c))).to.equal(false);
    expect(readdirSync(dir)).to.deep.equal([]);
  });

  it('refuses to delete by prefix', async () => {
    const err = await runModule('etcd_keys', new ScriptedConnection([]), { action: 'delete', key: '/registry/', prefix: true, backup_dest: dir }, { vars: VARS }).catch((e) => e);
    expect(err.message).to.match(/refuses to delete by prefix/);
  });

  it('in check mode reads the keys, prints the deletes and writes no backup', async () => {
    const { result } = await run('etcd_keys', [GET_A], { action: 'delete', key: '/registry/pods/kube-system/a', backup_dest: dir }, { check: true });
    expect((result.commands as string[])[1]).to.equal(E('del /registry/pods/kube-system/a -w json'));
    expect(readdirSync(dir)).to.deep.equal([]);
  });
});
