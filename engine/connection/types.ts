// The Connection contract: how the engine runs commands and moves files on a host, whatever the transport.
import type { Command } from './command.js';
import type { Downloaded } from './download-target.js';

export type { Downloaded } from './download-target.js';

/** How to escalate privileges for one command. */
export interface BecomeSpec {
  method: 'sudo' | 'su' | 'none';
  user: string;
  /** Name of an environment variable on the controller that holds the password (never the password). */
  passwordEnv?: string;
}

export interface ExecOptions {
  stdin?: string | Buffer;
  /** Kill the command and fail after this long. */
  timeoutMs?: number;
  env?: Record<string, string>;
  become?: BecomeSpec;
  cwd?: string;
  signal?: AbortSignal;
}

export interface ExecResult {
  /** Exit status; null when the command was killed by a signal or timed out. */
  code: number | null;
  signal?: string;
  timedOut?: boolean;
  stdout: string;
  stderr: string;
  durationMs: number;
}

export interface PutOptions {
  /** Octal string like '0644' or a number. */
  mode?: string | number;
  owner?: string;
  group?: string;
  become?: BecomeSpec;
}

export interface DownloadOptions {
  become?: BecomeSpec;
  /** Mode of the controller file (default 0o600: a snapshot holds every Kubernetes Secret). */
  mode?: number;
  /** Interrupt: stops the copy and removes the partial file. */
  signal?: AbortSignal;
}

/** What `-v` shows about a connection (never a secret). */
export interface ConnectionInfo {
  transport: 'local' | 'ssh' | 'fake';
  host: string;
  /** e.g. ['root@10.0.0.1:22 (bastion)', 'root@node1:22'] */
  hops?: string[];
  auth?: string;
  hostKey?: string;
}

/**
 * A live connection to one host, reused by every task of the run.
 * Transport failures (cannot connect, connection lost) throw RingError E_UNREACHABLE
 * (or E_HOSTKEY_*, E_AUTH); a command that runs and exits non-zero is a normal ExecResult.
 */
export interface Connection {
  readonly host: string;
  exec(command: Command | string, options?: ExecOptions): Promise<ExecResult>;
  /** Write `content` to `path` atomically (temp file in the same dir, then rename). */
  put(path: string, content: Buffer | string, options?: PutOptions): Promise<void>;
  /** Read a whole remote file; throws RingError E_TASK_FAILED naming the path if absent. */
  get(path: string, options?: { become?: BecomeSpec }): Promise<Buffer>;
  /**
   * Copy a remote file to `localPath` on the controller without holding it in memory. `localPath` is created
   * exclusively (mode 0600 unless given; an existing file is an error) and removed again if the copy fails.
   */
  /** Copy the controller file `localPath` to `path` like `put` (atomic, checksummed), without holding it in memory. */
  upload(localPath: string, path: string, options?: PutOptions): Promise<void>;
  download(path: string, localPath: string, options?: DownloadOptions): Promise<Downloaded>;
  close(): Promise<void>;
  info(): ConnectionInfo;
}

/** Makes connections; the executor asks it once per host and reuses the answer. */
export interface ConnectionFactory {
  connect(host: string, vars: Record<string, unknown>): Promise<Connection>;
  closeAll(): Promise<void>;
}
