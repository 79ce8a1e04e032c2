// The CLI front door: help, unknown commands, exit codes.
import { expect } from 'chai';
import { PassThrough } from 'node:stream';
import { main } from '../../engine/cli.js';

function io() {
  const out = new PassThrough();
  const err = new PassThrough();
  let o = '';
  let e = '';
  out.on('data', (d) => (o += d));
  err.on('data', (d) => (e += d));
  return { io: { stdout: out, stderr: err, stdin: new PassThrough(), env: {}, cwd: process.cwd() }, out: () => o, err: () => e };
}

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
});
