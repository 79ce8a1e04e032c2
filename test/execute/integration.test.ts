// A YAML playbook through the real loader, templates and modules on the `local` connection (and in check mode).
import { expect } from 'chai';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HostConnections } from '../../engine/connection/factory.js';
import type { HostResult, RunEvent } from '../../engine/report/events.js';
import { createRunContext } from '../../engine/execute/defaults.js';
import { runPlaybooks } from '../../engine/execute/run.js';
import { loadPlaybook } from '../../engine/load/playbook.js';
import { packageRoot } from '../../engine/paths.js';
import { FakeConnectionFactory } from '../helpers/fake-connection.js';
import { loadInventories } from '../../engine/load/inventory.js';

const PLAYBOOK = join(packageRoot(), 'test', 'execute', 'fixtures', 'local-site.yml');

async function runSite(workdir: string, check: boolean) {
  const events: RunEvent[] = [];
  // The inventory lives outside workdir: the check-mode test asserts workdir stays empty.
  const invDir = mkdtempSync(join(tmpdir(), 'rm-int-inv-'));
  const invFile = join(invDir, 'hosts.ini');
  writeFileSync(invFile, `[local]\nl1\nl2\n\n[local:vars]\nansible_connection=local\nworkdir=${workdir}\n`);
  const inv = await loadInventories([invFile]);
  rmSync(invDir, { recursive: true, force: true });
  const ctx = createRunContext({
    inventory: inv,
    bus: { emit: (e) => events.push(e), addSecrets: () => {} },
    connections: new HostConnections({ ssh: new FakeConnectionFactory() }),
    options: { check },
  });
  const result = await runPlaybooks([await loadPlaybook(PLAYBOOK)], ctx);
  const results = events.filter((e): e is HostResult => e.type === 'host_result' && e.item === undefined);
  return { result, results, status: (task: string, host: string) => results.find((r) => r.task === task && r.host === host)?.status };
}

describe('execute: integration on the local connection', function () {
  this.timeout(30000);
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'rm-int-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('runs loop, until, when, block/rescue/always, handlers and serial batches for real', async () => {
    const { result, results, status } = await runSite(dir, false);
    expect(result.exitCode, JSON.stringify(results.filter((r) => r.status === 'failed'))).to.equal(0);
    const files = readdirSync(dir).sort();
    for (const h of ['l1', 'l2']) {
      expect(readFileSync(join(dir, `${h}-alpha.txt`), 'utf8')).to.equal(`alpha on ${h}\n`);
      expect(files).to.include.members([`${h}-beta.txt`, `${h}-when`, `${h}-rescued`, `${h}-always`, `${h}-handler`]);
      expect(files).not.to.include(`${h}-unreached`);
      expect(results.find((r) => r.task === 'Wait until the marker appears on the third try' && r.host === h)?.attempts).to.equal(3);
      expect(result.stats[h]).to.include({ failed: 0, rescued: 1 });
    }
    // serial: 1 → l1 runs the whole play (handlers included) before l2 starts; l1's handler sees only l1's 2 files
    expect(readFileSync(join(dir, 'l1-handler'), 'utf8').trim()).to.equal('2');
    expect(readFileSync(join(dir, 'l2-handler'), 'utf8').trim()).to.equal('4');
    expect(status('Fail on purpose', 'l1')).to.equal('failed');
    expect(status('Recover', 'l1')).to.equal('changed');
  });

  it('changes nothing on disk in check mode', async () => {
    const { result, status } = await runSite(dir, true);
    expect(readdirSync(dir)).to.deep.equal([]);
    expect(existsSync(join(dir, 'l1-alpha.txt'))).to.equal(false);
    // the copy reports what it would change; nothing ran, so nothing failed
    expect(status('Write one file per item', 'l1')).to.equal('changed');
    expect(result.exitCode).to.equal(0);
  });
});
