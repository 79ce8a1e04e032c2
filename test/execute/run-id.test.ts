// Every run has its own ID: in run_start, and as the magic variable ringmaster_run_id that evidence names use.
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../engine/cli.js';
import { captureIO } from '../helpers/cli-io.js';

describe('run ID', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'rm-runid-'));
    writeFileSync(join(dir, 'site.yml'), `- name: local play\n  hosts: localhost\n  tasks:\n    - name: say the run ID\n      debug:\n        msg: "run {{ ringmaster_run_id }}"\n`);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function run(): Promise<{ runId: string; msg: string }> {
    const t = captureIO(dir);
    expect(await main(['run', 'site.yml', '--output', 'json'], t.io), t.err()).to.equal(0);
    const events = t.out().trim().split('\n').map((l) => JSON.parse(l) as { type: string; runId?: string; msg?: string });
    return { runId: events.find((e) => e.type === 'run_start')!.runId!, msg: events.find((e) => e.type === 'host_result')!.msg! };
  }

  it('is in run_start, equals ringmaster_run_id, and differs between two runs', async () => {
    const [a, b] = await Promise.all([run(), run()]);
    expect(a.runId).to.match(/^[0-9a-f]{12}$/);
    expect(a.msg).to.equal(`run ${a.runId}`);
    expect(b.msg).to.equal(`run ${b.runId}`);
    expect(a.runId).to.not.equal(b.runId);
  });
});
