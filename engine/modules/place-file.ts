// Places content at a path on a host like Ansible's copy/template: checksum first, backup, atomic put, attributes.
import { createHash } from 'node:crypto';
import { cmd, raw, type Command } from '../connection/command.js';
import { RingError } from '../errors/index.js';
import type { FileDiff, ModuleContext, ModuleResult } from './define.js';
import { copyExclusive, evidenceClock, runIdOf } from './evidence.js';
import { normalizeMode, remoteStat, sameOwner, type RemoteStat } from './remote-file.js';

/** What copy and template both ask for. */
export interface PlaceRequest {
  dest: string;
  content: Buffer;
  mode?: string;
  owner?: string;
  group?: string;
  backup?: boolean;
  /** false: an existing file's content is left alone. */
  force?: boolean;
  /** copy with `src`: when dest is a folder, the file goes inside it under this name (Ansible). */
  intoDirName?: string;
}

/** Above this size a diff shows a summary instead of the text. */
const DIFF_LIMIT = 256 * 1024;

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Ansible-style backup name with milliseconds and the run ID: DEST.YYYY-MM-DD@HH:MM:SS.mmm-RUNID~ (controller UTC clock). */
export function backupName(dest: string, runId: string, now: Date = evidenceClock.now()): string {
  const t = now.toISOString().replace('T', '@').replace(/Z$/, '');
  return `${dest}.${t}-${runId}~`;
}

/** Text for a diff side, or a one-line summary when it is binary or too large. */
export function diffText(data: Buffer | undefined): string {
  if (data === undefined) return '';
  if (data.includes(0)) return `(binary: ${data.length} bytes, sha256 ${sha256(data)})`;
  if (data.length > DIFF_LIMIT) return `(too large to show: ${data.length} bytes, sha256 ${sha256(data)})`;
  return data.toString('utf8');
}

/** The chmod/chown needed to bring `st` to the wanted attributes (nothing when they already match). */
export function attributeCommands(path: string, st: RemoteStat | undefined, want: { mode?: string; owner?: string; group?: string }, recurse = false): Command[] {
  const out: Command[] = [];
  const r = recurse ? ['-R'] : [];
  if (want.mode !== undefined && (!st || st.mode !== normalizeMode(want.mode))) out.push(cmd('chmod', ...r, normalizeMode(want.mode), '--', path));
  const ownerOk = st && sameOwner(want.owner, st.pw_name, st.uid);
  const groupOk = st && sameOwner(want.group, st.gr_name, st.gid);
  if ((want.owner !== undefined && !ownerOk) || (want.group !== undefined && !groupOk)) {
    const spec = want.owner !== undefined ? `${want.owner}${want.group !== undefined ? `:${want.group}` : ''}` : `:${want.group}`;
    out.push(cmd('chown', ...r, spec, '--', path));
  }
  return out;
}

/** Joins commands with && into one round trip. */
export function joinCommands(list: Command[]): Command {
  return cmd(...list.flatMap((c, i) => (i === 0 ? [...c.parts] : [raw('&&'), ...c.parts])));
}

/**
 * Makes `req.dest` hold `req.content`. One stat+checksum round trip decides; nothing is written when the
 * checksum and attributes already match, or in check mode. `--diff` fetches the old text only when it differs.
 */
export async function placeFile(ctx: ModuleContext, req: PlaceRequest): Promise<ModuleResult> {
  let dest = req.dest.endsWith('/') && req.intoDirName ? `${req.dest}${req.intoDirName}` : req.dest;
  const checksum = sha256(req.content);
  let st = await remoteStat(ctx, dest, true);
  // The common case (dest is the file) costs one round trip; a folder as dest costs a second stat.
  if (st.isdir && req.intoDirName) {
    dest = `${dest.replace(/\/+$/, '')}/${req.intoDirName}`;
    st = await remoteStat(ctx, dest, true);
  }
  if (st.isdir) return { changed: false, failed: true, msg: `${dest} is a directory`, dest };
  const contentChanges = !st.exists || (st.checksum !== checksum && req.force !== false);
  // When the content is replaced, put() sets the attributes; otherwise chmod/chown fix them in place.
  const attrs = attributeCommands(dest, contentChanges ? undefined : st, req);
  const result: ModuleResult = { changed: contentChanges || attrs.length > 0, dest, checksum: contentChanges ? checksum : st.checksum ?? checksum, size: req.content.length };
  if (!result.changed) return { ...result, msg: `${dest} already up to date` };
  if (contentChanges) {
    if (ctx.diff) result.diff = [await fileDiff(ctx, dest, st, req.content)];
    const backup = req.backup && st.exists ? backupName(dest, runIdOf(ctx.vars)) : undefined;
    // Created exclusively: a backup is evidence, never replaced by another run's.
    if (backup) await mustRun(ctx, copyExclusive(dest, backup), `keep the previous ${dest} as evidence`);
    await ctx.change({ put: dest, content: req.content, sha256: checksum, options: { mode: req.mode, owner: req.owner, group: req.group } }, { why: st.exists ? 'its content differs from the wanted one' : 'it does not exist' });
    if (backup) result.backup_file = backup;
  } else {
    await mustRun(ctx, joinCommands(attrs), 'its mode or owner differs from the wanted one');
  }
  return result;
}

async function fileDiff(ctx: ModuleContext, dest: string, st: RemoteStat, after: Buffer): Promise<FileDiff> {
  // A file too large to show is not transferred just to say so.
  if (st.exists && st.size !== undefined && st.size > DIFF_LIMIT) return { path: dest, before: `(too large to show: ${st.size} bytes, sha256 ${st.checksum ?? 'unknown'})`, after: diffText(after) };
  const before = st.exists ? await ctx.conn.get(dest, { become: ctx.become }) : undefined;
  return { path: dest, before: diffText(before), after: diffText(after) };
}

/** Makes a change that must succeed (in check mode: plans it); its failure is the task's failure. */
export async function mustRun(ctx: ModuleContext, c: Command, why: string): Promise<void> {
  const r = await ctx.change({ command: c }, { why });
  if (r && r.code !== 0) {
    throw new RingError('E_TASK_FAILED', `${c.display()} failed: ${r.stderr.trim() || `exit code ${r.code}`}`, { host: ctx.host, task: ctx.taskName });
  }
}
