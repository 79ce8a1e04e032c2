// SshConnector: one SSH connection per host for the whole run, bastions shared between hosts, clean close.
import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { RingError, isRingError } from '../../errors/index.js';
import type { Connection, ConnectionFactory } from '../types.js';
import { promptHidden } from './auth.js';
import type { EndpointContext } from './endpoint.js';
import type { LiveClient } from './hop-client.js';
import { ClientPool } from './jump-chain.js';
import { resolveRoute, type HostLookup } from './route.js';
import { SshConfig } from './ssh-config.js';
import { SshConnection } from './ssh-connection.js';

export type { HostLookup } from './route.js';

/** How the run wants SSH to behave; built by the CLI from flags and environment. */
export interface SshOptions {
  /** strict (default): unknown or changed keys refuse; accept-new: record unknown keys (TOFU); off: no check (said in output). */
  hostKeyChecking: 'strict' | 'accept-new' | 'off';
  /** hostKeyChecking came from the command line: inventory `-o StrictHostKeyChecking=…` cannot weaken (or change) it. */
  hostKeyCheckingExplicit?: boolean;
  /** An OpenSSH client config file (default ~/.ssh/config when it exists). */
  sshConfigFile?: string;
  /** Extra known_hosts file (the inventory's `ringmaster_known_hosts` / `UserKnownHostsFile` also apply). */
  knownHostsFile?: string;
  connectTimeoutMs?: number;
  /** -v lines: hops, auth method, host key fingerprint; never a secret. */
  verbose?: (line: string) => void;
  env: NodeJS.ProcessEnv;
  /** A TTY is attached: a key passphrase may be prompted for. */
  interactive: boolean;
  /** Home folder for ~/.ssh (default: the passwd home, as OpenSSH does — not $HOME). */
  home?: string;
  /** Local user name, the default remote user (default: the current user). */
  localUser?: string;
  /** Variables of an inventory host by name, so a jump host may be an inventory host. */
  lookupHost?: HostLookup;
  /** Lines every run must show (not only with -v): host key checking switched off. */
  notice?: (line: string) => void;
  /** Aborting it (Ctrl-C, SIGTERM) ends every running remote command, then closes every connection. */
  signal?: AbortSignal;
  /** Set: the first `signal` only ends running commands; this one closes every connection at once. */
  hardSignal?: AbortSignal;
  /** Concurrent channels per connection before queueing (default 10 = OpenSSH's MaxSessions; lowered when the server refuses). */
  maxSessions?: number;
}

/** Opens (and caches) one SSH connection per host, sharing bastions between hosts. */
export class SshConnector implements ConnectionFactory {
  private readonly pool: ClientPool;
  private readonly connections = new Map<string, Promise<SshConnection>>();
  private config?: SshConfig;
  private offAnnounced = false;
  private readonly announced = new WeakSet<LiveClient>();
  private closing = false;
  private closed?: Promise<void>;
  private readonly passphrases = new Map<string, Promise<string>>();

  constructor(readonly options: SshOptions) {
    this.pool = new ClientPool({
      env: options.env,
      note: (l) => options.verbose?.(l),
      askPassphrase: options.interactive ? (q) => this.ask(q) : undefined,
      signal: options.signal,
    });
    // The first interrupt ends every running command but keeps the connections for the run-end cleanups (releasing
    // the lock); without a separate hard signal it closes them too, as before.
    options.signal?.addEventListener('abort', () => void (options.hardSignal ? this.endCommands() : this.interrupt()), { once: true });
    options.hardSignal?.addEventListener('abort', () => void this.interrupt(), { once: true });
  }

  /** Ends every running command's remote session (bounded); the connections stay open. */
  private async endCommands(): Promise<void> {
    const conns = await Promise.allSettled([...this.connections.values()]);
    await Promise.allSettled(conns.map((c) => (c.status === 'fulfilled' ? c.value.interruptAll() : undefined)));
  }

  /**
   * Interrupt: no new connection; every running command's remote session is ended (waiting for that, bounded),
   * and only then are the connections closed, so nothing is left running on a host and no command is reported as
   * lost by a connection we closed ourselves.
   */
  private interrupt(): Promise<void> {
    this.closing = true;
    return (this.closed ??= (async () => {
      const conns = await Promise.allSettled([...this.connections.values()]);
      await Promise.allSettled(conns.map((c) => (c.status === 'fulfilled' ? c.value.interruptAll() : undefined)));
      await this.closeConnections();
    })());
  }

  async connect(host: string, vars: Record<string, unknown>): Promise<Connection> {
    if (this.closing) throw new RingError('E_ABORTED', `host ${host}: the run is closing its connections`, { host });
    const cached = this.connections.get(host);
    if (cached) return cached;
    const p = untilAborted(this.open(host, vars), this.options.signal, host);
    this.connections.set(host, p);
    // A failed attempt is not cached: a later task may try again (after its own retries) and say why.
    p.catch(() => this.connections.delete(host));
    return p;
  }

  /** Closes every connection (targets first, then their bastions); safe to call more than once. */
  async closeAll(): Promise<void> {
    this.closing = true;
    await (this.closed ??= this.closeConnections());
  }

  private async closeConnections(): Promise<void> {
    const conns = await Promise.allSettled([...this.connections.values()]);
    this.connections.clear();
    for (const c of conns) if (c.status === 'fulfilled') await c.value.close();
    await this.pool.closeAll();
  }

  private async open(host: string, vars: Record<string, unknown>): Promise<SshConnection> {
    const v = this.options.verbose;
    this.announceOff();
    const route = resolveRoute(host, vars, this.endpointContext(), this.options.lookupHost ?? (() => undefined));
    const live = await this.pool.get(route).catch((e: unknown) => {
      throw relabel(e, host);
    });
    const hopsOf = () => Promise.all(route.slice(0, -1).map((_, i) => this.pool.get(route.slice(0, i + 1))));
    const hops = await hopsOf();
    for (const c of [...hops, live]) this.announceNewKey(c);
    // The pool forgets a closed client, so asking it again opens the route anew (hops that still live are reused).
    const reconnect = {
      open: async () => {
        if (this.closing) throw new RingError('E_ABORTED', `host ${host}: the run is closing its connections`, { host });
        const fresh = await this.pool.get(route).catch((e: unknown) => {
          throw relabel(e, host);
        });
        return { live: fresh, hops: await hopsOf() };
      },
      notice: (line: string) => (this.options.notice ?? this.options.verbose)?.(line),
    };
    const conn = new SshConnection(host, live, hops, this.options.env, this.options.maxSessions, reconnect);
    if (v) {
      const info = conn.info();
      v(`ssh ${host}: ${info.hops?.join(' → ')}`);
      for (const h of hops) v(`ssh ${host}: jump host ${h.endpoint.name}: auth ${h.auth}; host key ${h.hostKey}`);
      v(`ssh ${host}: auth ${info.auth}; host key ${info.hostKey}`);
    }
    return conn;
  }

  private endpointContext(): EndpointContext {
    const home = this.options.home ?? userInfo().homedir;
    return {
      config: this.sshConfig(home),
      home,
      localUser: this.options.localUser ?? userInfo().username,
      hostKeyChecking: this.options.hostKeyChecking,
      hostKeyCheckingExplicit: this.options.hostKeyCheckingExplicit,
      knownHostsFile: this.options.knownHostsFile,
      connectTimeoutMs: this.options.connectTimeoutMs,
      note: (l) => this.options.verbose?.(l),
    };
  }

  private sshConfig(home: string): SshConfig {
    if (this.config) return this.config;
    const explicit = this.options.sshConfigFile;
    const file = explicit ?? join(home, '.ssh', 'config');
    this.config = explicit || existsSync(file) ? SshConfig.load(file, home) : SshConfig.empty();
    return this.config;
  }

  private announceOff(): void {
    if (this.options.hostKeyChecking !== 'off' || this.offAnnounced) return;
    this.offAnnounced = true;
    const line = 'WARNING: host key checking is OFF (--host-key-checking off): SSH connections of this run are not protected against interception';
    (this.options.notice ?? this.options.verbose)?.(line);
  }

  /** Trust on first use is a decision the user must see, not only with -v: once per recorded key. */
  private announceNewKey(c: LiveClient): void {
    if (!c.hostKeyRecorded || this.announced.has(c)) return;
    this.announced.add(c);
    (this.options.notice ?? this.options.verbose)?.(`host key of ${c.endpoint.name} was not known and is now trusted (accept-new): ${c.hostKeyRecorded}`);
  }

  /** One prompt per key file, one at a time, however many hosts use it. */
  private ask(question: string): Promise<string> {
    let p = this.passphrases.get(question);
    if (!p) {
      const previous = [...this.passphrases.values()].pop() ?? Promise.resolve('');
      p = previous.catch(() => '').then(() => promptHidden(question));
      this.passphrases.set(question, p);
    }
    return p;
  }
}

/** An interrupt does not wait for a connect in progress (the pool closes the client if it still comes up). */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal | undefined, host: string): Promise<T> {
  if (!signal) return p;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new RingError('E_ABORTED', `host ${host}: interrupted while connecting`, { host }));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** A failure at a jump host is reported for the target, naming the hop. */
function relabel(e: unknown, host: string): unknown {
  if (!isRingError(e) || e.details.host === host) return e;
  const hop = e.details.host ?? 'a jump host';
  const rest = e.message.replace(/^host [^:]+: /, '');
  return new RingError(e.code, `host ${host} (through jump host ${hop}): ${rest}`, { ...e.details, host, cause: e });
}
