// download/upload on the local connection: streamed, byte for byte, created exclusively at 0600 (also as another
// user through sudo), and a copy onto a full disk fails saying so and leaves no partial file.
import { expect } from 'chai';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalConnection } from '../../engine/connection/local.js';
import type { BecomeSpec } from '../../engine/connection/types.js';
import { RingError } from '../../engine/errors/index.js';
import { smallDisk, type SmallDisk } from '../helpers/small-disk.js';

const ROOT: BecomeSpec = { method: 'sudo', user: 'root' };

describe('local download and upload (streamed)', function () {
  this.timeout(30000);
  const conn = new LocalConnection('localhost');
  const data = randomBytes(4 * 1024 * 1024);
  let dir: string;
  let disk: SmallDisk | undefined;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'rm-local-dl-'));
    writeFileSync(join(dir, 'src.db'), data);
  });
  after(() => {
    disk?.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const [how, become] of [['directly', undefined], ['through sudo (cat)', ROOT]] as const) {
    it(`downloads ${how} byte for byte at 0600 and returns size and sha256`, async () => {
      const to = join(dir, `dl-${become ? 'sudo' : 'fs'}.db`);
      const got = await conn.download(join(dir, 'src.db'), to, { become });
      expect(got).to.deep.equal({ size: data.length, sha256: createHash('sha256').update(data).digest('hex') });
      expect(readFileSync(to).equals(data)).to.equal(true);
      expect((statSync(to).mode & 0o777).toString(8)).to.equal('600');
    });

    it(`fails on a full disk ${how}, saying so, and leaves no partial file`, async () => {
      disk ??= smallDisk(join(dir, 'full'), 1);
      const to = join(disk.path, `dl-${become ? 'sudo' : 'fs'}.db`);
      const e = await conn.download(join(dir, 'src.db'), to, { become }).then(() => undefined, (x: unknown) => x);
      expect(e, 'a 4 MiB copy onto a 1 MiB disk succeeded').to.be.instanceOf(RingError);
      expect((e as RingError).message).to.include("no space left on the controller's disk");
      expect(readdirSync(disk.path)).to.deep.equal([]);
    });

    it(`uploads ${how} byte for byte with the mode asked for`, async () => {
      const to = join(dir, `up-${become ? 'sudo' : 'fs'}.db`);
      await conn.upload(join(dir, 'src.db'), to, { mode: '0640', become });
      expect(readFileSync(to).equals(data)).to.equal(true);
      expect((statSync(to).mode & 0o777).toString(8)).to.equal('640');
    });
  }

  it('refuses to download over an existing file and leaves it untouched', async () => {
    const to = join(dir, 'kept.db');
    writeFileSync(to, 'evidence');
    const e = await conn.download(join(dir, 'src.db'), to).then(() => undefined, (x: unknown) => x);
    expect((e as RingError).message).to.include('already exists');
    expect(readFileSync(to, 'utf8')).to.equal('evidence');
  });

  it('names a missing source and creates nothing', async () => {
    const to = join(dir, 'never.db');
    const e = await conn.download(join(dir, 'absent.db'), to).then(() => undefined, (x: unknown) => x);
    expect((e as RingError).message).to.include('absent.db');
    expect(existsSync(to)).to.equal(false);
  });
});
