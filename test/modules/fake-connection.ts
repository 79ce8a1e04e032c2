// An ordered, scripted fake Connection for module tables: each call must be the next one expected, or the test fails.
import { commandText } from '../../engine/connection/command.js';
import { readFile, writeFile } from 'node:fs/promises';
import { downloadInto } from '../../engine/connection/download-target.js';
import type { Connection, ConnectionInfo, DownloadOptions, Downloaded, ExecOptions, ExecResult, PutOptions } from '../../engine/connection/types.js';
import { RingError } from '../../engine/errors/index.js';

/** One expected remote call, in order. Exec steps match the exact command text (or a RegExp). */
export type Step =
  | { exec: string | RegExp; reply?: Partial<ExecResult>; /** thrown instead of answering (an interrupt, a dropped connection) */ throws?: Error }
  | { put: string; content?: string | Buffer }
  | { get: string; data?: string | Buffer }
  | { download: string; data?: string | Buffer };

/** Everything that happened, for assertions. */
export interface Call {
  kind: 'exec' | 'put' | 'get' | 'download';
  text: string;
  stdin?: string;
  timeoutMs?: number;
  content?: Buffer;
  options?: PutOptions;
}

/**
 * Fails (throws, and records in `unexpected`) on any call that is not the next scripted step, so a
 * module that runs one command too many, or writes when it should not, cannot pass its test.
 */
export class ScriptedConnection implements Connection {
  readonly calls: Call[] = [];
  readonly unexpected: string[] = [];
  private next = 0;

  constructor(
    private readonly steps: Step[] = [],
    readonly host = 'node1',
  ) {}

  private take(kind: Call['kind'], text: string): Step {
    const step = this.steps[this.next];
    const ok = step && kind in step && matches(step, kind, text);
    if (!ok) {
      const wanted = step ? JSON.stringify(step, (_k, v) => (v instanceof RegExp ? String(v) : v)) : 'nothing more';
      this.unexpected.push(`${kind} ${text}`);
      throw new Error(`scripted connection: unexpected ${kind} ${text}\n  expected: ${wanted}`);
    }
    this.next++;
    return step;
  }

  async exec(command: Parameters<Connection['exec']>[0], options: ExecOptions = {}): Promise<ExecResult> {
    const text = commandText(command);
    this.calls.push({ kind: 'exec', text, stdin: options.stdin?.toString(), timeoutMs: options.timeoutMs });
    const step = this.take('exec', text) as { reply?: Partial<ExecResult>; throws?: Error };
    if (step.throws) throw step.throws;
    return { code: 0, stdout: '', stderr: '', durationMs: 1, ...step.reply };
  }

  async put(path: string, content: Buffer | string, options: PutOptions = {}): Promise<void> {
    this.calls.push({ kind: 'put', text: path, content: Buffer.from(content), options });
    const step = this.take('put', path) as { content?: string | Buffer };
    if (step.content !== undefined && !Buffer.from(step.content).equals(Buffer.from(content))) {
      throw new Error(`scripted connection: put ${path} with unexpected content ${JSON.stringify(content.toString())}`);
    }
  }

  async get(path: string): Promise<Buffer> {
    this.calls.push({ kind: 'get', text: path });
    const step = this.take('get', path) as { data?: string | Buffer };
    if (step.data === undefined) throw new RingError('E_TASK_FAILED', `cannot read ${path}: ENOENT`, { host: this.host });
    return Buffer.from(step.data);
  }

  /** Scripted like a put of the controller file's content. */
  async upload(localPath: string, path: string, options: PutOptions = {}): Promise<void> {
    await this.put(path, await readFile(localPath), options);
  }

  /** The controller side is the real one (exclusive file, removed on failure); the remote side is `data`. */
  async download(path: string, localPath: string, options: DownloadOptions = {}): Promise<Downloaded> {
    this.calls.push({ kind: 'download', text: path });
    const step = this.take('download', path) as { data?: string | Buffer };
    return downloadInto(this.host, path, localPath, options.mode ?? 0o600, async () => {
      if (step.data === undefined) throw new RingError('E_TASK_FAILED', `cannot read ${path}: ENOENT`, { host: this.host });
      await writeFile(localPath, step.data);
    });
  }

  async close(): Promise<void> {}

  info(): ConnectionInfo {
    return { transport: 'fake', host: this.host };
  }

  /** Steps the module never got to (a test asserts this is empty). */
  remaining(): Step[] {
    return this.steps.slice(this.next);
  }

  /** The exec command texts, in order. */
  execs(): string[] {
    return this.calls.filter((c) => c.kind === 'exec').map((c) => c.text);
  }
}

function matches(step: Step, kind: Call['kind'], text: string): boolean {
  if (kind === 'exec' && 'exec' in step) return typeof step.exec === 'string' ? step.exec === text : step.exec.test(text);
  if (kind === 'put' && 'put' in step) return step.put === text;
  if (kind === 'get' && 'get' in step) return step.get === text;
  if (kind === 'download' && 'download' in step) return step.download === text;
  return false;
}
