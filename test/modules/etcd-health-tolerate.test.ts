// etcd_health tolerate_down: a member the caller knew was down before its run is a warning while the others keep
// quorum — a replacement with another voter down succeeds and says so — and still a failure for anyone else.
import { expect } from 'chai';
import { testContext } from './context.js';
import { ScriptedConnection } from './fake-connection.js';
import { etcdHealthModule } from '../../engine/modules/etcd_health.js';
import { ALL, E, fail, fixture, ID, ok, VARS } from '../etcd/etcd-script.js';

const steps = () => [
  { exec: E('member list -w json'), ...ok(fixture('member-list-3.json')) },
  { exec: E('endpoint health -w json', ALL), ...fail('Error: unhealthy cluster', 1, fixture('endpoint-health-3-one-down.json')) },
  { exec: E('endpoint status -w json', ALL), ...fail('Failed to get the status of endpoint http://127.0.0.1:24593', 1, fixture('endpoint-status-3-one-down.json')) },
];
const vars = {
  ...VARS,
  groups: { etcd: ['node1', 'node2', 'node3'] },
  hostvars: Object.fromEntries([1, 2, 3].map((i) => [`node${i}`, { etcd_name: `m${i}`, etcd_peer_url: `http://127.0.0.1:2469${i}` }])),
};

async function health(tolerate: string[]) {
  const conn = new ScriptedConnection(steps());
  const ctx = testContext(conn, { vars });
  const result = await etcdHealthModule.run(ctx, { timeout: 0, tolerate_down: tolerate });
  expect(conn.remaining()).to.deep.equal([]);
  return { result, warnings: ctx.warnings };
}

describe('etcd_health tolerate_down', () => {
  it('fails on a down voter nobody said was down', async () => {
    const { result } = await health([]);
    expect(result.failed).to.equal(true);
    expect(result.msg).to.match(/2 healthy voter\(s\) of 3 live voter\(s\), 3 expected by the inventory \(not healthy: m3/);
  });

  it('passes with a warning naming the member when its host was down before the run and quorum holds', async () => {
    const { result, warnings } = await health(['node3']);
    expect(result.failed, String(result.msg)).to.equal(undefined);
    expect(result.still_down).to.deep.equal([`m3 (${ID.m3}, http://127.0.0.1:24693)`]);
    expect(result.msg).to.contain(`still down as before this run: m3 (${ID.m3}, http://127.0.0.1:24693)`);
    expect(warnings.join('\n')).to.contain('was down before this run and still is');
  });

  it('still fails when the down member is not the one the caller named', async () => {
    const { result } = await health(['node2']);
    expect(result.failed).to.equal(true);
  });
});
