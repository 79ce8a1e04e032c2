// The worker thread behind safe-regex.ts: runs one user regular expression at a time, so a catastrophic one
// can be stopped (worker.terminate) without blocking the run forever.
import { parentPort, workerData } from 'node:worker_threads';
import type { RegexJob, RegexReply } from './safe-regex.js';

const { signal, port } = workerData as { signal: Int32Array; port: import('node:worker_threads').MessagePort };

function answer(job: RegexJob): RegexReply {
  try {
    const re = new RegExp(job.pattern, job.flags);
    if (job.op === 'replace') return { ok: true, value: job.input.replace(re, job.replacement ?? '') };
    const m = re.exec(job.input);
    return { ok: true, value: m ? { index: m.index, text: m[0] } : null };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}

port.on('message', (job: RegexJob) => {
  port.postMessage(answer(job));
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
});
// Ready: the caller starts its time budget only now, so a slow worker start is not counted against the regex.
Atomics.store(signal, 0, 1);
Atomics.notify(signal, 0);
parentPort?.unref();
