// A scripted fake Connection for engine tests: expected commands → results; anything else fails loudly.
import { commandText } from '../../engine/connection/command.js';
import { readFile, writeFile } from 'node:fs/promises';
import { downloadInto } from '../../engine/connection/download-target.js';
import type { Connection, ConnectionFactory, ConnectionInfo, DownloadOptions, Downloaded, ExecOptions, ExecResult, PutOptions } from '../../engine/connection/types.js';

/** One expected command: the first step whose regexp matches (and has uses left) answers. */
export interface FakeStep {
  match: RegExp;
  /** Defaults: code 0, empty output. */
  result?: Partial<ExecResult>;
  /** Thrown instead of returning (e.g. a RingError E_UNREACHABLE). */
  throws?: Error;
  /** How many times this step may answer (default: unlimited). */
  times?: number;
  /** Wait this long before answering (honours the abort signal). */
  delayMs?: number;
}

export interface ExecCall {
  command: string;
  options: ExecOptions;
}

/** Records every exec/put/get; `unexpected` lists commands no step matched (each also threw). */
export class FakeConnection implements Connection {
  readonly calls: ExecCall[] = [];
  readonly puts: Array<{ path: string; content: string; options: PutOptions }> = [];
  readonly gets: string[] = [];
  readonly unexpected: string[] = [];
  closed = false;
  private readonly used = new Map<FakeStep, number>();

  constructor(
    readonly host: string,
    private readonly steps: FakeStep[] = [],
    /** Files `get` can read. */
    readonly files: Map<string, string> = new Map(),
  ) {}

  /** Adds more expected commands. */
  expect(...steps: FakeStep[]): this {
    this.steps.push(...steps);
    return this;
  }

  async exec(command: Parameters<Connection['exec']>[0], options: ExecOptions = {}): Promise<ExecResult> {
    const text = commandText(command);
    this.calls.push({ command: text, options });
    const step = this.steps.find((s) => s.match.test(text) && (s.times === undefined || (this.used.get(s) ?? 0) < s.times));
    if (!step) {
      this.unexpected.push(text);
      throw new Error(`fake connection ${this.host}: unexpected command: ${text}`);
    }
    this.used.set(step, (this.used.get(step) ?? 0) + 1);
    if (step.delayMs) await sleep(step.delayMs, options.signal);
    if (step.throws) throw step.throws;
    return { code: 0, stdout: '', stderr: '', durationMs: 0, ...step.result };
  }

  async put(path: string, content: Buffer | string, options: PutOptions = {}): Promise<void> {
    this.puts.push({ path, content: content.toString(), options });
    this.files.set(path, content.toString());
  }

  async get(path: string): Promise<Buffer> {
    this.gets.push(path);
    const f = this.files.get(path);
    if (f === undefined) throw new Error(`fake connection ${this.host}: no file ${path}`);
    return Buffer.from(f);
  }

  /** Recorded like a put of the controller file's content. */
  async upload(localPath: string, path: string, options: PutOptions = {}): Promise<void> {
    await this.put(path, await readFile(localPath), options);
  }

  /** Reads `files` like `get`; the controller side is the real one (exclusive file, removed on failure). */
  async download(path: string, localPath: string, options: DownloadOptions = {}): Promise<Downloaded> {
    this.gets.push(path);
    return downloadInto(this.host, path, localPath, options.mode ?? 0o600, async () => {
      const f = this.files.get(path);
      if (f === undefined) throw new Error(`fake connection ${this.host}: no file ${path}`);
      await writeFile(localPath, f);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  info(): ConnectionInfo {
    return { transport: 'fake', host: this.host };
  }

  /** Commands run, as text. */
  commands(): string[] {
    return this.calls.map((c) => c.command);
  }
}

/** Hands out one FakeConnection per host; `failing` hosts throw the given error on connect. */
export class FakeConnectionFactory implements ConnectionFactory {
  readonly conns = new Map<string, FakeConnection>();
  readonly connects: string[] = [];
  readonly connectVars = new Map<string, Record<string, unknown>>();
  closedAll = false;

  constructor(
    private readonly script: Record<string, FakeStep[]> = {},
    private readonly failing: Record<string, Error> = {},
  ) {}

  /** The connection of `host` (created on demand so a test can add steps before the run). */
  of(host: string): FakeConnection {
    let c = this.conns.get(host);
    if (!c) {
      c = new FakeConnection(host, [...(this.script[host] ?? []), ...(this.script['*'] ?? [])]);
      this.conns.set(host, c);
    }
    return c;
  }

  async connect(host: string, vars: Record<string, unknown>): Promise<Connection> {
    this.connects.push(host);
    this.connectVars.set(host, vars);
    const err = this.failing[host];
    if (err) throw err;
    return this.of(host);
  }

  async closeAll(): Promise<void> {
    this.closedAll = true;
    for (const c of this.conns.values()) await c.close();
  }

  /** Every unexpected command of every host (a test should assert this is empty). */
  unexpected(): string[] {
    return [...this.conns.values()].flatMap((c) => c.unexpected.map((u) => `${c.host}: ${u}`));
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      reject(new Error('aborted'));
    }, { once: true });
  });
}
