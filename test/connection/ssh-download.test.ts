// download/upload against a real sshd: streamed (memory bounded whatever the file's size), byte for byte, created
// exclusively at 0600, and a failed copy (missing file, full controller disk) leaves no partial file behind.
import { expect } from 'chai';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SshConnector } from '../../engine/connection/ssh/connector.js';
import type { BecomeSpec, Connection } from '../../engine/connection/types.js';
import { RingError } from '../../engine/errors/index.js';
import { runModule } from '../modules/context.js';
import { smallDisk, type SmallDisk } from '../helpers/small-disk.js';
import { keygen, removeDir, startSshd, workDir, type Sshd } from '../helpers/sshd.js';

const MiB = 1024 * 1024;
const ROOT: BecomeSpec = { method: 'sudo', user: 'root' };

/**
 * The most Buffer memory live at once while `work` runs, above what was live before: every 20 ms a full GC frees
 * the chunks already written, so what remains is what the copy holds (all of it, when a file is buffered).
 */
async function peakBuffers(work: () => Promise<unknown>): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run mocha with --expose-gc (.mocharc.json sets it) to measure live Buffer memory');
  gc();
  const base = process.memoryUsage().arrayBuffers;
  let peak = base;
  const sample = (): void => {
    gc();
    peak = Math.max(peak, process.memoryUsage().arrayBuffers);
  };
  const timer = setInterval(sample, 20);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  return peak - base;
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('ssh download and upload (streamed)', function () {
  this.timeout(120000);
  let dir: string;
  let remote: string;
  let local: string;
  let sshd: Sshd;
  let connector: SshConnector;
  let conn: Connection;
  let big: Buffer;
  let disk: SmallDisk | undefined;

  before(async () => {
    dir = workDir();
    remote = join(dir, 'remote');
    local = join(dir, 'local');
    mkdirSync(remote);
    mkdirSync(local);
    const key = keygen(join(dir, 'id_ed25519'));
    sshd = await startSshd({ dir: join(dir, 'sshd'), address: '127.0.0.25', authorizedKeys: [key.publicText] });
    const knownHosts = join(dir, 'known_hosts');
    writeFileSync(knownHosts, sshd.knownHostsLine() + '\n');
    connector = new SshConnector({ hostKeyChecking: 'strict', env: {}, interactive: false, home: dir });
    conn = await connector.connect('node1', { ansible_host: sshd.address, ansible_port: sshd.port, ansible_user: 'root', ansible_ssh_private_key_file: key.privatePath, ringmaster_known_hosts: knownHosts });
    big = randomBytes(32 * MiB);
    writeFileSync(join(remote, 'snapshot.db'), big);
  });
  after(async () => {
    disk?.remove();
    await connector?.closeAll();
    sshd?.stop();
    removeDir(dir);
  });

  for (const [how, become] of [['over SFTP', undefined], ['through sudo (cat)', ROOT]] as const) {
    it(`copies a 32 MiB file ${how} byte for byte at 0600, never holding it in memory`, async () => {
      const to = join(local, `snap-${become ? 'sudo' : 'sftp'}.db`);
      let got: { size: number; sha256: string } | undefined;
      const peak = await peakBuffers(async () => (got = await conn.download(join(remote, 'snapshot.db'), to, { become })));
      expect(got).to.deep.equal({ size: big.length, sha256: sha(big) });
      expect(readFileSync(to).equals(big), 'the copy differs from the remote file').to.equal(true);
      expect((statSync(to).mode & 0o777).toString(8)).to.equal('600');
      // Buffered, this held the whole file (32 MiB, twice while concatenating); streamed it holds a few chunks.
      expect(peak, `peak Buffer memory ${(peak / MiB).toFixed(1)} MiB`).to.be.below(16 * MiB);
    });
  }

  it('refuses a local file that exists and leaves it untouched', async () => {
    const to = join(local, 'evidence.db');
    writeFileSync(to, 'older evidence');
    const e = await conn.download(join(remote, 'snapshot.db'), to).then(() => undefined, (x: unknown) => x);
    expect((e as RingError).code).to.equal('E_TASK_FAILED');
    expect((e as RingError).message).to.include(to).and.include('already exists');
    expect(readFileSync(to, 'utf8')).to.equal('older evidence');
  });

  for (const [how, become] of [['over SFTP', undefined], ['through sudo (cat)', ROOT]] as const) {
    it(`names a missing remote file ${how} and leaves no local file`, async () => {
      const to = join(local, `missing-${become ? 'sudo' : 'sftp'}.db`);
      const e = await conn.download(join(remote, 'nope.db'), to, { become }).then(() => undefined, (x: unknown) => x);
      expect((e as RingError).code).to.equal('E_TASK_FAILED');
      expect((e as RingError).message).to.include('nope.db').and.match(/no such file/i);
      expect(existsSync(to)).to.equal(false);
    });
  }

  for (const [how, become] of [['over SFTP', undefined], ['through sudo (cat)', ROOT]] as const) {
    it(`fails on a full controller disk ${how}, saying so, and removes the partial file`, async () => {
      disk ??= smallDisk(join(dir, 'full'), 1);
      const to = join(disk.path, `snap-${become ? 'sudo' : 'sftp'}.db`);
      const e = await conn.download(join(remote, 'snapshot.db'), to, { become }).then(() => undefined, (x: unknown) => x);
      expect(e, 'a 32 MiB copy onto a 1 MiB disk succeeded').to.be.instanceOf(RingError);
      expect((e as RingError).message).to.include("no space left on the controller's disk").and.include(`nothing was left at ${to}`);
      expect(readdirSync(disk.path)).to.deep.equal([]);
    });
  }

  for (const [how, become] of [['over SFTP', undefined], ['through sudo (cat)', ROOT]] as const) {
    it(`stops a copy ${how} when the run is interrupted and removes the partial file`, async () => {
      const to = join(local, `interrupted-${become ? 'sudo' : 'sftp'}.db`);
      const stop = new AbortController();
      let settled = false;
      const copy = conn.download(join(remote, 'snapshot.db'), to, { become, signal: stop.signal }).finally(() => (settled = true));
      // Interrupt once the first bytes have landed, i.e. really mid-copy (a copy that ended first fails the test below).
      while (!settled && (!existsSync(to) || statSync(to).size === 0)) await new Promise((r) => setTimeout(r, 1));
      stop.abort();
      const e = await copy.then(() => undefined, (x: unknown) => x);
      expect((e as RingError).code, String(e)).to.equal('E_ABORTED');
      expect(existsSync(to)).to.equal(false);
    });
  }

  it('fetch onto a full controller disk fails naming it and leaves no .tmp file (it used to stay behind)', async () => {
    disk ??= smallDisk(join(dir, 'full'), 1);
    const e = await runModule('fetch', conn, { src: join(remote, 'snapshot.db'), dest: `${disk.path}/`, flat: true }, { playbookDir: dir }).then(
      (r) => new Error(`fetch answered ${JSON.stringify(r)}`),
      (x: unknown) => x,
    );
    expect((e as RingError).message).to.include("no space left on the controller's disk");
    expect(readdirSync(disk.path)).to.deep.equal([]);
  });

  for (const [how, become] of [['over SFTP', undefined], ['through sudo', ROOT]] as const) {
    it(`uploads a 32 MiB controller file ${how} byte for byte with its mode, never holding it in memory`, async () => {
      const from = join(local, 'upload.db');
      if (!existsSync(from)) writeFileSync(from, big, { mode: 0o600 });
      const to = join(remote, `uploaded-${become ? 'sudo' : 'sftp'}.db`);
      const peak = await peakBuffers(() => conn.upload(from, to, { mode: '0600', become }));
      expect(readFileSync(to).equals(big), 'the upload differs from the controller file').to.equal(true);
      expect((statSync(to).mode & 0o777).toString(8)).to.equal('600');
      expect(readdirSync(remote).filter((n) => n.includes('.ringmaster-'))).to.deep.equal([]);
      expect(peak, `peak Buffer memory ${(peak / MiB).toFixed(1)} MiB`).to.be.below(16 * MiB);
    });
  }
});
