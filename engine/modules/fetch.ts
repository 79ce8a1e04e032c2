// `fetch`: copies a file from the host to the controller, sha256-verified; unchanged files are not transferred.
import { link, mkdir, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { hashFile } from '../connection/download-target.js';
import { RingError } from '../errors/index.js';
import type { FetchArgs } from '../generated/schema-types.js';
import { defineModule } from './define.js';
import { evidenceStamp } from './evidence.js';
import { remoteStat } from './remote-file.js';

/** Where the file lands on the controller: DEST/<host>/<src>, or with flat DEST (DEST/<basename> when DEST ends with /). */
export function fetchTarget(playbookDir: string, host: string, src: string, dest: string, flat: boolean): string {
  const base = resolve(playbookDir, dest);
  if (flat) return dest.endsWith('/') ? join(base, basename(src)) : base;
  // The inventory refuses such names; this is the last line of defence: a host folder is one plain path segment.
  if (host === '' || host === '.' || host === '..' || /[/\\\0]/.test(host)) {
    throw new RingError('E_SCHEMA', `fetch: host name '${host}' cannot be used as a folder under ${base}`, { host, hint: 'host names may hold letters, digits, `.`, `-`, `_` and `:` only' });
  }
  // join() normalises `..` away inside the host's folder only after the host name, so a src cannot climb out of it.
  return join(base, host, join('/', src));
}

export const fetchModule = defineModule<FetchArgs>({
  name: 'fetch',
  description: 'Copy a file from the host to a folder on the controller (DEST/<host>/<src>, or flat), verified by sha256; unchanged files are not transferred again, a different local file is kept aside.',
  schema: 'modules/fetch.json',
  supportsCheckMode: true,
  idempotent: true,
  example: `- name: Bring the snapshot home
  fetch:
    src: /var/backups/etcd/snapshot.db
    dest: backups/
`,
  async run(ctx, args) {
    const target = fetchTarget(ctx.playbookDir, ctx.host, args.src, args.dest, args.flat === true);
    const st = await remoteStat(ctx, args.src, true);
    if (!st.exists) return { changed: false, failed: true, msg: `${args.src} does not exist on ${ctx.host}`, dest: target };
    if (!st.isreg) return { changed: false, failed: true, msg: `${args.src} is not a regular file`, dest: target };
    const local = await hashFile(target).catch(() => undefined);
    const base = { dest: target, remote_checksum: st.checksum, checksum: st.checksum };
    if (local && local.sha256 === st.checksum) return { ...base, changed: false, msg: `${target} already up to date` };
    if (ctx.check) return { ...base, changed: true, msg: `check mode: would fetch ${args.src} to ${target}` };
    await mkdir(dirname(target), { recursive: true });
    // Streamed into a temporary file beside the target (never held in memory; 0600, since what is fetched may be
    // a key or a snapshot), removed if the copy fails.
    const tmp = `${target}.ringmaster-${evidenceStamp(ctx.vars)}.tmp`;
    const got = await ctx.conn.download(args.src, tmp, { become: ctx.become, signal: ctx.signal });
    if (got.sha256 !== st.checksum) {
      await unlink(tmp);
      return { ...base, changed: false, failed: true, checksum: got.sha256, msg: `checksum mismatch fetching ${args.src}: the host said ${st.checksum}, received ${got.sha256} (the file changed during the transfer?)` };
    }
    // A different file already there may be evidence: it is kept under a name of its own (a hard link, created
    // exclusively) before the new one takes its place.
    const kept = local ? `${target}.${evidenceStamp(ctx.vars)}~` : undefined;
    if (kept) {
      try {
        await link(target, kept);
      } catch (e) {
        await unlink(tmp);
        const why = (e as NodeJS.ErrnoException).code === 'EEXIST' ? 'it already exists' : (e as Error).message;
        throw new RingError('E_TASK_FAILED', `cannot keep the previous ${target} aside as ${kept} (${why}): nothing was replaced`, { host: ctx.host, task: ctx.taskName });
      }
    }
    await rename(tmp, target);
    return { ...base, changed: true, size: got.size, ...(kept ? { backup_file: kept } : {}) };
  },
});
