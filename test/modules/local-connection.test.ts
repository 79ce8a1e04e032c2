// copy, template, file, stat, slurp, fetch and wait_for for real: a local connection against a temp folder.
import { expect } from 'chai';
import { createServer, type Server } from 'node:net';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalConnection } from '../../engine/connection/local.js';
import { sha256 } from '../../engine/modules/place-file.js';
import { runModule } from './context.js';

describe('modules on a real local connection', function () {
  this.timeout(20000);
  let dir: string;
  let pb: string;
  const conn = new LocalConnection('localhost');
  const run = (name: string, args: Record<string, unknown>, o: { check?: boolean; diff?: boolean } = {}) =>
    runModule(name, conn, args, { ...o, playbookDir: pb, vars: { member: 'node1' } });

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'rm-local-'));
    pb = mkdtempSync(join(tmpdir(), 'rm-pb-'));
    writeFileSync(join(pb, 'etcd.env.hbs'), 'ETCD_NAME={{ member }}\n');
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(pb, { recursive: true, force: true });
  });

  it('copy writes, is a no-op the second time, and keeps a backup when the content changes', async () => {
    const dest = join(dir, 'a file.conf');
    expect(await run('copy', { content: 'one\n', dest, mode: '0640' })).to.include({ changed: true });
    expect(readFileSync(dest, 'utf8')).to.equal('one\n');
    expect(statSync(dest).mode & 0o777).to.equal(0o640);
    expect(await run('copy', { content: 'one\n', dest, mode: '0640' })).to.include({ changed: false });
    const r = await run('copy', { content: 'two\n', dest, backup: true }, { diff: true });
    expect(r.diff).to.deep.equal([{ path: dest, before: 'one\n', after: 'two\n' }]);
    expect(readFileSync(String(r.backup_file), 'utf8')).to.equal('one\n');
    expect(readFileSync(dest, 'utf8')).to.equal('two\n');
  });

  it('copy in check mode leaves the host untouched', async () => {
    const dest = join(dir, 'never.conf');
    expect(await run('copy', { content: 'x', dest }, { check: true })).to.include({ changed: true });
    expect(existsSync(dest)).to.equal(false);
  });

  it('template renders with the host variables and is idempotent', async () => {
    const dest = join(dir, 'etcd.env');
    expect(await run('template', { src: 'etcd.env.hbs', dest })).to.include({ changed: true });
    expect(readFileSync(dest, 'utf8')).to.equal('ETCD_NAME=node1\n');
    expect(await run('template', { src: 'etcd.env.hbs', dest })).to.include({ changed: false });
  });

  it('file creates a directory tree, fixes its mode recursively, then reports ok', async () => {
    const d = join(dir, 'backups', 'etcd');
    expect(await run('file', { path: d, state: 'directory', mode: '0700' })).to.include({ changed: true });
    writeFileSync(join(d, 'snap'), 'x');
    chmodSync(join(d, 'snap'), 0o644);
    expect(await run('file', { path: d, state: 'directory', mode: '0700', recurse: true })).to.include({ changed: true });
    expect(statSync(join(d, 'snap')).mode & 0o777).to.equal(0o700);
    expect(await run('file', { path: d, state: 'directory', mode: '0700', recurse: true })).to.include({ changed: false });
  });

  it('file touches, then removes, a path — each twice, changing only the first time', async () => {
    const f = join(dir, 'touched');
    expect((await run('file', { path: f, state: 'touch' })).changed).to.equal(true);
    expect((await run('file', { path: f, state: 'touch' })).changed).to.equal(false);
    expect((await run('file', { path: f, state: 'absent' })).changed).to.equal(true);
    expect((await run('file', { path: f, state: 'absent' })).changed).to.equal(false);
    expect(existsSync(f)).to.equal(false);
  });

  it('stat describes a real file with its sha256, and slurp reads it back', async () => {
    const f = join(dir, 'data.bin');
    writeFileSync(f, Buffer.from([1, 2, 3, 0]));
    const s = (await run('stat', { path: f })).stat as Record<string, unknown>;
    expect(s).to.include({ exists: true, isreg: true, size: 4, checksum: sha256(Buffer.from([1, 2, 3, 0])) });
    expect((await run('slurp', { src: f })).content).to.equal(Buffer.from([1, 2, 3, 0]).toString('base64'));
  });

  it('fetch brings a file home under DEST/<host>/<src> and skips the transfer when it is already there', async () => {
    const f = join(dir, 'snap.db');
    writeFileSync(f, 'snapshot');
    expect(await run('fetch', { src: f, dest: 'fetched' })).to.include({ changed: true });
    const target = join(pb, 'fetched', 'localhost', f);
    expect(readFileSync(target, 'utf8')).to.equal('snapshot');
    expect(await run('fetch', { src: f, dest: 'fetched' })).to.include({ changed: false });
    expect(readdirSync(join(target, '..')).filter((n) => n.endsWith('.tmp'))).to.deep.equal([]);
  });

  describe('wait_for', () => {
    let server: Server;
    let port: number;
    before((done) => {
      server = createServer((s) => s.end()).listen(0, '127.0.0.1', () => {
        port = (server.address() as { port: number }).port;
        done();
      });
    });
    after((done) => {
      server.close(() => done());
    });

    it('wait_for sees a listening port on 127.0.0.1 at once', async () => {
      expect(await run('wait_for', { port, timeout: 5 })).to.include({ changed: false, elapsed: 0 });
    });
    it('wait_for times out on a closed port with the message naming port, host and state', async () => {
      const closed = await new Promise<number>((resolve) => {
        const s = createServer().listen(0, '127.0.0.1', () => {
          const p = (s.address() as { port: number }).port;
          s.close(() => resolve(p));
        });
      });
      const r = await run('wait_for', { port: closed, timeout: 1 });
      expect(r).to.include({ failed: true, msg: `timed out after 1s waiting for port ${closed} on 127.0.0.1 to be started` });
    });
    it('wait_for waits for a path that appears while it polls', async () => {
      const p = join(dir, 'ready');
      setTimeout(() => writeFileSync(p, ''), 300);
      expect(await run('wait_for', { path: p, timeout: 5 })).to.include({ changed: false });
    });
  });
});
