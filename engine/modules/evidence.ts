// Names and exclusive creation for evidence (key backups, snapshots, kept manifests, data dirs moved aside):
// run ID + time to the millisecond, and created so that an existing file is an error, never overwritten.
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { cmd, type Command } from '../connection/command.js';
import { RingError } from '../errors/index.js';

/** The clock evidence names use; tests replace `now` to force two backups into the same millisecond. */
export const evidenceClock = { now: (): Date => new Date() };

/** A fresh run ID: 12 hex digits, so two runs started in the same millisecond still differ. */
export function newRunId(): string {
  return randomBytes(6).toString('hex');
}

/** Used when a module runs outside the executor (unit tests): one ID per process. */
const processRunId = newRunId();

/** The run ID the executor gave this run (magic variable `ringmaster_run_id`). */
export function runIdOf(vars: Readonly<Record<string, unknown>>): string {
  const v = vars.ringmaster_run_id;
  return typeof v === 'string' && /^[0-9a-z-]+$/i.test(v) ? v : processRunId;
}

/** `20250102T030405123Z-<run id>`: safe in file names, sorts by time, unique per run. */
export function evidenceStamp(vars: Readonly<Record<string, unknown>>, now: Date = evidenceClock.now()): string {
  return `${now.toISOString().replace(/[-:.]/g, '')}-${runIdOf(vars)}`;
}

/** Writes a controller file that must not exist yet ('wx'); an existing one is an error naming it. */
export async function writeExclusive(path: string, data: string | Buffer, mode?: number): Promise<void> {
  try {
    await writeFile(path, data, { flag: 'wx', ...(mode !== undefined ? { mode } : {}) });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new RingError('E_TASK_FAILED', `refusing to overwrite ${path}: it already exists (evidence is never overwritten)`, { hint: 'another run wrote the same name; nothing was overwritten — run again' });
    }
    throw e;
  }
}

/** On a host: copy `src` to `dest` with its attributes, `dest` created exclusively (noclobber) first. */
export function copyExclusive(src: string, dest: string): Command {
  return cmd('sh', '-c', 'set -C && : > "$2" && cp -p -- "$1" "$2"', 'keep', src, dest);
}

/** On a host: reserve `path` exclusively (noclobber): fails when it already exists. */
export function reserveExclusive(path: string): Command {
  return cmd('sh', '-c', 'set -C && : > "$1"', 'reserve', path);
}

/** On a host: rename `src` to `dest` only if `dest` does not exist (mv -n -T, then check that `src` is gone). */
export function moveExclusive(src: string, dest: string): Command {
  return cmd('sh', '-c', MOVE, 'move', src, dest);
}

// An existing dest is refused before mv; `mv -n` closes the race left between that test and the rename.
const MOVE = [
  'if [ -e "$2" ] || [ -L "$2" ]; then echo "refusing to overwrite $2: it already exists" >&2; exit 1; fi',
  'mv -n -T -- "$1" "$2" && [ ! -e "$1" ] || { echo "$1 was not moved to $2 (something else created $2?)" >&2; exit 1; }',
].join('; ');
