// Become and environment over a real sshd: the sudo password never reaches a command's stdin, no secret in `ps`.
import { expect } from 'chai';
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { SshConnector } from '../../engine/connection/ssh/connector.js';
import { fakeSudo, type FakeSudo } from '../helpers/fake-sudo.js';
import { keygen, removeDir, startSshd, workDir, type KeyPair, type Sshd } from '../helpers/sshd.js';

const PASSWORD = "become s3cret 'pw'";
const become = { method: 'sudo' as const, user: 'root', passwordEnv: 'RM_BECOME_PW' };

describe('ssh: become password and environment secrets', function () {
  this.timeout(30000);
  let dir: string;
  let key: KeyPair;
  let real: Sshd;
  let faked: Sshd;
  let sudo: FakeSudo;
  let fakeTmp: string;
  const connectors: SshConnector[] = [];

  async function connect(sshd: Sshd) {
    const c = new SshConnector({ hostKeyChecking: 'off', env: { RM_BECOME_PW: PASSWORD }, interactive: false, home: dir });
    connectors.push(c);
    return c.connect('node1', { ansible_host: sshd.address, ansible_port: sshd.port, ansible_user: 'root', ansible_ssh_private_key_file: key.privatePath });
  }

  before(async () => {
    dir = workDir();
    key = keygen(join(dir, 'id_ed25519'));
    sudo = fakeSudo(join(dir, 'fake'), PASSWORD);
    fakeTmp = join(dir, 'fake-tmp');
    mkdirSync(fakeTmp);
    [real, faked] = await Promise.all([
      startSshd({ dir: join(dir, 'real'), address: '127.0.0.23', authorizedKeys: [key.publicText] }),
      // sudo that wants a password: a fake one first on this server's PATH (this machine's sudoers stay as they are)
      startSshd({ dir: join(dir, 'faked'), address: '127.0.0.24', authorizedKeys: [key.publicText], extra: [`SetEnv PATH=${sudo.bin}:/usr/sbin:/usr/bin:/sbin:/bin TMPDIR=${fakeTmp}`] }),
    ]);
  });
  afterEach(async () => {
    await Promise.all(connectors.splice(0).map((c) => c.closeAll()));
  });
  after(() => {
    real?.stop();
    faked?.stop();
    removeDir(dir);
  });

  it('as root (sudo asks nothing), a become command reading stdin does not get the password', async () => {
    const conn = await connect(real);
    const r = await conn.exec('cat; id -u', { stdin: 'input\n', become });
    expect(r).to.include({ code: 0, stdout: 'input\n0\n' });
    expect(r.stdout + r.stderr).not.to.include('s3cret');
  });

  it('gives a password sudo asks for through askpass only, leaving no file behind', async () => {
    const conn = await connect(faked);
    const r = await conn.exec('cat', { stdin: 'input\n', become });
    expect(r).to.include({ code: 0, stdout: 'input\n' });
    expect(readFileSync(sudo.log, 'utf8')).to.include('mode:A').and.not.include('askpass-left');
    expect(readdirSync(fakeTmp)).to.deep.equal([]);
  });

  it('keeps environment values out of the remote process list', async () => {
    const conn = await connect(real);
    const r = await conn.exec('ps -eo args; echo "value=$SECRET_TOKEN"', { env: { SECRET_TOKEN: 'tok-9f8e7d6c5b' }, become });
    expect(r.code).to.equal(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.pop()).to.equal('value=tok-9f8e7d6c5b');
    expect(lines.length).to.be.above(3);
    expect(lines.filter((l) => l.includes('tok-9f8e7d6c5b'))).to.deep.equal([]);
  });
});
