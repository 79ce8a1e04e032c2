// e2e: the shipped playbooks on every pinned etcd line besides the lab's default (the rest of the suite runs that one):
// 1000 keys, health, snapshot-save, replace-member of a wiped node, snapshot-restore, and the keys on every member.
import { expect } from 'chai';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { etcdctl, parseEtcdJson, waitClusterHealthy } from '../../engine/lab/etcd-query.js';
import { defaultEtcdLine, isBuilt, pinnedReleases } from '../../engine/lab/etcd-versions.js';
import { inventoryPath } from '../../engine/lab/inventory.js';
import { labUp } from '../../engine/lab/up.js';
import { readState, specOf } from '../../engine/lab/state.js';
import {
  clusterFingerprint, explain, keyOf, labAvailable, labFail, labName, labStop, markManifestsExisting, runPlaybook, settledProblems, sh,
  valueOf, writeKeys, type CliRun, type Lab,
} from './harness.js';
import { labDown } from '../../engine/lab/down.js';

/** The keys `node`'s own member holds (a serializable read of its local endpoint: what that member has, not the leader). */
async function memberProblems(lab: Lab, node: string, tag: string): Promise<string[]> {
  const out = await sh(lab, node, `${etcdctl(lab.spec)} --command-timeout=10s --consistency=s get --prefix /e2e/ -w json`);
  const kvs = (parseEtcdJson(out) as { kvs?: Array<{ key: string; value: string }> }).kvs ?? [];
  const have = new Map(kvs.map((kv) => [Buffer.from(kv.key, 'base64').toString(), Buffer.from(kv.value, 'base64').toString()]));
  const problems: string[] = [];
  for (let i = 0; i < 1000; i++) if (have.get(keyOf(i)) !== valueOf(i, tag)) problems.push(`${node}: ${keyOf(i)} = ${have.get(keyOf(i)) ?? 'missing'}`);
  if (have.size !== 1000) problems.push(`${node}: ${have.size} keys under /e2e/, expected 1000`);
  return problems.slice(0, 5);
}

/**
 * The server version each member reports for itself (endpoint status), so a cell proves which etcd it ran on. Polled
 * for up to 20 s: the static-pod runner may be restarting a member on a just-rewritten manifest (a failed try prints `[]`).
 */
async function liveStatus(lab: Lab): Promise<Array<{ version: string; revision: number }>> {
  return Promise.all(lab.nodes.map(async (n) => {
    const out = await sh(lab, n, `for i in $(seq 40); do o=$(${etcdctl(lab.spec)} endpoint status -w json 2>/dev/null) && { printf '%s' "$o"; exit 0; }; sleep 0.5; done; exit 1`, 40_000);
    const st = (parseEtcdJson(out) as Array<{ Status: { version: string; header: { revision: number } } }>)[0].Status;
    return { version: String(st.version), revision: Number(st.header.revision) };
  }));
}
const liveVersions = async (lab: Lab) => (await liveStatus(lab)).map((s) => s.version);

const lines = [...pinnedReleases()].filter(([line]) => line !== defaultEtcdLine());

for (const [line, version] of lines) {
  describe(`shipped playbooks on etcd ${version} (line ${line}) @lab @e2e`, function () {
    this.timeout(180_000);
    const NAME = labName(`v${line.replace('.', '')}`);
    const walls: Record<string, number> = {};
    let lab: Lab | undefined;
    let dir = '';
    let snapshot = '';
    const tag = 'a';
    const run = async (playbook: string, vars: Record<string, string>): Promise<CliRun> => {
      const r = await runPlaybook(lab!, playbook, vars);
      walls[playbook] = r.wallMs;
      return r;
    };

    before(async function () {
      this.timeout(60_000);
      if (!labAvailable()) this.skip();
      if (!isBuilt(version)) {
        // CI must prove every line: scripts/setup.sh (npm test's pretest) builds them, so a missing one is a broken set-up.
        if (process.env.CI) throw new Error(`etcd ${version} is not built: run \`bash scripts/build-etcd.sh ${version}\` (scripts/setup.sh does)`);
        console.log(`      skipped: etcd ${version} is not built; run \`bash scripts/build-etcd.sh ${version}\``);
        this.skip();
      }
      await labDown(NAME);
      await labUp({ name: NAME, nodes: 3, tls: true, etcdVersion: version, install: false, keepOnFailure: false, log: () => undefined });
      const state = readState(NAME)!;
      const spec = specOf(state);
      lab = { name: NAME, spec, state, inventory: inventoryPath(spec), nodes: spec.etcdNodes.map((n) => n.name) };
      // As a kubeadm join leaves them; the runner restarts every member on the rewritten manifest.
      await markManifestsExisting(lab);
      await waitClusterHealthy(lab.spec, lab.state, lab.nodes[0], 30_000);
      dir = mkdtempSync(join(tmpdir(), `ring-e2e-v${line}-`));
      await writeKeys(lab, 1000, tag);
    });

    after(async function () {
      this.timeout(30_000);
      if (Object.keys(walls).length) console.log(`      etcd ${version} playbook wall times: ${Object.entries(walls).map(([p, ms]) => `${p} ${(ms / 1000).toFixed(1)} s`).join(', ')}`);
      await labStop(lab, NAME);
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it(`runs etcd ${version} on every member`, async () => {
      expect(await liveVersions(lab!)).to.deep.equal([version, version, version]);
    });

    it('health.yml passes', async () => {
      const r = await run('health.yml', {});
      expect(r.exitCode, explain(r)).to.equal(0);
    });

    it('snapshot-save.yml saves a verified snapshot', async () => {
      const r = await run('snapshot-save.yml', { snapshot_dir: dir });
      expect(r.exitCode, explain(r)).to.equal(0);
      const file = readdirSync(dir).find((f) => f.endsWith('.db'));
      expect(file, `no snapshot in ${dir}`).to.be.a('string');
      snapshot = join(dir, file!);
    });

    it('replace-member.yml replaces a wiped member (force) and it holds the keys', async () => {
      await labFail(lab!.state, 'node3', 'wipe');
      const r = await run('replace-member.yml', { target: 'node3', force: 'true', snapshot_dir: dir });
      expect(r.exitCode, explain(r)).to.equal(0);
      expect(await settledProblems(lab!)).to.deep.equal([]);
      expect(await memberProblems(lab!, 'node3', tag)).to.deep.equal([]);
    });

    it('snapshot-restore.yml restores the snapshot on every member, and every member holds the 1000 keys', async function () {
      if (!snapshot) this.skip();
      await sh(lab!, 'node1', `${etcdctl(lab!.spec)} put /e2e/after-snapshot x >/dev/null`);
      const r = await run('snapshot-restore.yml', { snapshot, backup_dir: dir });
      expect(r.exitCode, explain(r)).to.equal(0);
      expect(await settledProblems(lab!)).to.deep.equal([]);
      for (const n of lab!.nodes) expect(await memberProblems(lab!, n, tag), n).to.deep.equal([]);
      const after = await liveStatus(lab!);
      expect(after.map((s) => s.version)).to.deep.equal([version, version, version]);
      // 3.5+: etcdutl restored with --bump-revision=1000000000 --mark-compacted, so a watcher's old revision can never
      // be reused. Debian's etcdctl 3.4.23 has neither etcdutl nor the flags (3.4.27+ has them): a plain etcdctl restore.
      const tool = line === '3.4' ? 'env ETCDCTL_API=3 etcdctl snapshot restore' : 'etcdutl snapshot restore';
      expect(r.results.filter((x) => x.task.length > 0 && (x.commands ?? []).some((c) => c.startsWith(tool))).map((x) => x.host).sort(), explain(r)).to.deep.equal(lab!.nodes);
      for (const s of after) {
        if (line === '3.4') expect(s.revision).to.be.below(1_000_000_000);
        else expect(s.revision).to.be.above(1_000_000_000);
      }
    });

    it('recover-quorum.yml recovers from the survivor after 2 of 3 members are lost, and every member holds the keys', async () => {
      await labFail(lab!.state, 'node2', 'stop');
      await labFail(lab!.state, 'node3', 'stop');
      const vars = { backup_dir: dir };
      if (line === '3.4') {
        // 3.4 never got the fix of --force-new-cluster leaving learners behind (3.5.25 / 3.6.6): refused unless accepted.
        const before = await clusterFingerprint(lab!);
        const refused = await run('recover-quorum.yml', vars);
        expect(refused.exitCode, explain(refused)).to.equal(8);
        expect(refused.stdout + refused.stderr).to.contain('accept_known_bug');
        expect(await clusterFingerprint(lab!)).to.equal(before);
        Object.assign(vars, { accept_known_bug: 'true' });
      }
      const r = await run('recover-quorum.yml', vars);
      expect(r.exitCode, explain(r)).to.equal(0);
      expect(await settledProblems(lab!)).to.deep.equal([]);
      for (const n of lab!.nodes) expect(await memberProblems(lab!, n, tag), n).to.deep.equal([]);
      expect(await liveVersions(lab!)).to.deep.equal([version, version, version]);
    });

    it('repair-key.yml deletes exactly one key after a snapshot; every member lacks it and holds the other 999', async () => {
      const r = await run('repair-key.yml', { key: keyOf(7), backup_dir: dir });
      expect(r.exitCode, explain(r)).to.equal(0);
      for (const n of lab!.nodes) {
        expect(await memberProblems(lab!, n, tag), n).to.deep.equal([`${n}: ${keyOf(7)} = missing`, `${n}: 999 keys under /e2e/, expected 1000`]);
      }
    });
  });
}
