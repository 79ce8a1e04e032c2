// The debug log an internal error leaves: private (0600), and without the extra vars users put secrets in.
import { expect } from 'chai';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { main } from '../../engine/cli.js';
import { COMMANDS } from '../../engine/commands/registry.js';
import type { CommandDef } from '../../engine/commands/types.js';
import { captureIO } from '../helpers/cli-io.js';

describe('cli: debug log of an internal error', () => {
  const commands = COMMANDS as Map<string, () => Promise<CommandDef>>;
  const boom: CommandDef = { name: 'boom-test', summary: '', help: '', run: async () => { throw new Error('kaboom'); } };
  before(() => commands.set('boom-test', async () => boom));
  after(() => commands.delete('boom-test'));

  it('is written 0600 with the extra vars of the command line hidden', async () => {
    const t = captureIO();
    const code = await main(['boom-test', '-e', 'db_password=hunter2-xyz', '--extra-vars={"api_token":"tok-zyx987"}', '-e', '@vars.yml', '-v'], t.io);
    expect(code).to.equal(255);
    const file = /the stack trace is in (\S+)/.exec(t.err())?.[1];
    expect(file, t.err()).to.be.a('string');
    try {
      expect(statSync(file!).mode & 0o777).to.equal(0o600);
      const text = readFileSync(file!, 'utf8');
      expect(text).to.include('argv: boom-test -e <extra vars hidden> --extra-vars=<extra vars hidden> -e @vars.yml -v');
      expect(text).to.include('kaboom');
      expect(text).not.to.include('hunter2').and.not.include('tok-zyx987');
    } finally {
      rmSync(dirname(file!), { recursive: true, force: true });
    }
  });
});
