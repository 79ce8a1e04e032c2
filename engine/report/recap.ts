// The end-of-run recap (per-host counters) and the sentence that explains the run's exit code.
import type { Palette } from './color.js';
import type { HostStats, Recap } from './events.js';

const FIELDS: Array<keyof HostStats> = ['ok', 'changed', 'unreachable', 'failed', 'skipped', 'rescued', 'ignored'];

/** Lines like `node1 : ok=3 changed=1 unreachable=0 failed=0 skipped=0 rescued=0 ignored=0`. */
export function recapLines(recap: Recap, p: Palette): string[] {
  const hosts = Object.keys(recap.hosts).sort();
  const width = Math.max(0, ...hosts.map((h) => h.length));
  return hosts.map((host) => {
    const s = recap.hosts[host];
    const name = host.padEnd(width);
    const paintedName = s.unreachable > 0 || s.failed > 0 ? p.failed(name) : s.changed > 0 ? p.changed(name) : p.ok(name);
    const cells = FIELDS.map((f) => paintCell(f, s[f], p));
    return `${paintedName} : ${cells.join(' ')}`;
  });
}

function paintCell(field: keyof HostStats, n: number, p: Palette): string {
  const text = `${field}=${n}`;
  if (n === 0) return text;
  if (field === 'failed' || field === 'unreachable') return p.failed(text);
  if (field === 'changed') return p.changed(text);
  if (field === 'ok') return p.ok(text);
  if (field === 'skipped') return p.skipped(text);
  return text;
}

function hostsWith(recap: Recap, field: keyof HostStats): string[] {
  return Object.keys(recap.hosts)
    .filter((h) => recap.hosts[h][field] > 0)
    .sort();
}

/** "exit 6: a task failed on node3; node4 was unreachable": what each bit of the exit code means here. */
export function describeExit(recap: Recap): string {
  const code = recap.exitCode;
  if (code === 0) return 'exit 0: every task succeeded on every host';
  const parts: string[] = [];
  if (code === 255) return 'exit 255: ringmaster hit an internal error';
  if (code & 1) parts.push('a usage or validation error');
  if (code & 2) {
    const failed = hostsWith(recap, 'failed');
    parts.push(failed.length ? `a task failed on ${failed.join(', ')}` : 'a task failed');
  }
  if (code & 4) {
    const down = hostsWith(recap, 'unreachable');
    parts.push(down.length ? `${down.join(', ')} ${down.length === 1 ? 'was' : 'were'} unreachable` : 'a host was unreachable');
  }
  if (code & 8) parts.push(stopped(recap));
  return `exit ${code}: ${parts.join('; ')}`;
}

/** Why the run stopped early, and what it had changed by then: a refusal after a change must never read as harmless. */
function stopped(recap: Recap): string {
  const i = recap.interrupted;
  let why: string;
  if (i) {
    const where = i.task ? ` while task '${i.task}' was running${i.hosts.length ? ` on ${i.hosts.join(', ')}` : ''}` : ' between tasks';
    why = `interrupted by ${i.reason}${where}`;
  } else why = recap.aborted ? `aborted by a safety guard: ${recap.aborted}` : 'aborted by a safety guard';
  if (!recap.changes) return why;
  const done = recap.changes.map((c) => `'${c.task}' on ${c.hosts.join(', ')}`);
  const partly = i?.task && i.hosts.length ? ` (and '${i.task}' may have partly run)` : '';
  return done.length
    ? `${why}; before it stopped this run changed: ${done.join('; ')}${partly}`
    : `${why}; this run had changed nothing before it stopped${partly}`;
}

/** Seconds with one decimal under a minute, else `1m05s`. */
export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const total = Math.round(ms / 1000);
  return `${Math.floor(total / 60)}m${String(total % 60).padStart(2, '0')}s`;
}

/** The whole recap block, as the plain and listr reporters print it. */
export function recapBlock(recap: Recap, p: Palette): string[] {
  const lines = [p.bold(header('PLAY RECAP')), ...recapLines(recap, p), ''];
  const exit = describeExit(recap);
  lines.push(recap.exitCode === 0 ? p.ok(exit) : p.failed(exit));
  lines.push(p.dim(`finished in ${formatDuration(recap.durationMs)}`));
  return lines;
}

/** Ansible's banner: `TASK [name] ******` padded with stars to 79 columns. */
export function header(title: string): string {
  return `${title} ${'*'.repeat(Math.max(3, 79 - title.length - 1))}`;
}
