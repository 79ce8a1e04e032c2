// The CLI front door: help, unknown commands, exit codes.
import { expect } from 'chai';
import { main } from '../../engine/cli.js';
import { captureIO } from '../helpers/cli-io.js';

const io = () => captureIO();

describe('cli', () => {
  it('prints the command list for --help and exits 0', async () => {
    const t = io();
    expect(await main(['--help'], t.io)).to.equal(0);
    expect(t.out()).to.match(/Commands:/).and.match(/validate/);
  });
  it('suggests the nearest command for a typo and exits 1', async () => {
    const t = io();
    expect(await main(['valdate'], t.io)).to.equal(1);
    expect(t.err()).to.contain("did you mean 'validate'");
  });

  it('leaves --help after -- to the wrapped command', async () => {
    const t = io();
    // `lab run` is not up in unit tests: what matters is that the lab help is NOT printed instead of running.
    const code = await main(['lab', 'run', '--name', 'no-such-lab-for-test', '--', 'true', '--help'], t.io);
    expect(t.out()).not.to.match(/^ringmaster lab/m);
    expect(code).not.to.equal(0);
  });
});
