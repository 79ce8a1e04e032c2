// put/get over SFTP against a real sshd: atomic writes with mode, owner and checksum; become through sudo.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SshConnector } from '../../engine/connection/ssh/connector.js';
import type { Connection } from '../../engine/connection/types.js';
import { RingError } from '../../engine/errors/index.js';
import { keygen, removeDir, startSshd, workDir, type Sshd } from '../helpers/sshd.js';

function hasSudo(): boolean {
  try {
    execFileSync('sudo', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('ssh files (sftp)', function () {
  this.timeout(90000);
  let dir: string;
  let remote: string;
  let sshd: Sshd;
  let connector: SshConnector;
  let conn: Connection;

  before(async () => {
    dir = workDir();
    remote = join(dir, 'remote');
    mkdirSync(remote);
    const key = keygen(join(dir, 'id_ed25519'));
    sshd = await startSshd({ dir: join(dir, 'sshd'), address: '127.0.0.17', authorizedKeys: [key.publicText] });
    const knownHosts = join(dir, 'known_hosts');
    writeFileSync(knownHosts, sshd.knownHostsLine() + '\n');
    connector = new SshConnector({ hostKeyChecking: 'strict', env: {}, interactive: false, home: dir });
    conn = await connector.connect('node1', { ansible_host: sshd.address, ansible_port: sshd.port, ansible_user: 'root', ansible_ssh_private_key_file: key.privatePath, ringmaster_known_hosts: knownHosts });
  });
  after(async () => {
    await connector?.closeAll();
    sshd?.stop();
    removeDir(dir);
  });

  it('writes a file with the given mode and owner and leaves no temporary file behind', async () => {
    const path = join(remote, 'etcd.yaml');
    const content = Buffer.from(Array.from({ length: 300000 }, (_, i) => i % 251));
    await conn.put(path, content, { mode: '0640', owner: 'root', group: 'root' });
    expect(readFileSync(path).equals(content)).to.equal(true);
    expect((statSync(path).mode & 0o777).toString(8)).to.equal('640');
    expect(readdirSync(remote)).to.deep.equal(['etcd.yaml']);
  });

  it('replaces an existing file atomically and keeps its mode when none is given', async () => {
    const path = join(remote, 'keep-mode.conf');
    writeFileSync(path, 'old\n', { mode: 0o600 });
    const inode = statSync(path).ino;
    await conn.put(path, 'new\n');
    expect(readFileSync(path, 'utf8')).to.equal('new\n');
    expect((statSync(path).mode & 0o777).toString(8)).to.equal('600');
    expect(statSync(path).ino).to.not.equal(inode);
  });

  it('reads a remote file back byte for byte', async () => {
    const path = join(remote, 'blob.bin');
    const content = Buffer.from([0, 255, 10, 13, 0, 1, 2]);
    writeFileSync(path, content);
    expect((await conn.get(path)).equals(content)).to.equal(true);
  });

  it('reports a missing remote file as a task failure naming the path', async () => {
    const e = await conn.get(join(remote, 'nope.txt')).then(() => undefined, (x: unknown) => x);
    expect(e).to.be.instanceOf(RingError);
    expect((e as RingError).code).to.equal('E_TASK_FAILED');
    expect((e as RingError).message).to.include('nope.txt').and.include('no such file');
  });

  it('reports a write into a missing folder as a task failure naming the path', async () => {
    const e = await conn.put(join(remote, 'missing', 'x.txt'), 'x').then(() => undefined, (x: unknown) => x);
    expect((e as RingError).code).to.equal('E_TASK_FAILED');
    expect((e as RingError).message).to.include('missing/x.txt');
  });

  it('refuses an invalid mode before touching the host', async () => {
    const path = join(remote, 'bad-mode.txt');
    const e = await conn.put(path, 'x', { mode: 'rw-r--r--' }).then(() => undefined, (x: unknown) => x);
    expect((e as RingError).code).to.equal('E_TASK_FAILED');
    expect(existsSync(path)).to.equal(false);
  });

  it('runs commands and moves files through sudo -n when become is set', async function () {
    // scripts/install-system-deps.sh (run by `npm test`) installs sudo; without it this test must fail, not skip.
    expect(hasSudo(), 'sudo is not installed: run `bash scripts/install-system-deps.sh` as root').to.equal(true);
    const become = { method: 'sudo' as const, user: 'nobody' };
    const r = await conn.exec('id -un; echo "$0"', { become });
    expect(r.stdout).to.equal('nobody\nsh\n');
    const rootOnly = join(remote, 'root-only');
    mkdirSync(rootOnly, { mode: 0o700 });
    await conn.put(join(rootOnly, 'secret.txt'), 'top\n', { become: { method: 'sudo', user: 'root' }, mode: '0600' });
    expect(readFileSync(join(rootOnly, 'secret.txt'), 'utf8')).to.equal('top\n');
    expect((await conn.get(join(rootOnly, 'secret.txt'), { become: { method: 'sudo', user: 'root' } })).toString()).to.equal('top\n');
    expect(readdirSync('/tmp').filter((n) => n.startsWith('.ringmaster-upload-'))).to.deep.equal([]);
  });
});
