// `etcd_lock`: the run's lock, so two operators cannot change one cluster at once (an etcd lease key, or lock files without quorum).
import { cmd } from '../connection/command.js';
import type { EtcdLockArgs } from '../generated/schema-types.js';
import { defineModule, type ModuleContext, type ModuleResult } from './define.js';
import { etcdError } from './etcd-common.js';
import { leaseNote, readKeyLock, acquireEtcd } from './lock-etcd.js';
import { acquireFile, lockPath, readFileLock, staleNote } from './lock-files.js';
import { describeHolder, heldId, heldLocks, isMine, refusal } from './lock-record.js';

export const etcdLockModule = defineModule<EtcdLockArgs>({
  name: 'etcd_lock',
  description: 'Take the run\'s lock (a lease-backed etcd key, or lock files where etcd has no quorum), refusing with exit code 8 when another run holds it; released when the run ends in any way.',
  schema: 'modules/etcd_lock.json',
  supportsCheckMode: true,
  idempotent: true,
  example: `- name: Take the cluster's lock (another run holding it refuses this one)
  etcd_lock:
    state: acquired
    endpoints: [https://10.0.0.11:2379, https://10.0.0.12:2379, https://10.0.0.13:2379]
  run_once: true
`,
  // A lock lives only as long as its run, so taking and releasing it is not a change (a re-run still reports
  // 0 changed); breaking another run's lock with --break-lock is.
  async run(ctx, args) {
    const key = args.key ?? '/ringmaster/lock';
    const path = lockPath(ctx, args.path);
    const ttl = args.ttl ?? 30;
    const backend = args.backend ?? 'etcd';
    if ((args.state ?? 'acquired') === 'released') return release(ctx, heldId(ctx, backend, backend === 'etcd' ? key : path));
    // Each backend also looks at the other's lock after taking its own: of two runs of different kinds started
    // together, at least one sees the other (both may refuse; neither goes on blind).
    if (backend === 'files') return acquireFile(ctx, path, ttl, () => etcdHeld(ctx, args, key));
    return acquireEtcd(ctx, args, key, ttl, () => fileHeld(ctx, path, ttl));
  },
});

async function release(ctx: ModuleContext, id: string): Promise<ModuleResult> {
  const lock = heldLocks.get(id);
  if (!lock) return { changed: false, msg: 'this run holds no such lock: nothing to release' };
  if (ctx.check) return { changed: false, msg: `check mode: would release ${lock.what}` };
  return { changed: false, msg: await lock.release(AbortSignal.timeout(20_000)) };
}

/** The files backend's look at the etcd lock: etcd without quorum does not answer, and that is no lock. */
async function etcdHeld(ctx: ModuleContext, args: EtcdLockArgs, key: string): Promise<ModuleResult | undefined> {
  const lock = await readKeyLock(ctx, args, key, true);
  if (!lock || isMine(ctx, lock.value)) return undefined;
  if (!ctx.run.breakLock) return refusal(ctx, `the cluster (etcd lock ${key})`, lock.value, leaseNote(lock));
  ctx.warn(`--break-lock: going on although ${key} is held by ${describeHolder(lock.value)}`);
  return undefined;
}

/** The etcd backend's look at the lock file a files-backend run leaves on this host. */
async function fileHeld(ctx: ModuleContext, path: string, ttl: number): Promise<ModuleResult | undefined> {
  const lock = await readFileLock(ctx, path);
  if (!lock || isMine(ctx, lock.value)) return undefined;
  if (!ctx.run.breakLock) return refusal(ctx, `the cluster (lock file ${path})`, lock.value, staleNote(lock, ttl));
  // Left by a dead recovery, the file would refuse every later run here: breaking it removes it.
  if (!ctx.check) {
    const r = await ctx.exec(cmd('rm', '-f', '--', path));
    if (r.code !== 0) throw etcdError(ctx, `--break-lock: cannot remove ${path}: ${r.stderr.trim()}`);
  }
  ctx.warn(`--break-lock: ${ctx.check ? 'would break' : 'broke'} the lock file ${path} on ${ctx.host} of ${describeHolder(lock.value)}${staleNote(lock, ttl)}`);
  return undefined;
}
