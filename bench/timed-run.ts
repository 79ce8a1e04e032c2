// Runs one benchmarked command as a child process: wall time, peak memory (GNU time's max RSS), a hard time limit.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

/** What one timed run produced. */
export interface TimedRun {
  /** Wall time measured here, from spawn to exit (ms). */
  wallMs: number;
  /** Largest resident set of any process in the run's tree (KiB), from /usr/bin/time; undefined without it. */
  maxRssKb?: number;
  /** User + system CPU time of the whole local process tree (ms), from /usr/bin/time: the controller's own work. */
  cpuMs?: number;
  exitCode: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** How to run one command. */
export interface TimedRunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Killed (its whole process group) after this long; every run has a limit. */
  timeoutMs: number;
}

const TIME = '/usr/bin/time';
const MARK = '__bench_rss_kb=';

/** The last `MARK<rss> <user s> <sys s>` line GNU time wrote to stderr, and the stderr without it. */
export function splitRss(stderr: string): { maxRssKb?: number; cpuMs?: number; rest: string } {
  const at = stderr.lastIndexOf(MARK);
  if (at < 0) return { rest: stderr };
  const [rss, user, sys] = stderr.slice(at + MARK.length).trim().split(/\s+/).map(Number);
  const cpu = (user + sys) * 1000;
  return { maxRssKb: Number.isFinite(rss) ? rss : undefined, cpuMs: Number.isFinite(cpu) ? cpu : undefined, rest: stderr.slice(0, at) };
}

/** Runs argv (under /usr/bin/time when installed) in its own process group, killed as a group at the limit. */
export function timedRun(argv: string[], o: TimedRunOptions): Promise<TimedRun> {
  const withTime = existsSync(TIME);
  const [cmd, ...args] = withTime ? [TIME, '-f', `${MARK}%M %U %S`, ...argv] : argv;
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: o.env ?? process.env, cwd: o.cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d) => (stdout = (stdout + d).slice(-200_000)));
    child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-200_000)));
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid) try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
    }, o.timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      const wallMs = performance.now() - t0;
      clearTimeout(timer);
      const { maxRssKb, cpuMs, rest } = splitRss(stderr);
      resolve({ wallMs, maxRssKb, cpuMs, exitCode: code ?? 255, stdout, stderr: rest, timedOut });
    });
  });
}
