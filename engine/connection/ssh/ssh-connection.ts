// The Connection of one host over SSH: commands on channels of one shared client, files through SFTP.
import type { Writable } from 'node:stream';
import type { ClientChannel, SFTPWrapper } from 'ssh2';
import { RingError } from '../../errors/index.js';
import { commandDisplay, commandText, shellQuote, type Command } from '../command.js';
import type { BecomeSpec, Connection, ConnectionInfo, DownloadOptions, Downloaded, ExecOptions, ExecResult, PutOptions } from '../types.js';
import { wrapCommand } from '../wrap.js';
import { ChannelSlots } from './channel-slots.js';
import type { LiveClient } from './hop-client.js';
import { execDirect, reapScript, SessionMarkReader, withSessionMark } from './remote-session.js';
import { downloadFile, getFile, putFile, uploadFile } from './sftp-files.js';

/** Bytes and status of one remote command, before decoding. */
export interface RawResult {
  code: number | null;
  signal?: string;
  timedOut?: boolean;
  stdout: Buffer;
  stderr: Buffer;
  durationMs: number;
}

/** The exit status of a channel, captured as soon as the channel exists. */
interface ExitInfo {
  exited: boolean;
  code: number | null;
  signal?: string;
}

/** Options of a raw run (what `exec` has after wrapping). */
interface RunOptions {
  stdin?: Buffer;
  timeoutMs?: number;
  signal?: AbortSignal;
  display: string;
  /** Stdout goes here (with the channel's flow control) instead of into the result; its write error fails the run. */
  stdoutTo?: Writable;
  /** Wraps the reaper script like the command was (become), so it may end processes of another user. */
  asCommand?: (script: string) => { command: string; stdinPrefix?: string };
}

/** How long an interrupted command waits for its session ID, and for the reaper to end the session. */
const SESSION_WAIT_MS = 1000;
const REAP_TIMEOUT_MS = 5000;

/** How a host's connection is opened again after a drop between tasks (the connector's pool), and who is told. */
export interface Reconnect {
  open(): Promise<{ live: LiveClient; hops: LiveClient[] }>;
  notice?(line: string): void;
}

/** A host reached over SSH; many tasks share it, each command on its own channel. */
export class SshConnection implements Connection {
  private readonly slots: ChannelSlots;
  private readonly pending = new Set<(e: Error) => void>();
  /** Interrupts of the commands running now (each ends its remote session, then rejects its exec). */
  private readonly running = new Set<() => Promise<void>>();

  /** Reconnections so far: a connection lost between tasks is reopened once, never under a running command. */
  private reconnects = 0;
  private reopening?: Promise<void>;

  constructor(
    readonly host: string,
    private live: LiveClient,
    private hops: LiveClient[],
    private readonly env: NodeJS.ProcessEnv,
    maxSessions?: number,
    private readonly reconnect?: Reconnect,
  ) {
    this.slots = new ChannelSlots(maxSessions);
    this.watch(live);
  }

  private watch(live: LiveClient): void {
    live.onClose.add(() => {
      if (live !== this.live) return;
      const err = this.lost();
      for (const reject of this.pending) reject(err);
      this.pending.clear();
    });
  }

  /**
   * Before a channel opens (so no command of ours is running on the lost connection), a connection that dropped
   * since the last task is opened again, once per run; a second drop, or a failed reconnect, is unreachable.
   */
  private async reopenIfLost(display: string): Promise<void> {
    if (!this.live.closed || this.closedByUser || !this.reconnect) return;
    if (!this.reopening) {
      if (this.reconnects >= 1) return;
      this.reconnects++;
      const why = this.live.closeReason ?? 'the connection was lost';
      this.reopening = this.reconnect.open().then((fresh) => {
        this.live = fresh.live;
        this.hops = fresh.hops;
        this.watch(fresh.live);
        this.reconnect?.notice?.(`host ${this.host}: the connection dropped between tasks (${why}); reconnected once before \`${display}\``);
      }).finally(() => (this.reopening = undefined));
    }
    await this.reopening;
  }

  info(): ConnectionInfo {
    return {
      transport: 'ssh',
      host: this.host,
      hops: [...this.hops.map((h) => `${h.label} (jump host ${h.endpoint.name})`), this.live.label],
      auth: this.live.auth,
      hostKey: this.live.hostKey,
    };
  }

  async exec(command: Command | string, options: ExecOptions = {}): Promise<ExecResult> {
    const display = commandDisplay(command);
    const wrapped = this.wrap(commandText(command), options, display);
    const stdin = joinStdin(wrapped.stdinPrefix, options.stdin);
    const asCommand = (script: string) => this.wrap(script, { become: options.become }, 'end the interrupted command');
    const r = await this.run(wrapped.command, { stdin, timeoutMs: options.timeoutMs, signal: options.signal, display, asCommand });
    return { ...r, stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8') };
  }

  async put(path: string, content: Buffer | string, options: PutOptions = {}): Promise<void> {
    await putFile(this, path, typeof content === 'string' ? Buffer.from(content) : content, options);
  }

  async get(path: string, options: { become?: BecomeSpec } = {}): Promise<Buffer> {
    return getFile(this, path, options.become);
  }

  async upload(localPath: string, path: string, options: PutOptions = {}): Promise<void> {
    await uploadFile(this, localPath, path, options);
  }

  async download(path: string, localPath: string, options: DownloadOptions = {}): Promise<Downloaded> {
    return downloadFile(this, path, localPath, options);
  }

  /** Ends every running command's remote session (interrupt): resolves when they are gone or the reaper gave up. */
  async interruptAll(): Promise<void> {
    await Promise.allSettled([...this.running].map((interrupt) => interrupt()));
  }

  async close(): Promise<void> {
    // The connector owns the client (it may be shared); closing one host's view only stops new work.
    this.closedByUser = true;
  }

  private closedByUser = false;

  /** Wraps env/cwd/become around a command line (shared with the SFTP helpers). */
  wrap(text: string, options: { env?: Record<string, string>; cwd?: string; become?: BecomeSpec }, display: string): { command: string; stdinPrefix?: string } {
    try {
      return wrapCommand(text, { env: options.env, cwd: options.cwd, become: options.become }, this.env);
    } catch (e) {
      throw new RingError('E_TASK_FAILED', `host ${this.host}: cannot run \`${display}\`: ${(e as Error).message}`, { host: this.host, cause: e });
    }
  }

  /** Runs a command line on a new channel; stdin is written and ended at once (an open stdin costs a round trip per exec through a bastion). */
  async run(commandLine: string, opts: RunOptions): Promise<RawResult> {
    if (opts.signal?.aborted) throw new RingError('E_ABORTED', `host ${this.host}: \`${opts.display}\` was not started: the run was interrupted`, { host: this.host });
    const started = Date.now();
    // sshd refuses signal requests for some sessions (root), so the remote `timeout` makes sure the command dies too.
    const inner = opts.timeoutMs ? `timeout -k 2 ${Math.ceil(opts.timeoutMs / 1000) + 1} sh -c ${shellQuote(commandLine)}` : commandLine;
    const line = withSessionMark(inner);
    const exit: ExitInfo = { exited: false, code: null };
    const stream = await this.openChannel<ClientChannel>(
      (cb) =>
        this.live.client.exec(line, (err, ch) => {
          // The exit status can arrive in the same packet batch as the channel itself, before an awaiting
          // caller resumes; listen synchronously or it is lost (seen ~1 in 500 execs on loopback).
          ch?.on('exit', (c: number | null, sig?: string) => Object.assign(exit, { exited: true, code: typeof c === 'number' ? c : null, signal: sig }));
          cb(err, ch);
        }),
      opts.display,
    );
    try {
      return await this.collect(stream, exit, opts, started);
    } finally {
      this.slots.release();
    }
  }

  /** An SFTP session on the same connection, counted like any other channel; `use` runs while it is open. */
  async withSftp<T>(use: (sftp: SFTPWrapper) => Promise<T>): Promise<T> {
    const sftp = await this.openChannel<SFTPWrapper>((cb) => this.live.client.sftp(cb), 'sftp');
    try {
      return await use(sftp);
    } finally {
      sftp.end();
      this.slots.release();
    }
  }

  private async openChannel<T>(open: (cb: (err: Error | undefined, ch: T) => void) => void, display: string): Promise<T> {
    let lonelyRefusals = 0;
    await this.reopenIfLost(display);
    for (;;) {
      if (this.live.closed || this.closedByUser) throw this.lost();
      await this.slots.acquire();
      try {
        return await new Promise<T>((resolve, reject) => {
          // Failures while opening are rejected by the close listener when the connection drops meanwhile.
          this.pending.add(reject);
          open((err, ch) => {
            this.pending.delete(reject);
            if (err) reject(err);
            else resolve(ch);
          });
        });
      } catch (e) {
        if (e instanceof RingError) {
          this.slots.release();
          throw e;
        }
        const refusal = /open failure/i.test((e as Error).message) && !this.live.closed;
        if (refusal && this.slots.refused()) continue;
        this.slots.release();
        // Alone and refused: sshd may not have freed a session we just closed yet; wait a little before giving up.
        if (refusal && lonelyRefusals < 5) {
          await new Promise((r) => setTimeout(r, 50 * 2 ** lonelyRefusals++));
          continue;
        }
        if (this.live.closed) throw this.lost();
        throw new RingError('E_UNREACHABLE', `host ${this.host}: the server refused a channel for \`${display}\`: ${(e as Error).message}`, { host: this.host, cause: e });
      }
    }
  }

  private collect(stream: ClientChannel, exit: ExitInfo, opts: RunOptions, started: number): Promise<RawResult> {
    return new Promise<RawResult>((resolve, reject) => {
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      const mark = new SessionMarkReader();
      let timedOut = false;
      let aborted = false;
      let settled = false;
      let ending: Promise<void> | undefined;
      let sinkError: Error | undefined;
      const fail = (e: Error): void => {
        if (ending) return; // the interrupt answers once the remote session is gone
        settle(() => reject(e));
      };
      const settle = (answer: () => void): void => {
        if (settled) return;
        settled = true;
        cleanup();
        answer();
      };
      const finish = (): void => {
        const rest = mark.flush();
        if (rest) err.push(rest);
        settle(() => {
          if (sinkError) return reject(sinkError);
          if (aborted) return reject(new RingError('E_ABORTED', `host ${this.host}: \`${opts.display}\` was interrupted`, { host: this.host }));
          if (!exit.exited && !timedOut && this.live.closed) return reject(this.lost(opts.display));
          const r: RawResult = { code: timedOut ? null : exit.code, stdout: Buffer.concat(out), stderr: Buffer.concat(err), durationMs: Date.now() - started };
          if (exit.signal) r.signal = exit.signal;
          if (timedOut) r.timedOut = true;
          resolve(r);
        });
      };
      // Interrupt or timeout: end the remote session first (closing the channel alone leaves it running), then answer.
      const end = (): Promise<void> =>
        (ending ??= (async () => {
          try {
            stream.signal('TERM'); // honoured by sshd for non-root sessions; the reaper covers the rest
          } catch {
            /* the channel may already be gone */
          }
          const sid = exit.exited ? undefined : await mark.wait(SESSION_WAIT_MS);
          if (sid && !this.live.closed) {
            const reaper = opts.asCommand ? opts.asCommand(reapScript(sid)) : { command: reapScript(sid) };
            await execDirect(this.live.client, reaper.command, reaper.stdinPrefix, REAP_TIMEOUT_MS);
          }
          try {
            stream.close();
          } catch {
            /* the connection may be gone meanwhile */
          }
          finish();
        })());
      const timer = opts.timeoutMs
        ? setTimeout(() => {
            timedOut = true;
            void end();
          }, opts.timeoutMs)
        : undefined;
      const onAbort = (): void => {
        if (settled || timedOut) return;
        aborted = true;
        void end();
      };
      const interrupt = (): Promise<void> => {
        onAbort();
        return ending ?? Promise.resolve();
      };
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      if (opts.signal?.aborted) queueMicrotask(onAbort); // aborted while the channel was opening: end it at once
      const cleanup = (): void => {
        if (timer) clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
        this.pending.delete(fail);
        this.running.delete(interrupt);
      };
      this.pending.add(fail);
      this.running.add(interrupt);
      const sink = opts.stdoutTo;
      if (sink) {
        // A full controller disk ends the remote command like an interrupt would, then fails the run with it.
        sink.once('error', (e: Error) => {
          sinkError = e;
          void end();
        });
        stream.on('data', (d: Buffer) => {
          if (sinkError || sink.write(d)) return;
          stream.pause();
          sink.once('drain', () => stream.resume());
        });
      } else stream.on('data', (d: Buffer) => out.push(d));
      stream.stderr.on('data', (d: Buffer) => {
        const mine = mark.feed(d);
        if (mine) err.push(mine);
      });
      stream.on('close', () => {
        if (!ending) finish();
      });
      if (opts.stdin && opts.stdin.length > 0) stream.end(opts.stdin);
      else stream.end();
    });
  }

  private lost(display?: string): RingError {
    const what = display ? ` while running \`${display}\`` : '';
    const why = this.closedByUser ? 'the connection was closed' : this.live.closeReason ?? 'the connection was lost';
    return new RingError('E_UNREACHABLE', `host ${this.host}: connection to ${this.live.label} lost${what} (${why})`, { host: this.host });
  }
}

function joinStdin(prefix: string | undefined, stdin: string | Buffer | undefined): Buffer | undefined {
  if (prefix === undefined && stdin === undefined) return undefined;
  return Buffer.concat([Buffer.from(prefix ?? ''), typeof stdin === 'string' ? Buffer.from(stdin) : stdin ?? Buffer.alloc(0)]);
}
