// Test helper: real OpenSSH servers on loopback (own config, host keys, authorized_keys), stopped by PID.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

/** A key pair made with ssh-keygen. */
export interface KeyPair {
  privatePath: string;
  publicPath: string;
  /** The `.pub` line (type, base64, comment). */
  publicText: string;
}

/** Makes a key with ssh-keygen: OpenSSH format by default, PEM on request, optionally with a passphrase. */
export function keygen(path: string, opts: { type?: 'ed25519' | 'ecdsa' | 'rsa'; pem?: boolean; passphrase?: string } = {}): KeyPair {
  const args = ['-q', '-t', opts.type ?? 'ed25519', '-N', opts.passphrase ?? '', '-C', 'ringmaster-test', '-f', path];
  if (opts.type === 'rsa') args.push('-b', '2048');
  if (opts.pem) args.push('-m', 'PEM');
  execFileSync('ssh-keygen', args, { stdio: 'ignore' });
  return { privatePath: path, publicPath: `${path}.pub`, publicText: readFileSync(`${path}.pub`, 'utf8').trim() };
}

/** A fresh temporary folder for one test file; remove it with `rmSync(dir, {recursive: true})` in `after`. */
export function workDir(): string {
  return mkdtempSync(join(tmpdir(), 'ringmaster-ssh-'));
}

export interface SshdOptions {
  /** Folder for this server's files. */
  dir: string;
  /** Public key lines allowed to log in (as root). */
  authorizedKeys: string[];
  /** A loopback address (127.0.0.0/8 only). */
  address: string;
  /** The host key (a fresh ed25519 one when omitted). */
  hostKey?: KeyPair;
  /** More sshd_config lines (e.g. `AllowTcpForwarding no`, `MaxSessions 2`). */
  extra?: string[];
  /**
   * Hide the login user's ~/.bashrc from this sshd (an empty file bind-mounted over it in a private mount
   * namespace): bash sources it for every command run over ssh, and a heavy one (pyenv init: ~110 ms)
   * would dominate every test. Default true; the benchmark measures both ways.
   */
  hideShellRc?: boolean;
}

/** A running sshd. */
export class Sshd {
  constructor(
    readonly address: string,
    readonly port: number,
    readonly pid: number,
    readonly hostKey: KeyPair,
    readonly logFile: string,
  ) {}

  /** The known_hosts line for this server (`[addr]:port type key`). */
  knownHostsLine(): string {
    const [type, key] = this.hostKey.publicText.split(/\s+/);
    return `[${this.address}]:${this.port} ${type} ${key}`;
  }

  /** TCP connections the server accepted so far (LogLevel VERBOSE "Connection from" lines). */
  connectionCount(): number {
    return (readFileSync(this.logFile, 'utf8').match(/Connection from /g) ?? []).length;
  }

  /** PIDs of the per-connection sshd processes (children of the listener). */
  childPids(): number[] {
    try {
      return readFileSync(`/proc/${this.pid}/task/${this.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    } catch {
      return [];
    }
  }

  /** Kills the connection processes, then the listener; only PIDs this helper started or their children. */
  stop(): void {
    for (const child of this.childPids()) tryKill(child, 'SIGKILL');
    tryKill(this.pid, 'SIGTERM');
  }
}

function tryKill(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    /* already gone */
  }
}

async function freePort(address: string): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = 20000 + Math.floor(Math.random() * 40000);
    const ok = await new Promise<boolean>((resolve) => {
      const srv = createServer();
      srv.once('error', () => resolve(false));
      srv.listen(port, address, () => srv.close(() => resolve(true)));
    });
    if (ok) return port;
  }
  throw new Error(`no free port on ${address}`);
}

/** Starts `/usr/sbin/sshd -D -e -f <own config>` and waits until it listens. */
export async function startSshd(opts: SshdOptions): Promise<Sshd> {
  if (!/^127\./.test(opts.address)) throw new Error('sshd helper: loopback addresses only');
  mkdirSync(opts.dir, { recursive: true });
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const hostKey = opts.hostKey ?? keygen(join(opts.dir, 'host_ed25519'));
  const port = await freePort(opts.address);
  const authorized = join(opts.dir, 'authorized_keys');
  writeFileSync(authorized, opts.authorizedKeys.join('\n') + '\n', { mode: 0o600 });
  const config = join(opts.dir, 'sshd_config');
  writeFileSync(config, [
    `ListenAddress ${opts.address}:${port}`,
    `HostKey ${hostKey.privatePath}`,
    `AuthorizedKeysFile ${authorized}`,
    'StrictModes no', 'UsePAM no', 'UseDNS no', 'PidFile none', 'PermitRootLogin yes',
    'PasswordAuthentication no', 'KbdInteractiveAuthentication no',
    'MaxStartups 200:30:400', 'LogLevel VERBOSE', 'Subsystem sftp internal-sftp',
    ...(opts.extra ?? []),
    ...(opts.extra?.some((l) => /^MaxSessions/i.test(l)) ? [] : ['MaxSessions 100']),
  ].join('\n') + '\n');
  const logFile = join(opts.dir, 'sshd.log');
  const fd = openSync(logFile, 'a');
  const child = spawnSshd(config, opts.dir, opts.hideShellRc ?? true, fd);
  closeSync(fd);
  const pid = child.pid;
  if (pid === undefined) throw new Error('sshd did not start');
  child.unref();
  const deadline = Date.now() + 5000;
  while (!readFileSync(logFile, 'utf8').includes('Server listening on')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`sshd failed to start: ${readFileSync(logFile, 'utf8')}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return new Sshd(opts.address, port, pid, hostKey, logFile);
}

function spawnSshd(config: string, dir: string, hideRc: boolean, fd: number) {
  const rc = join(userInfo().homedir, '.bashrc');
  if (!hideRc || !existsSync(rc)) return spawn('/usr/sbin/sshd', ['-D', '-e', '-f', config], { stdio: ['ignore', fd, fd] });
  const empty = join(dir, 'empty-bashrc');
  writeFileSync(empty, '');
  // unshare and sh both exec, so the PID we get is sshd's own (stopped by PID in `after`).
  const script = `mount --bind '${empty}' '${rc}' 2>/dev/null; exec /usr/sbin/sshd -D -e -f '${config}'`;
  return spawn('unshare', ['-m', '--', 'sh', '-c', script], { stdio: ['ignore', fd, fd] });
}

/** Starts `ssh-agent -a SOCK -D` with the given keys added; returns its socket and a stop function (kill by PID). */
export async function startAgent(dir: string, keys: string[]): Promise<{ sock: string; stop: () => void }> {
  const sock = join(dir, `agent-${process.pid}.sock`);
  const child = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
  const pid = child.pid as number;
  const deadline = Date.now() + 5000;
  while (!existsSync(sock)) {
    if (Date.now() > deadline) throw new Error('ssh-agent did not start');
    await new Promise((r) => setTimeout(r, 20));
  }
  for (const k of keys) execFileSync('ssh-add', ['-q', k], { env: { ...process.env, SSH_AUTH_SOCK: sock }, stdio: 'ignore' });
  return { sock, stop: () => tryKill(pid, 'SIGTERM') };
}

/** Removes a test folder. */
export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
