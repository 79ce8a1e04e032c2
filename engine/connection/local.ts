// The `local` transport: commands run on the controller through `sh -c`, files move with the fs API.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { chmod, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { RingError } from '../errors/index.js';
import { commandText, shellQuote } from './command.js';
import { downloadInto } from './download-target.js';
import type { BecomeSpec, Connection, ConnectionInfo, DownloadOptions, Downloaded, ExecOptions, ExecResult, PutOptions } from './types.js';
import { wrapCommand } from './wrap.js';

/** Grace between SIGTERM and SIGKILL when a command times out or the run is interrupted. */
const KILL_GRACE_MS = 1000;

/** Runs commands on this machine. `controllerEnv` feeds become passwords (named by `passwordEnv`). */
export class LocalConnection implements Connection {
  constructor(
    readonly host: string = 'localhost',
    private readonly controllerEnv: NodeJS.ProcessEnv = process.env,
  ) {}

  exec(command: Parameters<Connection['exec']>[0], options: ExecOptions = {}): Promise<ExecResult> {
    const wrapped = wrapCommand(commandText(command), { env: options.env, cwd: options.cwd, become: options.become }, this.controllerEnv);
    const stdin = [wrapped.stdinPrefix ?? '', options.stdin ?? ''];
    return runShell(wrapped.command, stdin, options.timeoutMs, options.signal);
  }

  put(path: string, content: Buffer | string, options: PutOptions = {}): Promise<void> {
    return this.install(path, typeof content === 'string' ? Buffer.from(content) : content, options);
  }

  /** Copies a controller file like put, streamed (never held in memory). */
  upload(localPath: string, path: string, options: PutOptions = {}): Promise<void> {
    return this.install(path, { file: localPath }, options);
  }

  private async install(path: string, content: Buffer | { file: string }, options: PutOptions): Promise<void> {
    if (options.become && options.become.method !== 'none') return this.putAsOther(path, content, options);
    const tmp = join(dirname(path), `.${basename(path)}.ringmaster-${randomBytes(4).toString('hex')}.tmp`);
    const previousMode = await stat(path).then((s) => s.mode & 0o7777, () => undefined);
    const mode = options.mode !== undefined ? parseMode(options.mode) : previousMode ?? 0o644;
    try {
      if (Buffer.isBuffer(content)) await writeFile(tmp, content, { mode: 0o600, flag: 'wx' });
      else await pipeline(createReadStream(content.file), createWriteStream(tmp, { mode: 0o600, flags: 'wx' }));
      await chmod(tmp, mode);
      if (options.owner || options.group) await this.chown(tmp, options);
      await rename(tmp, path);
    } catch (e) {
      await rm(tmp, { force: true });
      throw new RingError('E_TASK_FAILED', `cannot write ${path}: ${(e as Error).message}`, { host: this.host, cause: e });
    }
  }

  async get(path: string, options: { become?: BecomeSpec } = {}): Promise<Buffer> {
    if (options.become && options.become.method !== 'none') {
      const r = await this.exec(`cat ${shellQuote(path)}`, { become: options.become });
      if (r.code !== 0) throw new RingError('E_TASK_FAILED', `cannot read ${path}: ${r.stderr.trim()}`, { host: this.host });
      return Buffer.from(r.stdout, 'utf8');
    }
    try {
      return await readFile(path);
    } catch (e) {
      throw new RingError('E_TASK_FAILED', `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { host: this.host, cause: e });
    }
  }

  /** Streams the file (through `cat` as the become user) into a new controller file; see Connection.download. */
  download(path: string, localPath: string, options: DownloadOptions = {}): Promise<Downloaded> {
    return downloadInto(this.host, path, localPath, options.mode ?? 0o600, async () => {
      const out = createWriteStream(localPath, { flags: 'r+' });
      if (!options.become || options.become.method === 'none') return pipeline(createReadStream(path), out, { signal: options.signal });
      const wrapped = wrapCommand(`cat -- ${shellQuote(path)}`, { become: options.become }, this.controllerEnv);
      const r = await runShell(wrapped.command, [wrapped.stdinPrefix ?? ''], undefined, options.signal, out);
      if (r.code !== 0) throw new RingError('E_TASK_FAILED', `cannot read ${path}: ${r.stderr.trim() || `exit status ${String(r.code)}`}`, { host: this.host });
    });
  }

  async close(): Promise<void> {}

  info(): ConnectionInfo {
    return { transport: 'local', host: this.host };
  }

  /** With become the file is written by a shell running as the target user (mktemp in the same folder, then mv). */
  private async putAsOther(path: string, content: Buffer | { file: string }, options: PutOptions): Promise<void> {
    const q = shellQuote(path);
    const steps = [`tmp=$(mktemp ${shellQuote(join(dirname(path), `.${basename(path)}.XXXXXX`))})`, 'cat > "$tmp"'];
    if (options.mode !== undefined) steps.push(`chmod ${parseMode(options.mode).toString(8)} "$tmp"`);
    else steps.push(`{ [ -e ${q} ] && chmod --reference=${q} "$tmp" || chmod 644 "$tmp"; }`);
    if (options.owner || options.group) steps.push(`chown ${shellQuote(`${options.owner ?? ''}${options.group ? `:${options.group}` : ''}`)} "$tmp"`);
    steps.push(`mv -f "$tmp" ${q}`);
    const script = `${steps.join(' && ')} || { rm -f "$tmp"; exit 1; }`;
    const wrapped = wrapCommand(script, { become: options.become }, this.controllerEnv);
    const stdin = [wrapped.stdinPrefix ?? '', Buffer.isBuffer(content) ? content : createReadStream(content.file)];
    const r = await runShell(wrapped.command, stdin);
    if (r.code !== 0) throw new RingError('E_TASK_FAILED', `cannot write ${path}: ${r.stderr.trim()}`, { host: this.host });
  }

  private async chown(file: string, options: PutOptions): Promise<void> {
    const spec = `${options.owner ?? ''}${options.group ? `:${options.group}` : ''}`;
    const r = await this.exec(`chown ${shellQuote(spec)} ${shellQuote(file)}`);
    if (r.code !== 0) throw new Error(`chown ${spec}: ${r.stderr.trim()}`);
  }
}

/** '0644' | '644' | 0o644 → 0o644. */
export function parseMode(mode: string | number): number {
  if (typeof mode === 'number') return mode;
  if (!/^[0-7]{3,4}$/.test(mode)) throw new RingError('E_TASK_FAILED', `invalid file mode '${mode}' (expected octal like '0644')`);
  return parseInt(mode, 8);
}

/**
 * Spawns `sh -c` in its own process group so a timeout or an interrupt kills the whole tree. With `stdoutTo`,
 * stdout is piped there (ended and flushed before the answer) and its write error kills the command and fails.
 */
function runShell(text: string, stdin: Array<string | Buffer | Readable>, timeoutMs?: number, signal?: AbortSignal, stdoutTo?: Writable): Promise<ExecResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new RingError('E_ABORTED', 'the run was interrupted'));
      return;
    }
    const child = spawn('sh', ['-c', text], { detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    let killTimer: NodeJS.Timeout | undefined;
    const kill = () => {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
      signalGroup(child.pid, 'SIGTERM');
      killTimer = setTimeout(() => signalGroup(child.pid!, 'SIGKILL'), KILL_GRACE_MS);
    };
    const timer = timeoutMs ? setTimeout(() => ((timedOut = true), kill()), timeoutMs) : undefined;
    const onAbort = () => kill();
    signal?.addEventListener('abort', onAbort, { once: true });
    let sinkError: Error | undefined;
    if (stdoutTo) {
      child.stdout.pipe(stdoutTo);
      stdoutTo.once('error', (e: Error) => ((sinkError = e), kill()));
    } else child.stdout.on('data', (d: Buffer) => out.push(d));
    const flushed = stdoutTo ? new Promise<void>((ok) => (stdoutTo.writableFinished || stdoutTo.destroyed ? ok() : stdoutTo.once('close', ok))) : Promise.resolve();
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.stdin.on('error', () => {}); // the command may exit without reading its stdin
    child.on('error', (e) => {
      cleanup();
      reject(new RingError('E_UNREACHABLE', `cannot start sh on the controller: ${e.message}`, { cause: e }));
    });
    child.on('close', async (code, sig) => {
      cleanup();
      await flushed;
      if (sinkError) return reject(sinkError);
      resolve({
        code: timedOut ? null : code,
        ...(sig ? { signal: sig } : {}),
        ...(timedOut ? { timedOut } : {}),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        durationMs: Date.now() - started,
      });
    });
    function cleanup() {
      if (timer) clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      signal?.removeEventListener('abort', onAbort);
    }
    // A command that exits without reading all its stdin (EPIPE) answers for itself through its status and stderr.
    void feed(child.stdin, stdin).catch((e: NodeJS.ErrnoException) => e.code === 'EPIPE' || ((sinkError ??= e), kill()));
  });
}

/** Writes strings and buffers, then streams a Readable (a controller file) with backpressure, and ends stdin. */
async function feed(to: Writable, parts: Array<string | Buffer | Readable>): Promise<void> {
  for (const part of parts) {
    if (typeof part === 'string' || Buffer.isBuffer(part)) {
      if (part.length > 0) to.write(part);
    } else await pipeline(part, to, { end: false });
  }
  to.end();
}

function signalGroup(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch {
    // already gone
  }
}
