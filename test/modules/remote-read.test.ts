// Table tests of stat, slurp, fetch and wait_for on a scripted connection.
import { expect } from 'chai';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cmd } from '../../engine/connection/command.js';
import { fetchTarget } from '../../engine/modules/fetch.js';
import { sha256 } from '../../engine/modules/place-file.js';
import { parseStat, statCommand } from '../../engine/modules/remote-file.js';
import { WAIT_SCRIPT } from '../../engine/modules/wait-for-script.js';
import { runModule } from './context.js';
import { ScriptedConnection } from './fake-connection.js';

const fileAnswer = (content: string) => `81a4 ${content.length} 600 0 0 1700000000 root root\n${sha256(content)}  -\n`;

describe('modules: stat', () => {
  it('stat answers exists, type, size, mode, owner, mtime and checksum from one command', async () => {
    const conn = new ScriptedConnection([{ exec: statCommand('/etc/k.yaml', true).render(), reply: { stdout: fileAnswer('abc') } }]);
    const r = await runModule('stat', conn, { path: '/etc/k.yaml' });
    expect(r.changed).to.equal(false);
    expect(r.stat).to.deep.include({ exists: true, isreg: true, isdir: false, islnk: false, size: 3, mode: '0600', uid: 0, gid: 0, mtime: 1700000000, checksum: sha256('abc') });
  });
  it('stat reports exists: false for a missing path, and skips the checksum when told', async () => {
    const conn = new ScriptedConnection([{ exec: statCommand('/nope', false).render(), reply: { stdout: 'absent\n' } }]);
    const r = await runModule('stat', conn, { path: '/nope', checksum: false });
    expect(r.stat).to.deep.include({ exists: false, isdir: false });
  });
  it('parses a symbolic link and a directory from the raw mode bits', () => {
    expect(parseStat('a1ff 7 777 0 0 1 root root\n')).to.include({ islnk: true, isreg: false });
    expect(parseStat('41ed 4096 755 0 0 1 root root\n')).to.include({ isdir: true, mode: '0755' });
  });
});

describe('modules: slurp', () => {
  it('slurp returns the file base64-encoded through get', async () => {
    const conn = new ScriptedConnection([{ get: '/etc/ca.crt', data: Buffer.from([0, 255, 10]) }]);
    const r = await runModule('slurp', conn, { src: '/etc/ca.crt' });
    expect(r).to.deep.include({ changed: false, content: 'AP8K', encoding: 'base64', source: '/etc/ca.crt' });
  });
});

describe('modules: fetch', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'rm-fetch-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const statStep = (content: string) => ({ exec: statCommand('/var/snap.db', true).render(), reply: { stdout: fileAnswer(content) } });

  it('fetch puts the file under DEST/<host>/<src> and keeps a src from climbing out', () => {
    expect(fetchTarget('/pb', 'node1', '/var/snap.db', 'out', false)).to.equal('/pb/out/node1/var/snap.db');
    expect(fetchTarget('/pb', 'node1', '../../etc/passwd', 'out', false)).to.equal('/pb/out/node1/etc/passwd');
    expect(fetchTarget('/pb', 'node1', '/var/snap.db', 'out/', true)).to.equal('/pb/out/snap.db');
    expect(fetchTarget('/pb', 'node1', '/var/snap.db', '/abs/x.db', true)).to.equal('/abs/x.db');
  });
  it('fetch in check mode writes nothing', async () => {
    const conn = new ScriptedConnection([statStep('data')]);
    const r = await runModule('fetch', conn, { src: '/var/snap.db', dest: 'out' }, { check: true, playbookDir: dir });
    expect(r.changed).to.equal(true);
    expect(existsSync(join(dir, 'out'))).to.equal(false);
  });
  it('fetch transfers, verifies the sha256 and then is a no-op the second time', async () => {
    const conn = new ScriptedConnection([statStep('data'), { download: '/var/snap.db', data: 'data' }, statStep('data')]);
    const first = await runModule('fetch', conn, { src: '/var/snap.db', dest: 'out' }, { playbookDir: dir });
    expect(first).to.include({ changed: true, checksum: sha256('data') });
    expect(readFileSync(join(dir, 'out/node1/var/snap.db'), 'utf8')).to.equal('data');
    const second = await runModule('fetch', conn, { src: '/var/snap.db', dest: 'out' }, { playbookDir: dir });
    expect(second.changed).to.equal(false);
    expect(conn.remaining()).to.deep.equal([]);
  });
  it('fetch keeps a different local file aside (run ID + millisecond) before replacing it', async () => {
    const conn = new ScriptedConnection([statStep('new'), { download: '/var/snap.db', data: 'new' }]);
    mkdirSync(join(dir, 'keep/node1/var'), { recursive: true });
    writeFileSync(join(dir, 'keep/node1/var/snap.db'), 'old');
    const r = await runModule('fetch', conn, { src: '/var/snap.db', dest: 'keep' }, { playbookDir: dir, vars: { ringmaster_run_id: 'r5' } });
    expect(r).to.include({ changed: true });
    expect(r.backup_file).to.match(/\/keep\/node1\/var\/snap\.db\.\d{8}T\d{9}Z-r5~$/);
    expect(readFileSync(r.backup_file as string, 'utf8')).to.equal('old');
    expect(readFileSync(join(dir, 'keep/node1/var/snap.db'), 'utf8')).to.equal('new');
    expect(readdirSync(join(dir, 'keep/node1/var')).sort()).to.deep.equal(['snap.db', (r.backup_file as string).split('/').pop()]);
  });
  it('fetch fails and writes nothing when the bytes received do not match the checksum', async () => {
    const conn = new ScriptedConnection([statStep('good'), { download: '/var/snap.db', data: 'bad!' }]);
    const r = await runModule('fetch', conn, { src: '/var/snap.db', dest: 'x.db', flat: true }, { playbookDir: dir });
    expect(r.failed).to.equal(true);
    expect(r.msg).to.contain('checksum mismatch');
    expect(existsSync(join(dir, 'x.db'))).to.equal(false);
  });
  it('fetch fails naming a src missing on the host', async () => {
    mkdirSync(join(dir, 'o2'), { recursive: true });
    writeFileSync(join(dir, 'o2', 'keep'), '');
    const conn = new ScriptedConnection([{ exec: statCommand('/var/snap.db', true).render(), reply: { stdout: 'absent\n' } }]);
    const r = await runModule('fetch', conn, { src: '/var/snap.db', dest: 'o2' }, { playbookDir: dir });
    expect(r).to.include({ failed: true, msg: '/var/snap.db does not exist on node1' });
  });
});

describe('modules: wait_for', () => {
  const loop = (...a: (string | number)[]) => cmd('bash', '-c', WAIT_SCRIPT, 'wait_for', ...a).render();
  it('wait_for sends ONE polling loop with the port, state and timings as arguments', async () => {
    const conn = new ScriptedConnection([{ exec: loop('127.0.0.1', 2379, '', 'started', 300, 0, 1), reply: { stdout: 'elapsed=4\n' } }]);
    const r = await runModule('wait_for', conn, { port: 2379 });
    expect(r).to.include({ changed: false, elapsed: 4 });
    expect(conn.calls[0].timeoutMs, 'the connection gets a deadline past the loop').to.equal(330_000);
  });
  it('wait_for fails with the timeout, the port and the host named', async () => {
    const conn = new ScriptedConnection([{ exec: loop('127.0.0.1', 2379, '', 'started', 5, 0, 1), reply: { code: 3 } }]);
    const r = await runModule('wait_for', conn, { port: 2379, timeout: 5 });
    expect(r).to.include({ failed: true, msg: 'timed out after 5s waiting for port 2379 on 127.0.0.1 to be started' });
  });
  it('wait_for waits for a path to be absent', async () => {
    const conn = new ScriptedConnection([{ exec: loop('127.0.0.1', '', '/run/etcd.lock', 'absent', 10, 2, 1), reply: { stdout: 'elapsed=0\n' } }]);
    const r = await runModule('wait_for', conn, { path: '/run/etcd.lock', state: 'absent', timeout: 10, delay: 2 });
    expect(r).to.include({ changed: false, msg: 'path /run/etcd.lock is absent' });
  });
});
