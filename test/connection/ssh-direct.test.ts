// Direct SSH connections against a real sshd: exec, auth by key (OpenSSH, PEM, passphrase) and agent, failures.
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SshConnector, type SshOptions } from '../../engine/connection/ssh/connector.js';
import { rejection } from '../helpers/rejection.js';
import { keygen, removeDir, startAgent, startSshd, workDir, type KeyPair, type Sshd } from '../helpers/sshd.js';

describe('ssh connection (direct)', function () {
  this.timeout(30000);
  let dir: string;
  let sshd: Sshd;
  let key: KeyPair;
  let pemKey: KeyPair;
  let encKey: KeyPair;
  let agentKey: KeyPair;
  let knownHosts: string;
  const connectors: SshConnector[] = [];

  function connector(extra: Partial<SshOptions> = {}): SshConnector {
    const c = new SshConnector({ hostKeyChecking: 'strict', env: {}, interactive: false, home: dir, ...extra });
    connectors.push(c);
    return c;
  }
  function vars(extra: Record<string, unknown> = {}): Record<string, unknown> {
    return { ansible_host: sshd.address, ansible_port: sshd.port, ansible_user: 'root', ansible_ssh_private_key_file: key.privatePath, ringmaster_known_hosts: knownHosts, ...extra };
  }

  before(async () => {
    dir = workDir();
    key = keygen(join(dir, 'id_ed25519'));
    pemKey = keygen(join(dir, 'id_rsa_pem'), { type: 'rsa', pem: true, passphrase: 'pem secret' });
    encKey = keygen(join(dir, 'id_enc'), { passphrase: 'open sesame' });
    agentKey = keygen(join(dir, 'id_agent'));
    sshd = await startSshd({ dir: join(dir, 'sshd'), address: '127.0.0.11', authorizedKeys: [key, pemKey, encKey, agentKey].map((k) => k.publicText) });
    knownHosts = join(dir, 'known_hosts');
    writeFileSync(knownHosts, sshd.knownHostsLine() + '\n');
  });
  afterEach(async () => {
    await Promise.all(connectors.splice(0).map((c) => c.closeAll()));
  });
  after(() => {
    sshd?.stop();
    removeDir(dir);
  });

  it('runs a command and returns its exit status, stdout and stderr', async () => {
    const conn = await connector().connect('node1', vars());
    const r = await conn.exec('echo out; echo err >&2; exit 3');
    expect(r).to.include({ code: 3, stdout: 'out\n', stderr: 'err\n' });
    expect(conn.info()).to.include({ transport: 'ssh', host: 'node1' });
  });

  it('feeds stdin and sets environment and working directory', async () => {
    const conn = await connector().connect('node1', vars());
    const r = await conn.exec('cat; echo " $GREETING"; pwd', { stdin: 'hello', env: { GREETING: "it's me" }, cwd: '/tmp' });
    expect(r.stdout).to.equal("hello it's me\n/tmp\n");
  });

  it('stops a command that outlives its timeout and says it timed out', async () => {
    const conn = await connector().connect('node1', vars());
    const t0 = Date.now();
    const r = await conn.exec('sleep 10', { timeoutMs: 300 });
    expect(r.timedOut).to.equal(true);
    expect(r.code).to.equal(null);
    expect(Date.now() - t0).to.be.below(5000);
  });

  it('authenticates with a PEM key whose passphrase comes from a named environment variable', async () => {
    const lines: string[] = [];
    const c = connector({ env: { PEM_PASS: 'pem secret' }, verbose: (l) => lines.push(l) });
    const conn = await c.connect('node1', vars({ ansible_ssh_private_key_file: pemKey.privatePath, ringmaster_ssh_key_passphrase_env: 'PEM_PASS' }));
    expect((await conn.exec('echo ok')).stdout).to.equal('ok\n');
    expect(conn.info().auth).to.match(/publickey ssh-rsa .*id_rsa_pem/);
    expect(lines.join('\n')).to.match(/host key ssh-ed25519 SHA256:/).and.not.include('pem secret');
  });

  it('authenticates with an encrypted OpenSSH key and names the setting when the passphrase is wrong', async () => {
    const ok = await connector({ env: { K: 'open sesame' } }).connect('node1', vars({ ansible_ssh_private_key_file: encKey.privatePath, ringmaster_ssh_key_passphrase_env: 'K' }));
    expect((await ok.exec('true')).code).to.equal(0);
    const e = await rejection(connector({ env: { K: 'not-the-passphrase' } }).connect('node1', vars({ ansible_ssh_private_key_file: encKey.privatePath, ringmaster_ssh_key_passphrase_env: 'K' })));
    expect(e.code).to.equal('E_AUTH');
    expect(e.details.host).to.equal('node1');
    expect(e.message).to.include('wrong passphrase').and.include('id_enc').and.include('ansible_ssh_private_key_file').and.not.include('not-the-passphrase');
  });

  it('refuses an encrypted key without a passphrase source, naming the host and the key', async () => {
    const e = await rejection(connector().connect('node1', vars({ ansible_ssh_private_key_file: encKey.privatePath })));
    expect(e.code).to.equal('E_AUTH');
    expect(e.message).to.include('node1').and.include('encrypted');
    expect(e.hint).to.include('ringmaster_ssh_key_passphrase_env');
  });

  it('reports an unreadable key file as an auth error naming the setting', async () => {
    const e = await rejection(connector().connect('node1', vars({ ansible_ssh_private_key_file: join(dir, 'missing_key') })));
    expect(e.code).to.equal('E_AUTH');
    expect(e.message).to.include('missing_key').and.include('ansible_ssh_private_key_file of node1');
  });

  it('authenticates through ssh-agent when SSH_AUTH_SOCK is set', async () => {
    const agent = await startAgent(dir, [agentKey.privatePath]);
    try {
      const conn = await connector({ env: { SSH_AUTH_SOCK: agent.sock } }).connect('node1', vars({ ansible_ssh_private_key_file: undefined }));
      expect((await conn.exec('echo agent')).stdout).to.equal('agent\n');
      expect(conn.info().auth).to.include('ssh-agent');
    } finally {
      agent.stop();
    }
  });

  it('reports a key the server does not accept as E_AUTH', async () => {
    const stranger = keygen(join(dir, 'id_stranger'));
    const e = await rejection(connector().connect('node1', vars({ ansible_ssh_private_key_file: stranger.privatePath })));
    expect(e.code).to.equal('E_AUTH');
    expect(e.message).to.include('authentication as root').and.include('id_stranger');
  });

  it('reports a host that is down as unreachable, after its retries, without hanging', async () => {
    const t0 = Date.now();
    const e = await rejection(connector().connect('ghost', vars({ ansible_host: '127.0.0.11', ansible_port: 1, ringmaster_connect_retries: 1 })));
    expect(e.code).to.equal('E_UNREACHABLE');
    expect(e.details.host).to.equal('ghost');
    expect(e.message).to.include('ECONNREFUSED');
    expect(Date.now() - t0).to.be.below(3000);
  });

  it('rejects a running command with E_UNREACHABLE when its connection is killed', async () => {
    const before = new Set(sshd.childPids());
    const conn = await connector().connect('node1', vars());
    expect((await conn.exec('true')).code).to.equal(0);
    const running = conn.exec('sleep 30');
    await new Promise((r) => setTimeout(r, 300));
    // The connection's own sshd process: the child that appeared for this connector.
    const mine = sshd.childPids().filter((p) => !before.has(p));
    expect(mine).to.have.length(1);
    process.kill(mine[0], 'SIGKILL');
    const e = await rejection(running);
    expect(e.code).to.equal('E_UNREACHABLE');
    expect(e.message).to.include('lost');
  });

  it('reopens a connection that dropped between commands once (saying so), and a second drop is unreachable', async () => {
    const notices: string[] = [];
    const before = new Set(sshd.childPids());
    const conn = await connector({ notice: (l) => notices.push(l) }).connect('node1', vars());
    expect((await conn.exec('true')).code).to.equal(0);
    const first = sshd.childPids().filter((p) => !before.has(p));
    expect(first).to.have.length(1);
    process.kill(first[0], 'SIGKILL');
    await new Promise((r) => setTimeout(r, 300)); // idle: no command of ours was running
    const r = await conn.exec('echo again');
    expect(r).to.include({ code: 0, stdout: 'again\n' });
    expect(notices.join('\n')).to.match(/host node1: the connection dropped between tasks .*reconnected once before `echo again`/);
    const second = sshd.childPids().filter((p) => !before.has(p) && !first.includes(p));
    expect(second).to.have.length(1);
    process.kill(second[0], 'SIGKILL');
    await new Promise((r) => setTimeout(r, 300));
    expect((await rejection(conn.exec('true'))).code, 'only one reconnect per run').to.equal('E_UNREACHABLE');
  });

  it('keeps unreadable-key and password settings secret-free: a missing password variable is named, not printed', async () => {
    const e = await rejection(connector().connect('node1', vars({ ringmaster_ssh_password_env: 'NODE1_PASSWORD' })));
    expect(e.code).to.equal('E_AUTH');
    expect(e.message).to.include('NODE1_PASSWORD').and.include('not set');
  });
});
