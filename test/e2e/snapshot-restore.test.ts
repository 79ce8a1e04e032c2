// e2e: snapshot-restore.yml on the lab: a key written after the snapshot is gone, the 1000 keys are back, check mode is inert.
import { expect } from 'chai';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { changedCount, clusterFingerprint, explain, labAvailable, labName, labStart, labStop, readKeys, runPlaybook, settledProblems, sh, timing, verifyKeys, writeKeys, type Lab } from './harness.js';
import { etcdctl } from '../../engine/lab/etcd-query.js';

const NAME = labName('sr');
let lab: Lab | undefined;
let dir = '';
let snapshot = '';

describe('snapshot-restore.yml on the lab @lab @e2e', function () {
  this.timeout(240_000);
  before(async function () {
    if (!labAvailable()) this.skip();
    lab = await labStart(NAME);
    dir = mkdtempSync(join(tmpdir(), 'ring-e2e-sr-'));
    await writeKeys(lab, 1000, 'a');
    const saved = await runPlaybook(lab, 'snapshot-save.yml', { snapshot_dir: dir });
    expect(saved.exitCode, explain(saved)).to.equal(0);
    snapshot = join(dir, readdirSync(dir).find((f) => f.endsWith('.db'))!);
  });
  after(async () => {
    await labStop(lab, NAME);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('changes nothing at all in check mode', async () => {
    const before = await clusterFingerprint(lab!);
    const r = await runPlaybook(lab!, 'snapshot-restore.yml', { snapshot, backup_dir: dir }, ['--check']);
    expect(r.exitCode, explain(r)).to.equal(0);
    expect(await clusterFingerprint(lab!)).to.equal(before);
  });

  it('refuses a snapshot that fails its checksum before anything changes', async () => {
    const bad = join(dir, 'bad.db');
    writeFileSync(bad, 'not the snapshot');
    writeFileSync(`${bad}.json`, JSON.stringify({ sha256: '0'.repeat(64) }));
    const before = await clusterFingerprint(lab!);
    const r = await runPlaybook(lab!, 'snapshot-restore.yml', { snapshot: bad, backup_dir: dir });
    expect(r.exitCode).to.equal(2);
    expect(explain(r)).to.match(/fails its checksum.*nothing was changed/);
    expect(await clusterFingerprint(lab!)).to.equal(before);
  });

  it('brings back the 1000 keys and drops a key written after the snapshot', async () => {
    // The revision a watcher has seen last before the restore.
    const seen = Number((JSON.parse(await sh(lab!, 'node1', `${etcdctl(lab!.spec)} put /e2e/after-snapshot x -w json`)) as { header: { revision: number } }).header.revision);
    const r = await runPlaybook(lab!, 'snapshot-restore.yml', { snapshot, backup_dir: dir });
    expect(r.exitCode, explain(r)).to.equal(0);
    console.log(`      restore timing: ${JSON.stringify(timing(r))}`);
    expect((await readKeys(lab!)).has('/e2e/after-snapshot')).to.equal(false);
    expect(await verifyKeys(lab!, 1000, 'a')).to.deep.equal([]);
    expect(await settledProblems(lab!)).to.deep.equal([]);
    // 3.5+ restores with --bump-revision --mark-compacted: the first revision after the restore is above every
    // revision a watcher saw before it, and a watcher resuming from its old revision is told it was compacted
    // instead of silently missing the history (Debian's 3.4.23 has neither flag: see versions.test.ts).
    const first = Number((JSON.parse(await sh(lab!, 'node1', `${etcdctl(lab!.spec)} put /e2e-watch/first y -w json`)) as { header: { revision: number } }).header.revision);
    expect(first, `first revision after the restore (${first}) vs last seen before it (${seen})`).to.be.above(seen);
    const resumed = await sh(lab!, 'node1', `timeout 10 ${etcdctl(lab!.spec)} watch --rev=${seen + 1} /e2e-watch/first 2>&1 | head -3; true`, 20_000);
    expect(resumed, 'a watcher resuming from its old revision').to.match(/compacted/);
    await sh(lab!, 'node1', `${etcdctl(lab!.spec)} del /e2e-watch/first >/dev/null`);
  });

  it('restores again on a second run (a restore is not idempotent by nature) and ends in the same state', async () => {
    const r = await runPlaybook(lab!, 'snapshot-restore.yml', { snapshot, backup_dir: dir });
    expect(r.exitCode, explain(r)).to.equal(0);
    expect(changedCount(r)).to.be.greaterThan(0);
    expect(await verifyKeys(lab!, 1000, 'a')).to.deep.equal([]);
    expect(await settledProblems(lab!)).to.deep.equal([]);
  });
});
