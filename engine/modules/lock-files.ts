// etcd_lock's files backend, for playbooks that work without quorum: a lock file on each member, created exclusively.
import { hostname } from 'node:os';
import { cmd } from '../connection/command.js';
import type { ModuleContext, ModuleResult } from './define.js';
import { etcdError, varStr } from './etcd-common.js';
import { describeHolder, execOutside, heldId, heldLocks, hold, holderRecord, isMine, lastLine, parseHolder, refusal } from './lock-record.js';

/** The lock file as read, with its age from the host's own clock (mtime is renewed while the holder lives). */
export interface FileLock { value: string; ageS: number }

const READ = 'f=$1; [ -e "$f" ] || { echo absent; exit 0; }; printf "present %s %s\\n" "$(stat -c %Y -- "$f")" "$(date +%s)"; cat -- "$f"';
// noclobber makes `>` fail on an existing file (O_EXCL): two runs cannot both create it.
const CREATE = 'set -C; umask 077; cat > "$1"';
const RELEASE = 'if grep -qF -- "$2" "$1" 2>/dev/null; then rm -f -- "$1" && echo removed; else echo kept; fi';

/** `<etcd_data_dir>.ringmaster-lock`: beside the data dir, so moving the data dir aside (fence, restore) keeps it. */
export function lockPath(ctx: ModuleContext, path: string | undefined): string {
  return path ?? `${varStr(ctx.vars, 'etcd_data_dir', '/var/lib/etcd').replace(/\/+$/, '')}.ringmaster-lock`;
}

export async function readFileLock(ctx: ModuleContext, path: string): Promise<FileLock | undefined> {
  const r = await ctx.exec(cmd('sh', '-c', READ, 'sh', path));
  if (r.code !== 0) throw etcdError(ctx, `cannot read the lock file ${path}: ${lastLine(r.stderr) || `exit code ${r.code}`}`);
  const [head, ...rest] = r.stdout.split('\n');
  const m = /^present (\d+) (\d+)$/.exec(head.trim());
  if (!m) return undefined;
  return { value: rest.join('\n').trim(), ageS: Number(m[2]) - Number(m[1]) };
}

/** Why a lock file looks abandoned (it still refuses: only --break-lock breaks it). */
export function staleNote(lock: FileLock, ttl: number): string {
  const h = parseHolder(lock.value);
  const limit = h?.ttl_s ?? ttl;
  if (lock.ageS > limit) return ` (stale: not renewed for ${lock.ageS}s, longer than its TTL of ${limit}s)`;
  if (h && h.host === hostname() && !alive(h.pid)) return ` (stale: its pid ${h.pid} no longer runs on this controller)`;
  return '';
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function acquireFile(ctx: ModuleContext, path: string, ttl: number, crossCheck: () => Promise<ModuleResult | undefined>): Promise<ModuleResult> {
  const id = heldId(ctx, 'files', path);
  const mine = { changed: false, path, msg: `${path} is already held by this run (${ctx.run.id})` };
  if (heldLocks.has(id)) return mine;
  const current = await readFileLock(ctx, path);
  if (current && isMine(ctx, current.value)) return mine;
  if (current && !ctx.run.breakLock) return refusal(ctx, path, current.value, staleNote(current, ttl));
  const create = cmd('sh', '-c', CREATE, 'sh', path);
  const commands = [...(current ? [`rm -f -- ${path}`] : []), `${create.display()} <<< <holder record>`];
  if (ctx.check) {
    const other = await crossCheck();
    if (other) return other;
    return { changed: current !== undefined, path, commands, msg: `check mode: would ${current ? `break the lock of ${describeHolder(current.value)} and ` : ''}create ${path}` };
  }
  if (current) {
    const r = await ctx.exec(cmd('rm', '-f', '--', path));
    if (r.code !== 0) throw etcdError(ctx, `--break-lock: cannot remove ${path}: ${lastLine(r.stderr)}`);
    ctx.warn(`--break-lock: broke the lock ${path} on ${ctx.host} of ${describeHolder(current.value)}${staleNote(current, ttl)}`);
  }
  const record = holderRecord(ctx, 'files', ttl);
  const made = await ctx.exec(create, { stdin: `${JSON.stringify(record)}\n` });
  if (made.code !== 0) {
    const now = await readFileLock(ctx, path);
    if (now) return refusal(ctx, path, now.value, staleNote(now, ttl)); // created by another run in between
    throw etcdError(ctx, `cannot create the lock file ${path}: ${lastLine(made.stderr) || `exit code ${made.code}`}`);
  }
  hold(ctx, id, `the lock file ${path} on ${ctx.host}`, ttl, () => execOutside(ctx, cmd('touch', '-c', '--', path), 10_000), async (signal) => {
    const r = await execOutside(ctx, cmd('sh', '-c', RELEASE, 'sh', path, `"run_id":${JSON.stringify(ctx.run.id)}`), 15_000, signal);
    if (r.code !== 0) throw new Error(lastLine(r.stderr) || `exit code ${r.code}`);
    return r.stdout.trim() === 'removed' ? `removed ${path}` : `${path} was no longer this run's (left alone)`;
  });
  const other = await crossCheck();
  if (other) return other; // our file goes with the run-end release
  return { changed: current !== undefined, path, holder: record, commands, msg: `acquired ${path} on ${ctx.host} for run ${ctx.run.id}` };
}
