// Connection reuse against real sshds: one TCP connection per host, session-limit queueing, clean close on abort.
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SshConnector } from '../../engine/connection/ssh/connector.js';
import { RingError } from '../../engine/errors/index.js';
import { keygen, removeDir, startSshd, workDir, type KeyPair, type Sshd } from '../helpers/sshd.js';

describe('ssh connection reuse', function () {
  this.timeout(60000);
  let dir: string;
  let key: KeyPair;
  let knownHosts: string;
  let servers: Sshd[] = [];
  let limited: Sshd;

  const vars = (s: Sshd): Record<string, unknown> => ({ ansible_host: s.address, ansible_port: s.port, ansible_user: 'root', ansible_ssh_private_key_file: key.privatePath, ringmaster_known_hosts: knownHosts });

  before(async () => {
    dir = workDir();
    key = keygen(join(dir, 'id_ed25519'));
    const hostKey = keygen(join(dir, 'host_key'));
    const authorizedKeys = [key.publicText];
    servers = await Promise.all(Array.from({ length: 20 }, (_, i) => startSshd({ dir: join(dir, `s${i}`), address: `127.0.1.${i + 1}`, authorizedKeys, hostKey })));
    limited = await startSshd({ dir: join(dir, 'limited'), address: '127.0.1.100', authorizedKeys, hostKey, extra: ['MaxSessions 2'] });
    knownHosts = join(dir, 'known_hosts');
    writeFileSync(knownHosts, [...servers, limited].map((s) => s.knownHostsLine()).join('\n') + '\n');
  });
  after(() => {
    for (const s of [...servers, limited]) s?.stop();
    removeDir(dir);
  });

  it('runs 20 commands on each of 20 hosts over exactly one TCP connection per host', async () => {
    const before = servers.map((s) => s.connectionCount());
    const c = new SshConnector({ hostKeyChecking: 'strict', env: {}, interactive: false, home: dir });
    try {
      const results = await Promise.all(
        servers.map(async (s, h) => {
          const outs: string[] = [];
          for (let i = 0; i < 20; i++) {
            // Each task asks the connector again, as the executor does; it must get the same connection.
            const conn = await c.connect(`host${h}`, vars(s));
            outs.push((await conn.exec(`echo ${h}-${i}`)).stdout);
          }
          return outs;
        }),
      );
      results.forEach((outs, h) => expect(outs).to.deep.equal(Array.from({ length: 20 }, (_, i) => `${h}-${i}\n`)));
      expect(servers.map((s, i) => s.connectionCount() - before[i])).to.deep.equal(servers.map(() => 1));
    } finally {
      await c.closeAll();
    }
  });

  it('queues channels beyond the server session limit (MaxSessions 2) instead of failing', async () => {
    const c = new SshConnector({ hostKeyChecking: 'strict', env: {}, interactive: false, home: dir });
    try {
      const conn = await c.connect('limited', vars(limited));
      const outs = await Promise.all(Array.from({ length: 10 }, (_, i) => conn.exec(`sleep 0.2; echo ${i}`)));
      expect(outs.map((o) => o.code)).to.deep.equal(Array(10).fill(0));
      expect(outs.map((o) => o.stdout)).to.deep.equal(Array.from({ length: 10 }, (_, i) => `${i}\n`));
    } finally {
      await c.closeAll();
    }
  });

  it('closes every connection when the run is aborted (Ctrl-C), rejecting running commands as interrupted (not unreachable)', async () => {
    const abort = new AbortController();
    const c = new SshConnector({ hostKeyChecking: 'strict', env: {}, interactive: false, home: dir, signal: abort.signal });
    const s = servers[0];
    const childrenBefore = new Set(s.childPids());
    const conn = await c.connect('host0', vars(s));
    const running = conn.exec('sleep 30').catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 200));
    const t0 = Date.now();
    abort.abort();
    const e = await running;
    expect(e).to.be.instanceOf(RingError);
    expect((e as RingError).code).to.equal('E_ABORTED');
    expect(Date.now() - t0).to.be.below(3000);
    // The server side of the connection goes away too: no stray sshd session left.
    const deadline = Date.now() + 3000;
    while (s.childPids().some((p) => !childrenBefore.has(p)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(s.childPids().filter((p) => !childrenBefore.has(p))).to.deep.equal([]);
    await c.closeAll();
    const late = await c.connect('host0', vars(s)).then(() => undefined, (x: unknown) => x);
    expect((late as RingError).code).to.equal('E_ABORTED');
  });
});
