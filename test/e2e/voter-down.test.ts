// e2e: replace-member.yml while ANOTHER voter is down (5 nodes: node5 stopped, node2 wiped). etcd 3.5.30+ / 3.6.11+
// add a member with a voter down, so the replacement goes through on the lab's default 3.6; Debian's 3.4.23 refuses
// that `member add` ("unhealthy cluster"), so the guard refuses first (exit 8) and nothing changes.
import { expect } from 'chai';
import { DEBIAN_ETCD } from '../../engine/lab/etcd-versions.js';
import {
  clusterFingerprint, explain, settledFingerprint, labAvailable, labFail, labName, labStop, members, runPlaybook, settledLab, verifyKeys,
  writeKeys, type Lab,
} from './harness.js';

const cases = [
  { version: undefined, tag: 'vd', expect: 'replaced' },
  { version: DEBIAN_ETCD, tag: 'vdo', expect: 'refused' },
] as const;

for (const c of cases) {
  describe(`replace-member.yml with another voter down on etcd ${c.version ?? 'default'} @lab @e2e`, function () {
    this.timeout(240_000);
    const NAME = labName(c.tag);
    let lab: Lab | undefined;

    before(async function () {
      this.timeout(120_000);
      if (!labAvailable()) this.skip();
      lab = await settledLab(NAME, 5, c.version);
      await writeKeys(lab, 1000, 'vd');
      await labFail(lab.state, 'node5', 'stop');
      await labFail(lab.state, 'node2', 'wipe');
    });
    after(async function () {
      this.timeout(60_000);
      await labStop(lab, NAME);
    });

    if (c.expect === 'replaced') {
      it('replaces node2 with node5 still down; node1-4 hold the 1000 keys and node5 is still a member', async () => {
        const before = (await members(lab!)).find((m) => m.name === 'node5');
        const r = await runPlaybook(lab!, 'replace-member.yml', { target: 'node2', force: 'true' });
        expect(r.exitCode, explain(r)).to.equal(0);
        const after = await members(lab!);
        expect(after.find((m) => m.name === 'node5')?.id, 'node5 kept its ID').to.equal(before?.id);
        expect(after.filter((m) => m.name === 'node2' && !m.isLearner && m.started), 'node2 a started voter').to.have.length(1);
        for (const n of ['node1', 'node2', 'node3', 'node4']) expect(await verifyKeys(lab!, 1000, 'vd', [], n), n).to.deep.equal([]);
      });
    } else {
      it('refuses (exit 8) before any change, naming node5 and the releases that allow it', async () => {
        const before = await settledFingerprint(lab!);
        const r = await runPlaybook(lab!, 'replace-member.yml', { target: 'node2', force: 'true' });
        expect(r.exitCode, explain(r)).to.equal(8);
        expect(r.stdout + r.stderr).to.contain(`etcd ${DEBIAN_ETCD} (the oldest running member) refuses \`member add\` while a voter is down`).and.match(/node5 \([0-9a-f]{16}, https:\/\/[0-9.]+:2380\) would be down/);
        expect(await clusterFingerprint(lab!)).to.equal(before);
        for (const n of ['node1', 'node3', 'node4']) expect(await verifyKeys(lab!, 1000, 'vd', [], n), n).to.deep.equal([]);
      });
    }
  });
}
