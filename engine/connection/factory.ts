// Chooses each host's transport (local or ssh), opens it once per run, and hands out lazy handles to it.
import { RingError, isRingError } from '../errors/index.js';
import type { Connection, ConnectionFactory, ConnectionInfo, ExecOptions, PutOptions, BecomeSpec, DownloadOptions } from './types.js';
import { LocalConnection } from './local.js';

/** The transports a run may use; `ssh` is the SSH room's SshConnector. */
export interface Transports {
  ssh: ConnectionFactory;
  /** Makes a local connection (default: LocalConnection). */
  local?: (host: string) => Connection;
}

/** `ansible_connection`, else `local` for an inventory host named localhost/127.0.0.1 (as Ansible), else ssh. */
export function transportFor(host: string, vars: Record<string, unknown>): 'local' | 'ssh' {
  const declared = vars.ansible_connection;
  if (declared === 'local' || declared === 'ssh') return declared;
  if (declared !== undefined && declared !== null && declared !== '') {
    throw new RingError('E_UNREACHABLE', `unsupported ansible_connection '${String(declared)}' for host ${host} (use local or ssh)`, { host });
  }
  return host === 'localhost' || host === '127.0.0.1' ? 'local' : 'ssh';
}

/**
 * One connection per host for the whole run. A failed connect is remembered, so the host stays
 * unreachable instead of being retried by every task.
 */
export class HostConnections implements ConnectionFactory {
  private readonly cache = new Map<string, Promise<Connection>>();
  private readonly opened = new Set<Connection>();

  constructor(private readonly transports: Transports) {}

  connect(host: string, vars: Record<string, unknown>): Promise<Connection> {
    let p = this.cache.get(host);
    if (!p) {
      p = this.open(host, vars);
      p.catch(() => {}); // observed by every caller; avoid an unhandled rejection
      this.cache.set(host, p);
    }
    return p;
  }

  private async open(host: string, vars: Record<string, unknown>): Promise<Connection> {
    try {
      const kind = transportFor(host, vars);
      const conn = kind === 'local' ? (this.transports.local ?? ((h) => new LocalConnection(h)))(host) : await this.transports.ssh.connect(host, vars);
      this.opened.add(conn);
      return conn;
    } catch (e) {
      if (isRingError(e)) throw e;
      throw new RingError('E_UNREACHABLE', `cannot connect to ${host}: ${(e as Error)?.message ?? String(e)}`, { host, cause: e });
    }
  }

  async closeAll(): Promise<void> {
    const all = [...this.opened];
    this.opened.clear();
    await Promise.allSettled(all.map((c) => c.close()));
    await this.transports.ssh.closeAll();
  }
}

/**
 * A Connection that connects on first use: a task whose module never touches the host
 * (debug, set_fact, assert) never opens a connection. `vars` is read only at that moment.
 */
export function lazyConnection(factory: ConnectionFactory, host: string, vars: () => Record<string, unknown>): Connection {
  let conn: Promise<Connection> | undefined;
  let real: Connection | undefined;
  const get = () => (conn ??= factory.connect(host, vars()).then((c) => (real = c)));
  return {
    host,
    exec: async (command: Parameters<Connection['exec']>[0], options?: ExecOptions) => (await get()).exec(command, options),
    put: async (path: string, content: Buffer | string, options?: PutOptions) => (await get()).put(path, content, options),
    get: async (path: string, options?: { become?: BecomeSpec }) => (await get()).get(path, options),
    upload: async (localPath: string, path: string, options?: PutOptions) => (await get()).upload(localPath, path, options),
    download: async (path: string, localPath: string, options?: DownloadOptions) => (await get()).download(path, localPath, options),
    close: async () => {
      // the factory owns the real connection; it is closed once, at the end of the run
    },
    info: (): ConnectionInfo => real?.info() ?? { transport: 'fake', host, auth: 'not connected yet' },
  };
}
