// `ringmaster run` refuses (exit 1, nothing run) what `validate` and the pre-flight find, before its first task.
import { expect } from 'chai';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../engine/paths.js';
import { runCli } from '../helpers/cli-io.js';

describe('ringmaster run refuses before the first task', () => {
  // [playbook, what the error says, the file:line:col it is located at (default: the playbook), extra args]
  const cases: Array<[string, string, string?, string[]?]> = [
    ['later-typo.yml', 'undefined variable `etcd_cluster_tokn`'],
    ['later-bad-when.yml', 'unexpected `==`'],
    ['later-unclosed-template.yml', 'template syntax error in argument `msg`'],
    ['later-unknown-helper.yml', 'unknown helper `shout`'],
    ['later-bad-until.yml', 'of the expression in `until`'],
    ['later-play-bad-pattern.yml', "host pattern 'etcd[1:' is malformed", undefined, ['-i', 'inventories/kubeadm-stacked.yml']],
    ['later-play-bad-vars-file.yml', 'must be a mapping of variable names to values', 'not-a-mapping.yml'],
    ['later-bad-template-file.yml', 'template file', 'broken.conf.hbs'],
    ['touch-only.yml', 'inventory variable `etcd_cluster_token` of group all', 'bad-template-inventory.yml', ['-i', 'test/fixtures/preflight/bad-template-inventory.yml']],
  ];
  for (const [file, found, at, extra] of cases) {
    it(`${file}${extra ? ` ${extra.join(' ')}` : ''}: exit 1 naming the problem at ${at ?? 'the playbook'}, and task 1 never ran`, async () => {
      const marker = join(mkdtempSync(join(tmpdir(), 'ring-refuse-')), 'changed');
      const r = await runCli(['run', `test/fixtures/preflight/${file}`, ...(extra ?? []), '-e', `marker=${marker}`, '--output', 'plain'], packageRoot(), { NO_COLOR: '1' });
      expect(r.code, r.err).to.equal(1);
      expect(r.err).to.contain(found).and.contain('nothing was run');
      expect(r.err).to.match(new RegExp(`${(at ?? file).replace(/\./g, '\\.')}:\\d+:\\d+: error`));
      expect(existsSync(marker), 'task 1 changed the controller').to.equal(false);
    });
  }

  it('validate, without an inventory, reads vars_files and template files as run would', async () => {
    for (const [file, found] of [['later-play-bad-vars-file.yml', 'must be a mapping'], ['later-bad-template-file.yml', 'broken.conf.hbs']]) {
      const r = await runCli(['validate', `test/fixtures/preflight/${file}`], packageRoot(), {});
      expect(r.code, `${file}: ${r.err}`).to.equal(1);
      expect(r.err).to.contain(found);
    }
  });

  it('validate -i reports the same undefined variable without connecting anywhere', async () => {
    const r = await runCli(['validate', 'test/fixtures/preflight/later-typo.yml', '-i', 'inventories/kubeadm-stacked.yml', '-e', 'marker=/x'], packageRoot(), {});
    expect(r.code).to.equal(1);
    expect(r.err).to.contain('undefined variable `etcd_cluster_tokn`');
  });
});
