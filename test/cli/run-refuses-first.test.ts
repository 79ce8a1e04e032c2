// `ringmaster run` refuses (exit 1, nothing run) what `validate` and the pre-flight find, before its first task.
import { expect } from 'chai';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../engine/paths.js';
import { runCli } from '../helpers/cli-io.js';

describe('ringmaster run refuses before the first task', () => {
  for (const [file, found] of [['later-typo.yml', 'undefined variable `etcd_cluster_tokn`'], ['later-bad-when.yml', 'unexpected `==`']]) {
    it(`${file}: exit 1 naming the problem, and task 1 never ran`, async () => {
      const marker = join(mkdtempSync(join(tmpdir(), 'ring-refuse-')), 'changed');
      const r = await runCli(['run', `test/fixtures/preflight/${file}`, '-e', `marker=${marker}`, '--output', 'plain'], packageRoot(), { NO_COLOR: '1' });
      expect(r.code, r.err).to.equal(1);
      expect(r.err).to.contain(found).and.contain('nothing was run');
      expect(r.err).to.match(new RegExp(`${file.replace('.', '\\.')}:\\d+:\\d+: error`));
      expect(existsSync(marker), 'task 1 changed the controller').to.equal(false);
    });
  }

  it('validate -i reports the same undefined variable without connecting anywhere', async () => {
    const r = await runCli(['validate', 'test/fixtures/preflight/later-typo.yml', '-i', 'inventories/kubeadm-stacked.yml', '-e', 'marker=/x'], packageRoot(), {});
    expect(r.code).to.equal(1);
    expect(r.err).to.contain('undefined variable `etcd_cluster_tokn`');
  });
});
