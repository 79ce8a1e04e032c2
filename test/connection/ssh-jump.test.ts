// Jump hosts against real sshds: one and two hops, inventory and ssh-config sources, shared bastions, refusals.
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SshConnector, type SshOptions } from '../../engine/connection/ssh/connector.js';
import { rejection } from '../helpers/rejection.js';
import { keygen, removeDir, startSshd, workDir, type KeyPair, type Sshd } from '../helpers/sshd.js';

describe('ssh jump hosts', function () {
  this.timeout(30000);
  let dir: string;
  let key: KeyPair;
  let knownHosts: string;
  let b1: Sshd;
  let b2: Sshd;
  let target: Sshd;
  let nofwd: Sshd;
  const connectors: SshConnector[] = [];

  function connector(extra: Partial<SshOptions> = {}): SshConnector {
    const c = new SshConnector({ hostKeyChecking: 'strict', env: {}, interactive: false, home: dir, ...extra });
    connectors.push(c);
    return c;
  }
  const hop = (s: Sshd): string => `root@${s.address}:${s.port}`;
  function vars(s: Sshd, extra: Record<string, unknown> = {}): Record<string, unknown> {
    return { ansible_host: s.address, ansible_port: s.port, ansible_user: 'root', ansible_ssh_private_key_file: key.privatePath, ringmaster_known_hosts: knownHosts, ...extra };
  }

  before(async () => {
    dir = workDir();
    key = keygen(join(dir, 'id_ed25519'));
    const hostKey = keygen(join(dir, 'host_key'));
    const authorizedKeys = [key.publicText];
    [b1, b2, target, nofwd] = await Promise.all([
      startSshd({ dir: join(dir, 'b1'), address: '127.0.0.13', authorizedKeys, hostKey }),
      startSshd({ dir: join(dir, 'b2'), address: '127.0.0.14', authorizedKeys, hostKey }),
      startSshd({ dir: join(dir, 'target'), address: '127.0.0.15', authorizedKeys, hostKey }),
      startSshd({ dir: join(dir, 'nofwd'), address: '127.0.0.16', authorizedKeys, hostKey, extra: ['AllowTcpForwarding no'] }),
    ]);
    knownHosts = join(dir, 'known_hosts');
    writeFileSync(knownHosts, [b1, b2, target, nofwd].map((s) => s.knownHostsLine()).join('\n') + '\n');
  });
  afterEach(async () => {
    await Promise.all(connectors.splice(0).map((c) => c.closeAll()));
  });
  after(() => {
    for (const s of [b1, b2, target, nofwd]) s?.stop();
    removeDir(dir);
  });

  it('reaches a target through one jump host named in ringmaster_proxy_jump', async () => {
    const before = b1.connectionCount();
    const conn = await connector().connect('node1', vars(target, { ringmaster_proxy_jump: hop(b1) }));
    expect((await conn.exec('echo via')).stdout).to.equal('via\n');
    expect(conn.info().hops).to.have.length(2);
    expect(conn.info().hops?.[0]).to.include(`${b1.address}:${b1.port}`);
    expect(b1.connectionCount()).to.equal(before + 1);
  });

  it('reaches a target through two jump hosts from ansible_ssh_common_args -o ProxyJump', async () => {
    const [c1, c2] = [b1.connectionCount(), b2.connectionCount()];
    const conn = await connector().connect('node1', vars(target, { ansible_ssh_common_args: `-o ProxyJump=${hop(b1)},${hop(b2)}` }));
    expect((await conn.exec('echo two')).stdout).to.equal('two\n');
    expect(conn.info().hops).to.have.length(3);
    expect([b1.connectionCount(), b2.connectionCount()]).to.deep.equal([c1 + 1, c2 + 1]);
  });

  it('accepts -J in ansible_ssh_extra_args and a hop list naming an inventory host', async () => {
    const inventory: Record<string, Record<string, unknown>> = { bastion: vars(b1) };
    const c = connector({ lookupHost: (n) => inventory[n] });
    const viaJ = await c.connect('node1', vars(target, { ansible_ssh_extra_args: `-J ${hop(b2)}` }));
    expect((await viaJ.exec('echo j')).stdout).to.equal('j\n');
    const viaList = await c.connect('node2', vars(nofwd, { ringmaster_proxy_jump: [{ host: 'bastion' }] }));
    expect((await viaList.exec('echo list')).stdout).to.equal('list\n');
    expect(viaList.info().hops?.[0]).to.include('jump host bastion');
  });

  it('connects a bastion shared by several targets only once', async () => {
    const before = b1.connectionCount();
    const c = connector();
    const conns = await Promise.all([target, b2, nofwd].map((s, i) => c.connect(`n${i}`, vars(s, { ringmaster_proxy_jump: hop(b1) }))));
    const outs = await Promise.all(conns.map((conn) => conn.exec('hostname >/dev/null && echo up')));
    expect(outs.map((o) => o.stdout)).to.deep.equal(['up\n', 'up\n', 'up\n']);
    expect(b1.connectionCount()).to.equal(before + 1);
  });

  it('follows ProxyJump, HostName, User, Port, IdentityFile and UserKnownHostsFile from an ssh config file', async () => {
    const cfg = join(dir, 'ssh_config');
    writeFileSync(cfg, [
      'Host bastion',
      `  HostName ${b1.address}`,
      `  Port ${b1.port}`,
      'Host node-*',
      `  HostName ${target.address}`,
      `  Port ${target.port}`,
      '  ProxyJump bastion',
      'Host *',
      '  User root',
      `  IdentityFile ${key.privatePath}`,
      `  UserKnownHostsFile ${knownHosts}`,
    ].join('\n'));
    const conn = await connector({ sshConfigFile: cfg }).connect('node-7', {});
    expect((await conn.exec('echo cfg')).stdout).to.equal('cfg\n');
    expect(conn.info().hops).to.deep.equal([`root@${b1.address}:${b1.port} (jump host bastion)`, `root@${target.address}:${target.port}`]);
  });

  it('refuses an ssh config whose ProxyJump loops, naming the host and the setting', async () => {
    const cfg = join(dir, 'loop_config');
    writeFileSync(cfg, ['Host a', '  ProxyJump b', 'Host b', '  ProxyJump a'].join('\n'));
    const e = await rejection(connector({ sshConfigFile: cfg }).connect('a', {}));
    expect(e.code).to.equal('E_SSH_CONFIG');
    expect(e.details.host).to.equal('a');
    expect(e.message).to.include('loop').and.include('a → b → a').and.include(`${cfg}:`);
  });

  it('refuses a malformed ProxyJump, naming the host and the setting', async () => {
    const e = await rejection(connector().connect('node1', vars(target, { ringmaster_proxy_jump: 'root@bastion:notaport' })));
    expect(e.code).to.equal('E_SSH_CONFIG');
    expect(e.message).to.include('node1').and.include('ringmaster_proxy_jump').and.include("bad port 'notaport'");
  });

  it('reports a bastion that refuses forwarding as unreachable, naming the hop', async () => {
    const e = await rejection(connector().connect('node1', vars(target, { ringmaster_proxy_jump: hop(nofwd) })));
    expect(e.code).to.equal('E_UNREACHABLE');
    expect(e.details.host).to.equal('node1');
    expect(e.message).to.include(`jump host ${nofwd.address}`).and.include('refused to forward').and.include('AllowTcpForwarding');
  });

  it('reports a jump host that is down as unreachable for the target, naming the hop', async () => {
    const e = await rejection(connector().connect('node1', vars(target, { ringmaster_proxy_jump: `root@127.0.0.13:1`, ringmaster_connect_retries: 0 })));
    expect(e.code).to.equal('E_UNREACHABLE');
    expect(e.details.host).to.equal('node1');
    expect(e.message).to.include('through jump host 127.0.0.13').and.include('ECONNREFUSED');
  });

  it('reports a target behind a bastion that is down as unreachable', async () => {
    const e = await rejection(connector().connect('node1', vars(target, { ansible_port: 1, ringmaster_proxy_jump: hop(b1), ringmaster_connect_retries: 0 })));
    expect(e.code).to.equal('E_UNREACHABLE');
    expect(e.message).to.include(`jump host ${b1.address}`).and.include('could not reach');
  });
});
