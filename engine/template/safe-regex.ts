// User regular expressions (`match`, `search`, `regex_search`, `regex_replace`) with a time budget.
//
// JavaScript's backtracking engine can take exponential time (`(a+)+$` on 40 characters runs for hours),
// and a regex cannot be interrupted on the thread that runs it. So it runs on a worker thread while this
// thread waits (Atomics.wait, synchronously: the expression evaluator is synchronous) for at most
// REGEX_BUDGET_MS; past that the worker is terminated (V8 interrupts a running regex) and the caller gets
// a RegexTimeout. The worker is kept between calls (one round trip costs ~0.1 ms) and unref'd.
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';

export const REGEX_BUDGET_MS = 250;
/** How long a new worker may take to start (not counted against the regex). */
const START_BUDGET_MS = 10_000;

export interface RegexJob {
  op: 'exec' | 'replace';
  pattern: string;
  flags: string;
  input: string;
  replacement?: string;
}

export type RegexReply = { ok: true; value: unknown } | { ok: false; error: string };

/** The regex ran out of its time budget. */
export class RegexTimeout extends Error {
  constructor(readonly pattern: string, readonly inputLength: number) {
    super(`regular expression /${pattern}/ took longer than ${REGEX_BUDGET_MS} ms on a ${inputLength}-character string and was stopped`);
    this.name = 'RegexTimeout';
  }
}

/** The pattern itself is invalid (message from the JavaScript engine). */
export class RegexInvalid extends Error {}

interface Runner {
  worker: Worker;
  port: MessagePort;
  signal: Int32Array;
}

let runner: Runner | undefined;
/** Jobs that already ran out of time: asked again (validate, then run; every host), they fail at once. */
const timedOut = new Set<string>();

function start(): Runner {
  const signal = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(new URL('./regex-worker.js', import.meta.url), { workerData: { signal, port: port2 }, transferList: [port2] });
  worker.unref();
  port1.unref();
  if (Atomics.wait(signal, 0, 0, START_BUDGET_MS) === 'timed-out') {
    void worker.terminate();
    throw new Error('the regular expression worker did not start');
  }
  return { worker, port: port1, signal };
}

function run(job: RegexJob): unknown {
  const key = JSON.stringify([job.pattern, job.flags, job.input]);
  if (timedOut.has(key)) throw new RegexTimeout(job.pattern, job.input.length);
  runner ??= start();
  const r = runner;
  Atomics.store(r.signal, 0, 0);
  r.port.postMessage(job);
  if (Atomics.wait(r.signal, 0, 0, REGEX_BUDGET_MS) === 'timed-out') {
    runner = undefined;
    void r.worker.terminate();
    timedOut.add(key);
    throw new RegexTimeout(job.pattern, job.input.length);
  }
  const reply = receiveMessageOnPort(r.port)?.message as RegexReply | undefined;
  if (!reply) throw new Error('the regular expression worker gave no answer');
  if (!reply.ok) throw new RegexInvalid(reply.error);
  return reply.value;
}

/** The first match of `pattern` in `input` (index and text), or null. */
export function regexExec(pattern: string, flags: string, input: string): { index: number; text: string } | null {
  return run({ op: 'exec', pattern, flags, input }) as { index: number; text: string } | null;
}

/** `input.replace(new RegExp(pattern, flags), replacement)`. */
export function regexReplace(pattern: string, flags: string, input: string, replacement: string): string {
  return run({ op: 'replace', pattern, flags, input, replacement }) as string;
}
