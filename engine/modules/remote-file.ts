// Reads a path's facts on a host in ONE round trip (lstat + optional sha256), shared by stat, file, copy and fetch.
import { cmd } from '../connection/command.js';
import { RingError } from '../errors/index.js';
import type { ModuleContext } from './define.js';

/** What we know about a remote path. Mode is the permission bits as a 4-digit octal string ('0644'). */
export interface RemoteStat {
  exists: boolean;
  isdir: boolean;
  isreg: boolean;
  islnk: boolean;
  size?: number;
  mode?: string;
  uid?: number;
  gid?: number;
  pw_name?: string;
  gr_name?: string;
  mtime?: number;
  /** sha256 of a regular file, when asked for. */
  checksum?: string;
}

// The path and the checksum flag arrive as positional parameters, so the script itself is constant and trusted.
const SCRIPT = [
  'if [ -e "$1" ] || [ -L "$1" ]; then',
  "  stat -c '%f %s %a %u %g %Y %U %G' -- \"$1\" || exit 2",
  '  if [ "$2" = 1 ] && [ -f "$1" ] && [ ! -L "$1" ]; then sha256sum < "$1" || exit 2; fi',
  'else echo absent; fi',
].join('\n');

/** The command that describes `path` (exposed so tests can script its answer). */
export function statCommand(path: string, checksum: boolean) {
  return cmd('sh', '-c', SCRIPT, 'stat', path, checksum ? '1' : '0');
}

/** Parses the output of statCommand. */
export function parseStat(stdout: string): RemoteStat {
  const lines = stdout.trim().split('\n');
  if (lines[0] === 'absent') return { exists: false, isdir: false, isreg: false, islnk: false };
  const [rawMode, size, perm, uid, gid, mtime, user, group] = lines[0].split(' ');
  const type = parseInt(rawMode, 16) & 0o170000;
  const result: RemoteStat = {
    exists: true,
    isdir: type === 0o040000,
    isreg: type === 0o100000,
    islnk: type === 0o120000,
    size: Number(size),
    mode: normalizeMode(perm),
    uid: Number(uid),
    gid: Number(gid),
    pw_name: user,
    gr_name: group,
    mtime: Number(mtime),
  };
  if (lines[1]) result.checksum = lines[1].split(/\s/)[0];
  return result;
}

/** '644' or 0o644 or '0644' → '0644', so modes compare as values, not spellings. */
export function normalizeMode(mode: string | number): string {
  const n = typeof mode === 'number' ? mode : parseInt(mode, 8);
  return n.toString(8).padStart(4, '0');
}

/** Describes `path` on the host; a failing stat (permission denied…) is a task failure naming the path. */
export async function remoteStat(ctx: ModuleContext, path: string, checksum: boolean): Promise<RemoteStat> {
  const r = await ctx.exec(statCommand(path, checksum));
  if (r.code !== 0) {
    throw new RingError('E_TASK_FAILED', `cannot read ${path}: ${r.stderr.trim() || `exit code ${r.code}`}`, { host: ctx.host, task: ctx.taskName });
  }
  return parseStat(r.stdout);
}

/** Whether owner/group (a name or a numeric id) already match what stat saw. */
export function sameOwner(want: string | undefined, name: string | undefined, id: number | undefined): boolean {
  return want === undefined || want === name || want === String(id);
}
