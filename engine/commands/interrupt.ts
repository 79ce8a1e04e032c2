// The run's interrupt: SIGINT, SIGTERM and SIGHUP abort it (the reason is the signal's name), and so does the end of
// the ringmaster process that started this one inside a lab (it holds a pipe open on our fd PARENT_FD_ENV names).
import { Socket } from 'node:net';

/** Set by `runInClient` to the fd of a pipe the outer process keeps open for as long as it lives. */
export const PARENT_FD_ENV = 'RINGMASTER_PARENT_FD';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export interface Interrupt {
  signal: AbortSignal;
  /**
   * Aborted by a second signal at least HARD_AFTER_MS after the first: stop at once, dropping connections (the
   * first one lets cleanups such as releasing the lock run). A terminal's Ctrl-C reaches a lab run twice within
   * milliseconds (directly and forwarded by the outer process): that is still one interrupt.
   */
  hard: AbortSignal;
  dispose(): void;
}

const HARD_AFTER_MS = 1000;

/** Installs the handlers; dispose() removes them (and stops watching the parent). */
export function watchInterrupts(env: NodeJS.ProcessEnv): Interrupt {
  const ac = new AbortController();
  const hard = new AbortController();
  let firstAt = 0;
  const handlers = SIGNALS.map((sig) => {
    const h = () => {
      if (!ac.signal.aborted) {
        firstAt = Date.now();
        ac.abort(sig);
      } else if (Date.now() - firstAt >= HARD_AFTER_MS) hard.abort(sig);
    };
    process.on(sig, h);
    return [sig, h] as const;
  });
  const ppid = process.ppid; // read now: once that process is gone, we have a new parent
  const parent = watchParent(env, () => ac.abort(`the end of the ringmaster process that started this run (PID ${ppid})`));
  return {
    signal: ac.signal,
    hard: hard.signal,
    dispose() {
      for (const [sig, h] of handlers) process.off(sig, h);
      parent?.destroy();
    },
  };
}

/** Calls `gone` once the pipe on fd $RINGMASTER_PARENT_FD ends (the outer process exited, even by SIGKILL). */
function watchParent(env: NodeJS.ProcessEnv, gone: () => void): Socket | undefined {
  const fd = Number(env[PARENT_FD_ENV]);
  delete env[PARENT_FD_ENV]; // ours alone: commands this run starts must not inherit it
  if (!Number.isInteger(fd) || fd < 3) return undefined;
  let sock: Socket;
  try {
    sock = new Socket({ fd, readable: true, writable: false });
  } catch {
    return undefined; // not a pipe we were given (the variable leaked into another process): nothing to watch
  }
  sock.on('data', () => undefined);
  sock.on('end', gone);
  sock.on('error', gone);
  sock.unref(); // never what keeps this process alive
  return sock;
}
