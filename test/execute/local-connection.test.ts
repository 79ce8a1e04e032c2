// The local transport and the per-host connection factory, against the real `sh` of this machine.
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HostConnections, lazyConnection, transportFor } from '../../engine/connection/factory.js';
import { LocalConnection } from '../../engine/connection/local.js';
import { cmd } from '../../engine/connection/command.js';
import { RingError } from '../../engine/errors/index.js';
import { FakeConnectionFactory } from '../helpers/fake-connection.js';

describe('connection: local', () => {
  let dir: string;
  const conn = new LocalConnection('localhost', { RM_TEST_PW: 'pw-secret-1' });
  before(() => (dir = mkdtempSync(join(tmpdir(), 'rm-local-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('runs a command through sh -c with stdin, env and cwd and returns code, stdout and stderr', async () => {
    const r = await conn.exec(cmd('sh', '-c', 'read x; echo "$x-$GREETING-$(pwd)"; echo oops >&2; exit 3'), { stdin: 'in\n', env: { GREETING: 'hi' }, cwd: dir });
    expect(r).to.include({ code: 3, stdout: `in-hi-${dir}\n`, stderr: 'oops\n' });
  });

  it('kills the whole process group when the timeout expires', async () => {
    const marker = join(dir, 'survivor');
    const t0 = Date.now();
    const r = await conn.exec(`(sleep 2; touch ${marker}) & sleep 5`, { timeoutMs: 150 });
    expect(r.timedOut).to.equal(true);
    expect(r.code).to.equal(null);
    expect(Date.now() - t0).to.be.below(1500);
    await new Promise((res) => setTimeout(res, 2300));
    expect(() => statSync(marker)).to.throw();
  });

  it('stops a command when the run is interrupted', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const t0 = Date.now();
    const r = await conn.exec('sleep 5', { signal: ac.signal });
    expect(r.code).to.equal(null);
    expect(Date.now() - t0).to.be.below(1500);
  });

  it('wraps become with sudo, never putting the password on a command line or on the command\'s stdin', async () => {
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    const log = join(dir, 'sudo-args.log');
    // a NOPASSWD sudo: logs its arguments and runs the command
    writeFileSync(join(bin, 'sudo'), `#!/bin/sh\necho "args:$*" >> '${log}'\nwhile [ "$1" != -- ]; do shift; done; shift\nexec "$@"\n`, { mode: 0o755 });
    const path = process.env.PATH;
    process.env.PATH = `${bin}:${path}`;
    try {
      const r = await conn.exec('cat', { stdin: 'in\n', become: { method: 'sudo', user: 'etcd', passwordEnv: 'RM_TEST_PW' } });
      expect(r.stdout).to.equal('in\n');
      const args = readFileSync(log, 'utf8');
      expect(args).to.include('-u etcd --');
      expect(args).not.to.include('pw-secret-1');
    } finally {
      process.env.PATH = path;
    }
  });

  it('puts a file atomically with a mode, keeping the previous mode on overwrite, and gets it back', async () => {
    const f = join(dir, 'manifest.yaml');
    await conn.put(f, 'one\n', { mode: '0640' });
    expect(statSync(f).mode & 0o777).to.equal(0o640);
    await conn.put(f, 'two\n');
    expect(statSync(f).mode & 0o777).to.equal(0o640);
    expect(readFileSync(f, 'utf8')).to.equal('two\n');
    expect((await conn.get(f)).toString()).to.equal('two\n');
    expect(readdirSync(dir).filter((n) => n.includes('.tmp'))).to.deep.equal([]);
  });

  it('puts with become through a shell in the same folder (mktemp + mv)', async function () {
    if (process.getuid?.() !== 0) this.skip();
    const f = join(dir, 'as-root.txt');
    writeFileSync(f, 'old', { mode: 0o600 });
    await conn.put(f, 'new', { become: { method: 'su', user: 'root' } });
    expect(readFileSync(f, 'utf8')).to.equal('new');
    expect(statSync(f).mode & 0o777).to.equal(0o600);
  });

  it('fails to get a missing file with a RingError naming the path', async () => {
    const err = await conn.get(join(dir, 'absent')).catch((e) => e);
    expect(err).to.be.instanceOf(RingError);
    expect(err.message).to.contain('absent');
  });
});

describe('connection: factory', () => {
  it('chooses local for localhost and 127.0.0.1 without ansible_connection, else ssh, else what is declared', () => {
    expect(transportFor('localhost', {})).to.equal('local');
    expect(transportFor('127.0.0.1', {})).to.equal('local');
    expect(transportFor('node1', {})).to.equal('ssh');
    expect(transportFor('localhost', { ansible_connection: 'ssh' })).to.equal('ssh');
    expect(transportFor('node1', { ansible_connection: 'local' })).to.equal('local');
    expect(() => transportFor('node1', { ansible_connection: 'winrm' })).to.throw(RingError, /winrm/);
  });

  it('opens one connection per host, lazily, and remembers a failed connect as unreachable', async () => {
    const ssh = new FakeConnectionFactory({ '*': [{ match: /^true$/ }] }, { bad: new Error('refused') });
    const hc = new HostConnections({ ssh });
    const lazy = lazyConnection(hc, 'n1', () => ({}));
    expect(ssh.connects).to.deep.equal([]);
    await lazy.exec('true');
    await lazyConnection(hc, 'n1', () => ({})).exec('true');
    expect(ssh.connects).to.deep.equal(['n1']);
    const e1 = await hc.connect('bad', {}).catch((e) => e);
    const e2 = await hc.connect('bad', {}).catch((e) => e);
    expect(e1).to.be.instanceOf(RingError).and.to.have.property('code', 'E_UNREACHABLE');
    expect(e2).to.equal(e1);
    expect(ssh.connects.filter((h) => h === 'bad')).to.have.length(1);
    const local = await hc.connect('localhost', {});
    expect(local.info().transport).to.equal('local');
    await hc.closeAll();
    expect(ssh.closedAll).to.equal(true);
  });
});
