// The sudo password reaches only sudo's prompt, and nothing secret is in a command line (local transport, fake sudo).
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalConnection } from '../../engine/connection/local.js';
import { wrapCommand } from '../../engine/connection/wrap.js';
import { fakeSudo } from '../helpers/fake-sudo.js';

const PASSWORD = "s3cr'et pw$(id)";
const become = { method: 'sudo' as const, user: 'root', passwordEnv: 'RM_TEST_PW' };

describe('connection: become password and environment stay out of stdin and argv', () => {
  let dir: string;
  const conn = new LocalConnection('localhost', { RM_TEST_PW: PASSWORD });
  const saved = { PATH: process.env.PATH, TMPDIR: process.env.TMPDIR };
  let tmp: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rm-become-'));
    tmp = join(dir, 'tmp');
    mkdirSync(tmp);
    process.env.TMPDIR = tmp;
  });
  afterEach(() => {
    process.env.PATH = saved.PATH;
    if (saved.TMPDIR === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved.TMPDIR;
    rmSync(dir, { recursive: true, force: true });
  });
  const usePath = (bin: string) => (process.env.PATH = `${bin}:${saved.PATH}`);

  it('a command reading stdin under NOPASSWD sudo never sees the password', async () => {
    usePath(fakeSudo(dir).bin);
    const r = await conn.exec('cat', { stdin: 'data\n', become });
    expect(r.stdout).to.equal('data\n');
    expect(r.stdout + r.stderr).not.to.include('s3cr');
    expect(readdirSync(tmp)).to.deep.equal([]);
  });

  it('a password sudo asks for is given by a one-shot askpass helper, and the command still gets its own stdin', async () => {
    const sudo = fakeSudo(dir, PASSWORD);
    usePath(sudo.bin);
    const r = await conn.exec('cat; echo "G=$G"', { stdin: 'data\n', env: { G: 'env value' }, become });
    expect(r).to.include({ code: 0, stdout: 'data\nG=env value\n' });
    const log = readFileSync(sudo.log, 'utf8');
    expect(log).to.include('mode:A');
    expect(log).not.to.include('askpass-left');
    // the helper folder is gone after the run: no password file left on the host
    expect(readdirSync(tmp)).to.deep.equal([]);
  });

  it('a wrong password fails in sudo without running the command or reading its stdin', async () => {
    usePath(fakeSudo(dir, 'another one').bin);
    const r = await conn.exec('echo ran; cat', { stdin: 'data\n', become });
    expect(r.code).to.not.equal(0);
    expect(r.stdout).to.equal('');
    expect(r.stderr).to.include('incorrect password');
    expect(readdirSync(tmp)).to.deep.equal([]);
  });

  it('puts neither environment values nor the password in the command line', () => {
    const w = wrapCommand('ps -eo args', { env: { SECRET_TOKEN: 'tok-0123456789' }, cwd: '/tmp', become }, { RM_TEST_PW: PASSWORD });
    expect(w.command).not.to.include('tok-0123456789');
    expect(w.command).not.to.include('s3cr');
    expect(w.stdinPrefix).to.include('tok-0123456789');
    const plain = wrapCommand('ps -eo args', { env: { SECRET_TOKEN: 'tok-0123456789' } });
    expect(plain.command).not.to.include('tok-0123456789');
  });
});
