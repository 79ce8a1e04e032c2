// Knowing and ending the remote session of one command: sshd gives every exec its own session (setsid), but closing
// the channel does not end it, and sshd refuses signal requests for root sessions; so each command line first tells
// its session ID on stderr, and on interrupt or timeout a second channel ends every process of that session.
import type { Client } from 'ssh2';
import { shellQuote } from '../command.js';

/** Written by the remote shell before the command: \x01ringmaster-session:<sid>\n (removed from stderr again). */
const MARK = Buffer.from('\x01ringmaster-session:');
/** A shell that prints more than this on stderr before our marker (rc files) makes us give up looking for it. */
const MAX_PREAMBLE = 64 * 1024;

/**
 * The command line, preceded by the marker. The login shell (any: bash, zsh, fish) only execs /bin/sh, so `$$` is
 * the PID sshd started, the session leader, and the line is read by sh as every wrapper already assumes; the line
 * comes as an argument and is shifted away, so its own `$1`, `$#` are empty as before.
 */
export function withSessionMark(line: string): string {
  const script = `printf '\\001ringmaster-session:%s\\n' "$$" >&2; __rm_line=$1; shift; eval "$__rm_line"`;
  return `exec /bin/sh -c ${shellQuote(script)} sh ${shellQuote(line)}`;
}

/** Separates the marker line from the command's own stderr, as the bytes come in. */
export class SessionMarkReader {
  private pending: Buffer[] = [];
  private size = 0;
  private done = false;
  /** The remote session ID once read; undefined before (and for good when the marker never came). */
  session?: string;
  private readonly waiters = new Set<() => void>();

  /** Feeds stderr bytes; returns what belongs to the command's stderr now. */
  feed(chunk: Buffer): Buffer | undefined {
    if (this.done) return chunk;
    this.pending.push(chunk);
    this.size += chunk.length;
    const all = Buffer.concat(this.pending);
    const at = all.indexOf(MARK);
    const end = at < 0 ? -1 : all.indexOf(0x0a, at + MARK.length);
    if (end >= 0) {
      const sid = all.subarray(at + MARK.length, end).toString('latin1');
      if (/^\d+$/.test(sid)) this.session = sid;
      return this.finish(Buffer.concat([all.subarray(0, at), all.subarray(end + 1)]));
    }
    if (this.size > MAX_PREAMBLE) return this.finish(all);
    this.pending = [all];
    return undefined;
  }

  /** The channel closed: whatever is held back is the command's stderr. */
  flush(): Buffer | undefined {
    return this.done ? undefined : this.finish(Buffer.concat(this.pending));
  }

  /** Resolves once the session ID is known or will never be (at most `ms` later). */
  wait(ms: number): Promise<string | undefined> {
    if (this.done) return Promise.resolve(this.session);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters.delete(wake);
        resolve(this.session);
      }, ms);
      const wake = (): void => {
        clearTimeout(timer);
        resolve(this.session);
      };
      this.waiters.add(wake);
    });
  }

  private finish(rest: Buffer): Buffer | undefined {
    this.done = true;
    this.pending = [];
    for (const w of this.waiters) w();
    this.waiters.clear();
    return rest.length ? rest : undefined;
  }
}

/**
 * Ends every process of session `sid` (found through /proc: field 6 of /proc/PID/stat): TERM, up to 1 s for them
 * to go, then KILL. The killer runs in a session of its own, so it never matches itself; zombies are skipped.
 * `kill -- -sid` first covers a host without /proc (the session leader's process group).
 */
export function reapScript(sid: string): string {
  if (!/^\d+$/.test(sid)) throw new Error(`not a session ID: ${sid}`);
  return [
    `s=${sid}`,
    `g() { for f in /proc/[0-9]*/stat; do read -r l < "$f" || continue; set -- \${l##*) }; [ "$4" = "$s" ] && [ "$1" != Z ] && { d=\${f%/stat}; printf '%s ' "\${d#/proc/}"; }; done 2>/dev/null; }`,
    'kill -TERM -- -$s 2>/dev/null',
    'p=$(g); [ -n "$p" ] && kill -TERM $p 2>/dev/null',
    'i=0; while [ -n "$p" ] && [ $i -lt 10 ]; do sleep 0.1; p=$(g); i=$((i+1)); done',
    '[ -n "$p" ] && kill -KILL $p 2>/dev/null',
    'exit 0',
  ].join('\n');
}

/** Runs a short command on its own channel (outside the slot count: it must work while every slot is busy), bounded. */
export function execDirect(client: Client, line: string, stdin: string | undefined, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    const done = (): void => {
      clearTimeout(timer);
      resolve();
    };
    try {
      client.exec(line, (err, ch) => {
        if (err) return done();
        ch.on('close', done);
        ch.on('data', () => undefined);
        ch.stderr.on('data', () => undefined);
        ch.end(stdin ?? '');
      });
    } catch {
      done();
    }
  });
}
