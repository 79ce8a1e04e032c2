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

  it('two runs started together for two keys: the lock lets one at a time, both raw values are kept, in files of their own', async () => {
    const keysDir = join(dir, 'keys');
    const earlier = new Set(readdirSync(keysDir));
    const together = await Promise.all([11, 12].map((i) => runPlaybook(lab!, 'repair-key.yml', { key: keyOf(i), backup_dir: dir })));
    // A run the cluster lock refused changed nothing and is simply run again, as an operator would.
    for (const [n, r] of together.entries()) {
      if (r.exitCode === 8) {
        expect(r.recap?.aborted, explain(r)).to.match(/locked by run/);
        expect(changedCount(r), explain(r)).to.equal(0);
        together[n] = await runPlaybook(lab!, 'repair-key.yml', { key: keyOf(11 + n), backup_dir: dir });
      }
    }
    const [a, b] = together;
    expect(a.exitCode, explain(a)).to.equal(0);
    expect(b.exitCode, explain(b)).to.equal(0);
    const added = readdirSync(keysDir).filter((f) => !earlier.has(f));
    expect(added, added.join(', ')).to.have.length(2);
    for (const i of [11, 12]) {
      const holding = added.map((f) => JSON.parse(readFileSync(join(keysDir, f), 'utf8')) as { kvs: Array<{ key: string; value_base64: string }> })
        .filter((saved) => saved.kvs.some((kv) => kv.key === keyOf(i)));
      expect(holding, `backups of ${keyOf(i)}`).to.have.length(1);
      expect(Buffer.from(holding[0].kvs[0].value_base64, 'base64').toString()).to.equal(valueOf(i, 'a'));
    }
    expect(added.every((f) => /^etcd-keys-node\d-\d{8}T\d{9}Z-[0-9a-f]{12}\.json$/.test(f)), added.join(', ')).to.equal(true);
    expect(await verifyKeys(lab!, 1000, 'a', [keyOf(7), keyOf(11), keyOf(12)])).to.deep.equal([]);
    expect(await verifyKeys(lab!, 1000, 'a')).to.deep.equal([`${keyOf(7)} missing`, `${keyOf(11)} missing`, `${keyOf(12)} missing`]);
    expect(await settledProblems(lab!)).to.deep.equal([]);
  });
});
