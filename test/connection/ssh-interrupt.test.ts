// Interrupts and timeouts against a real sshd: the remote command (and everything it started) is ended, not orphaned.
import { expect } from 'chai';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { SshConnector } from '../../engine/connection/ssh/connector.js';
import { RingError } from '../../engine/errors/index.js';
import { keygen, removeDir, startSshd, workDir, type KeyPair, type Sshd } from '../helpers/sshd.js';

/** PIDs of live (non-zombie) processes whose command line is exactly `cmd` (shells that mention it do not count). */
function procsWith(cmd: string): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      if (readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0').join(' ').trim() === cmd) out.push(Number(d));
    } catch {
      /* gone meanwhile */
    }
  }
  return out;
}

async function waitUntil(what: string, ms: number, ok: () => boolean): Promise<void> {
  const until = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A sleep only this test runs: `sleep 4321.<n>` (sleep takes fractions), so /proc finds exactly it. */
let seq = 0;
const uniqueSleep = () => `43${process.pid % 100}.${++seq}${Date.now() % 1000}`;

describe('ssh: interrupted and timed-out commands end on the host', function () {
  this.timeout(60000);
  let dir: string;
  let key: KeyPair;
  let knownHosts: string;
  let s: Sshd;

  const vars = (): Record<string, unknown> => ({ ansible_host: s.address, ansible_port: s.port, ansible_user: 'root', ansible_ssh_private_key_file: key.privatePath, ringmaster_known_hosts: knownHosts });

  before(async () => {
    dir = workDir();
    key = keygen(join(dir, 'id_ed25519'));
    s = await startSshd({ dir: join(dir, 's'), address: '127.0.3.1', authorizedKeys: [key.publicText] });
    knownHosts = join(dir, 'known_hosts');
    writeFileSync(knownHosts, `${s.knownHostsLine()}\n`);
  });
  after(() => {
    s?.stop();
    removeDir(dir);
  });

  it('ends the remote command and its children on interrupt (root session: sshd refuses signal requests), then rejects E_ABORTED', async () => {
    const c = new SshConnector({ hostKeyChecking: 'strict', env: {}, interactive: false, home: dir });
    try {
      const conn = await c.connect('host', vars());
      const token = uniqueSleep();
      const ac = new AbortController();
      // a child that ignores TERM (ignored signals survive exec): only the KILL after the grace ends it
      const running = conn.exec(`sh -c "trap '' TERM; sleep ${token}" & sleep ${token}; wait`, { signal: ac.signal }).catch((e: unknown) => e);
      await waitUntil('the remote sleeps to start', 5000, () => procsWith(`sleep ${token}`).length === 2);
      const t0 = Date.now();
      ac.abort('SIGTERM');
      const e = await running;
      expect(e).to.be.instanceOf(RingError);
      expect((e as RingError).code).to.equal('E_ABORTED');
      expect(Date.now() - t0).to.be.below(4000);
      // answered only once the session is gone: nothing of it is left, not even for a moment after
      expect(procsWith(`sleep ${token}`)).to.deep.equal([]);
      expect((await conn.exec('echo still usable')).stdout).to.equal('still usable\n');
    } finally {
      await c.closeAll();
    }
  });

  it('an interrupt while the channel opens (or before) ends the command too: nothing is left running', async () => {
    const c = new SshConnector({ hostKeyChecking: 'strict', env: {}, interactive: false, home: dir });
    try {
      const conn = await c.connect('host', vars());
      const token = uniqueSleep();
      const ac = new AbortController();
      const running = conn.exec(`sleep ${token}`, { signal: ac.signal }).catch((e: unknown) => e);
      ac.abort('SIGINT'); // the exec has asked for its channel, which is not open yet
      expect(((await running) as RingError).code).to.equal('E_ABORTED');
      const never = await conn.exec(`sleep ${token}`, { signal: ac.signal }).catch((e: unknown) => e);
      expect((never as RingError).code).to.equal('E_ABORTED');
      await new Promise((r) => setTimeout(r, 300));
      expect(procsWith(`sleep ${token}`)).to.deep.equal([]);
    } finally {
      await c.closeAll();
    }
  });

  it('ends a timed-out command that ignores TERM, children included', async () => {
    const c = new SshConnector({ hostKeyChecking: 'strict', env: {}, interactive: false, home: dir });
    try {
      const conn = await c.connect('host', vars());
      const token = uniqueSleep();
      const r = await conn.exec(`trap '' TERM; sh -c "sleep ${token}" & sleep ${token}; wait`, { timeoutMs: 800 });
      expect(r.timedOut).to.equal(true);
      expect(procsWith(`sleep ${token}`)).to.deep.equal([]);
    } finally {
      await c.closeAll();
    }
  });

  it('on the connector interrupt (the run signal), ends running commands before closing: E_ABORTED, not unreachable', async () => {
    const abort = new AbortController();
    const c = new SshConnector({ hostKeyChecking: 'strict', env: {}, interactive: false, home: dir, signal: abort.signal });
    const childrenBefore = new Set(s.childPids());
    const conn = await c.connect('host', vars());
    const token = uniqueSleep();
    const running = conn.exec(`sleep ${token}`).catch((e: unknown) => e);
    await waitUntil('the remote sleep to start', 5000, () => procsWith(`sleep ${token}`).length === 1);
    abort.abort('SIGINT');
    const e = await running;
    expect((e as RingError).code).to.equal('E_ABORTED');
    expect(procsWith(`sleep ${token}`)).to.deep.equal([]);
    await c.closeAll();
    await waitUntil('the server side of the connection to go', 3000, () => !s.childPids().some((p) => !childrenBefore.has(p)));
    const late = await c.connect('host', vars()).then(() => undefined, (x: unknown) => x);
    expect((late as RingError).code).to.equal('E_ABORTED');
  });

  it('an interrupt stops a connect whose server never answers the handshake at once, not after the connect timeout', async () => {
    const held: Socket[] = [];
    let closedByClient = 0;
    const stalled = createServer((sock) => {
      held.push(sock);
      sock.resume(); // read (and drop) what the client sends, so its end is seen
      sock.on('close', () => closedByClient++);
    });
    await new Promise<void>((r) => stalled.listen(0, '127.0.3.2', r));
    const port = (stalled.address() as { port: number }).port;
    const abort = new AbortController();
    const c = new SshConnector({ hostKeyChecking: 'strict', env: {}, interactive: false, home: dir, signal: abort.signal, connectTimeoutMs: 20_000 });
    try {
      const connecting = c.connect('stalled', { ...vars(), ansible_host: '127.0.3.2', ansible_port: port }).catch((e: unknown) => e);
      await waitUntil('the TCP connection to be accepted', 5000, () => held.length === 1);
      const t0 = Date.now();
      abort.abort('SIGINT');
      const e = await connecting;
      expect((e as RingError).code).to.equal('E_ABORTED');
      expect(Date.now() - t0).to.be.below(1000);
      await c.closeAll();
      // the socket is given up too, so nothing keeps the process waiting for the 20 s timeout
      await waitUntil('the client to drop the socket', 2000, () => closedByClient === 1);
    } finally {
      for (const sock of held) sock.destroy();
      stalled.close();
    }
  });

  it('keeps the command’s own stderr, arguments and exit status intact (the session marker is not part of them)', async () => {
    const c = new SshConnector({ hostKeyChecking: 'strict', env: {}, interactive: false, home: dir });
    try {
      const conn = await c.connect('host', vars());
      const r = await conn.exec('echo one >&2; echo out; printf two >&2');
      expect(r.stderr).to.equal('one\ntwo');
      expect(r.stdout).to.equal('out\n');
      expect((await conn.exec('true')).stderr).to.equal('');
      // the wrapper's own argument is gone before the line runs, and the line's exit status is the command's
      expect((await conn.exec('echo "[$#][$1]"')).stdout).to.equal('[0][]\n');
      expect((await conn.exec("echo 'it''s' \"$((1+2))\"; exit 3")).code).to.equal(3);
    } finally {
      await c.closeAll();
    }
  });
});
