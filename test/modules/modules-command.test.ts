// `ringmaster modules`: the list, one module's documentation, JSON output and the did-you-mean for a typo.
import { expect } from 'chai';
import { runCli } from '../helpers/cli-io.js';
import { MODULES } from '../../engine/modules/registry.js';

const cli = (...argv: string[]) => runCli(argv, process.cwd(), {});

describe('ringmaster modules', () => {
  it('lists every module with its description', async () => {
    const r = await cli('modules');
    expect(r.code).to.equal(0);
    for (const m of MODULES.values()) expect(r.out).to.contain(m.name).and.contain(m.description);
  });
  it('documents one module: flags, each argument with type, required, default, enum, and the example', async () => {
    const r = await cli('modules', 'wait_for');
    expect(r.code).to.equal(0);
    expect(r.out).to.contain('check mode: supported; idempotent: yes');
    expect(r.out).to.contain('port (integer, optional)');
    expect(r.out).to.contain('state (string, optional, default "started", one of "started", "stopped", "present", "absent")');
    expect(r.out).to.contain('Example:').and.contain('wait_for:');
  });
  it('names the free-form argument and the one-of groups', async () => {
    const r = await cli('modules', 'command');
    expect(r.out).to.contain('free-form value: cmd').and.contain('exactly one of: cmd, argv');
    expect(r.out).to.contain('argv (string[], optional)');
  });
  it('prints the JSON Schema with --output json', async () => {
    const r = await cli('modules', 'copy', '--output', 'json');
    expect(JSON.parse(r.out)).to.include({ title: 'copy', additionalProperties: false });
  });
  it('refuses an unknown module and suggests the nearest one', async () => {
    const r = await cli('modules', 'templat');
    expect(r.code).to.equal(1);
    expect(r.err).to.contain('E_UNKNOWN_MODULE').and.contain("did you mean 'template'?");
  });
});
