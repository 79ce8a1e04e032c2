// e2e: repair-key.yml on the lab: exactly one key deleted with its value saved; a missing key is refused unchanged.
import { expect } from 'chai';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { changedCount, clusterFingerprint, explain, keyOf, labAvailable, labName, labStart, labStop, markManifestsExisting, runPlaybook, settledProblems, timing, valueOf, verifyKeys, writeKeys, type Lab } from './harness.js';

const NAME = labName('rk');
let lab: Lab | undefined;
let dir = '';

describe('repair-key.yml on the lab @lab @e2e', function () {
  this.timeout(120_000);
  before(async function () {
    if (!labAvailable()) this.skip();
    lab = await labStart(NAME);
    await markManifestsExisting(lab);
    dir = mkdtempSync(join(tmpdir(), 'ring-e2e-rk-'));
    await writeKeys(lab, 1000, 'a');
  });
  after(async () => {
    await labStop(lab, NAME);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('lists candidate keys under a prefix and changes nothing', async () => {
    const r = await runPlaybook(lab!, 'repair-key.yml', { prefix: '/e2e/key-099', backup_dir: dir });
    expect(r.exitCode, explain(r)).to.equal(0);
    expect(changedCount(r)).to.equal(0);
    expect(r.stdout).to.contain('/e2e/key-0999');
  });

  it('changes nothing in check mode', async () => {
    const before = await clusterFingerprint(lab!);
    const r = await runPlaybook(lab!, 'repair-key.yml', { key: keyOf(7), backup_dir: dir }, ['--check']);
    expect(r.exitCode, explain(r)).to.equal(0);
    expect(await verifyKeys(lab!, 1000, 'a')).to.deep.equal([]);
    expect(await clusterFingerprint(lab!)).to.equal(before);
  });

  it('deletes exactly one key after a snapshot and saves its raw value', async () => {
    const r = await runPlaybook(lab!, 'repair-key.yml', { key: keyOf(7), backup_dir: dir });
    expect(r.exitCode, explain(r)).to.equal(0);
    console.log(`      repair timing: ${JSON.stringify(timing(r))}`);
    expect(await verifyKeys(lab!, 1000, 'a', [keyOf(7)])).to.deep.equal([]);
    expect((await verifyKeys(lab!, 1000, 'a'))).to.deep.equal([`${keyOf(7)} missing`]);
    const saved = JSON.parse(readFileSync(join(dir, 'keys', readdirSync(join(dir, 'keys'))[0]), 'utf8'));
    expect(Buffer.from(saved.kvs[0].value_base64, 'base64').toString()).to.equal(valueOf(7, 'a'));
    expect(readdirSync(dir).some((f) => f.endsWith('.db'))).to.equal(true);
    expect(r.stdout).to.match(/revision \d+ -> \d+/);
    expect(await settledProblems(lab!)).to.deep.equal([]);
  });

  it('refuses a key that does not exist (the second run) with a clear message and no change', async () => {
    const before = await clusterFingerprint(lab!);
    const r = await runPlaybook(lab!, 'repair-key.yml', { key: keyOf(7), backup_dir: dir });
    expect(r.exitCode).to.equal(2);
    expect(changedCount(r)).to.equal(0);
    expect(explain(r)).to.match(/does not exist .*nothing was changed/);
    expect(await clusterFingerprint(lab!)).to.equal(before);
  });
});
