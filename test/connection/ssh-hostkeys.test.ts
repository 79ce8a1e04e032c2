// Host key checking against a real sshd: unknown, changed, hashed, accept-new (TOFU) and off.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SshConnector, type SshOptions } from '../../engine/connection/ssh/connector.js';
import { rejection } from '../helpers/rejection.js';
import { keygen, removeDir, startSshd, workDir, type KeyPair, type Sshd } from '../helpers/sshd.js';

describe('ssh host keys', function () {
  this.timeout(30000);
  let dir: string;
  let sshd: Sshd;
  let key: KeyPair;
  let fp: string;
  const connectors: SshConnector[] = [];

  function connect(knownHosts: string, extra: Partial<SshOptions> = {}, vars: Record<string, unknown> = {}) {
    const c = new SshConnector({ hostKeyChecking: 'strict', env: {}, interactive: false, home: dir, ...extra });
    connectors.push(c);
    return c.connect('node1', { ansible_host: sshd.address, ansible_port: sshd.port, ansible_user: 'root', ansible_ssh_private_key_file: key.privatePath, ringmaster_known_hosts: knownHosts, ...vars });
  }

  before(async () => {
    dir = workDir();
    key = keygen(join(dir, 'id_ed25519'));
    sshd = await startSshd({ dir: join(dir, 'sshd'), address: '127.0.0.12', authorizedKeys: [key.publicText] });
    fp = execFileSync('ssh-keygen', ['-l', '-f', sshd.hostKey.publicPath], { encoding: 'utf8' }).split(/\s+/)[1];
  });
  afterEach(async () => {
    await Promise.all(connectors.splice(0).map((c) => c.closeAll()));
  });
  after(() => {
    sshd?.stop();
    removeDir(dir);
  });

  it('refuses an unknown host key as unreachable, naming host, key type and SHA256 fingerprint and how to accept it', async () => {
    const e = await rejection(connect(join(dir, 'empty_known_hosts')));
    expect(e.code).to.equal('E_HOSTKEY_UNKNOWN');
    expect(e.exitCode).to.equal(4);
    expect(e.details.host).to.equal('node1');
    expect(e.message).to.include(`[${sshd.address}]:${sshd.port}`).and.include('ssh-ed25519').and.include(fp);
    expect(e.hint).to.include('--host-key-checking accept-new');
  });

  it('fails hard on a changed host key, naming the known_hosts file and line', async () => {
    const other = keygen(join(dir, 'other_host_key'));
    const file = join(dir, 'changed_known_hosts');
    const [type, body] = other.publicText.split(' ');
    writeFileSync(file, `# comment\nunrelated.example ${type} ${body}\n[${sshd.address}]:${sshd.port} ${type} ${body}\n`);
    const e = await rejection(connect(file));
    expect(e.code).to.equal('E_HOSTKEY_CHANGED');
    expect(e.message).to.include(`${file}:3`).and.include('HAS CHANGED').and.include(fp);
  });

  it('accepts a matching hashed known_hosts entry', async () => {
    const file = join(dir, 'hashed_known_hosts');
    writeFileSync(file, sshd.knownHostsLine() + '\n');
    execFileSync('ssh-keygen', ['-H', '-f', file], { stdio: 'ignore' });
    expect(readFileSync(file, 'utf8')).to.match(/^\|1\|/);
    const conn = await connect(file);
    expect(conn.info().hostKey).to.include(fp).and.include(`${file}:1`);
  });

  it('records an unknown key with accept-new, then trusts it under strict checking', async () => {
    const file = join(dir, 'sub', 'tofu_known_hosts');
    const conn = await connect(file, { hostKeyChecking: 'accept-new' });
    expect(conn.info().hostKey).to.include('new, recorded');
    expect(readFileSync(file, 'utf8')).to.equal(sshd.knownHostsLine() + '\n');
    const again = await connect(file);
    expect((await again.exec('echo ok')).stdout).to.equal('ok\n');
  });

  it('still refuses a changed key under accept-new', async () => {
    const other = keygen(join(dir, 'other2'));
    const file = join(dir, 'changed2');
    const [type, body] = other.publicText.split(' ');
    writeFileSync(file, `[${sshd.address}]:${sshd.port} ${type} ${body}\n`);
    expect((await rejection(connect(file, { hostKeyChecking: 'accept-new' }))).code).to.equal('E_HOSTKEY_CHANGED');
  });

  it('treats StrictHostKeyChecking=no in ansible_ssh_common_args as accept-new, not as off', async () => {
    const notes: string[] = [];
    const file = join(dir, 'args_known_hosts');
    await connect(file, { verbose: (l) => notes.push(l) }, { ansible_ssh_common_args: '-o StrictHostKeyChecking=no -o ServerAliveInterval=5' });
    expect(readFileSync(file, 'utf8')).to.include(sshd.knownHostsLine());
    expect(notes.join('\n')).to.include('treated as accept-new').and.include("ignoring ssh argument '-o ServerAliveInterval=5'");
  });

  it('skips the check only with --host-key-checking off, and says so in the output', async () => {
    const notices: string[] = [];
    const conn = await connect(join(dir, 'none'), { hostKeyChecking: 'off', notice: (l) => notices.push(l) });
    expect(conn.info().hostKey).to.include('NOT CHECKED');
    expect(notices).to.have.length(1);
    expect(notices[0]).to.include('host key checking is OFF');
  });
});
