// put/get over SFTP on the host's connection: atomic writes (temp file, checksum, mode/owner, rename).
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { posix } from 'node:path';
import type { SFTPWrapper } from 'ssh2';
import { RingError } from '../../errors/index.js';
import { shellQuote } from '../command.js';
import { downloadInto, hashFile, type Downloaded } from '../download-target.js';
import type { BecomeSpec, DownloadOptions, PutOptions } from '../types.js';
import type { SshConnection } from './ssh-connection.js';

const OCTAL = /^0?[0-7]{3,4}$/;
const SYMBOLIC = /^[ugoa]*[-+=][rwxXst]*(,[ugoa]*[-+=][rwxXst]*)*$/;

/** Writes `content` to `path` atomically; with become, SFTP writes a private temp file that the escalated shell moves in. */
export function putFile(conn: SshConnection, path: string, content: Buffer, options: PutOptions): Promise<void> {
  const sha = createHash('sha256').update(content).digest('hex');
  return install(conn, path, sha, (sftp, upload) => writeFile(sftp, upload, content), options);
}

/** Copies a controller file to `path` like putFile, streamed by SFTP's parallel writes (never held in memory). */
export async function uploadFile(conn: SshConnection, localPath: string, path: string, options: PutOptions): Promise<void> {
  const { sha256 } = await hashFile(localPath).catch((e: unknown) => {
    throw new RingError('E_TASK_FAILED', `host ${conn.host}: cannot copy ${localPath} to ${path}: ${(e as Error).message}`, { host: conn.host, cause: e });
  });
  return install(conn, path, sha256, (sftp, upload) => fastPut(sftp, localPath, upload), options);
}

/** Uploads to a private temporary name, then one script checks the sha256, sets mode and owner and renames it in. */
async function install(conn: SshConnection, path: string, sha: string, send: (sftp: SFTPWrapper, upload: string) => Promise<void>, options: PutOptions): Promise<void> {
  const mode = modeText(conn.host, path, options.mode);
  const become = options.become && options.become.method !== 'none' ? options.become : undefined;
  const dir = posix.dirname(path);
  const base = posix.basename(path);
  const upload = become ? `/tmp/.ringmaster-upload-${randomBytes(8).toString('hex')}` : posix.join(dir, `.${base}.ringmaster-${randomBytes(6).toString('hex')}`);
  await conn.withSftp((sftp) => send(sftp, upload)).catch(async (e: unknown) => {
    await conn.withSftp((sftp) => unlink(sftp, upload)).catch(() => undefined);
    throw fileError(conn.host, `cannot write ${path}`, e);
  });
  const script = finalizeScript({ upload, path, sha, mode, owner: options.owner, group: options.group, copy: !!become });
  const wrapped = conn.wrap(script, { become }, `install ${path}`);
  const r = await conn.run(wrapped.command, { stdin: wrapped.stdinPrefix ? Buffer.from(wrapped.stdinPrefix) : undefined, display: `install ${path}` });
  if (become) await conn.withSftp((sftp) => unlink(sftp, upload)).catch(() => undefined);
  if (r.code !== 0) {
    const why = r.code === 3 ? 'checksum mismatch after upload' : r.stderr.toString('utf8').trim() || `exit status ${String(r.code)}`;
    throw new RingError('E_TASK_FAILED', `host ${conn.host}: cannot write ${path}: ${why}`, { host: conn.host });
  }
}

/** Reads a whole remote file (through `cat` under become, since SFTP runs as the login user). */
export async function getFile(conn: SshConnection, path: string, become: BecomeSpec | undefined): Promise<Buffer> {
  if (become && become.method !== 'none') {
    const wrapped = conn.wrap(`cat -- ${shellQuote(path)}`, { become }, `cat ${path}`);
    const r = await conn.run(wrapped.command, { stdin: wrapped.stdinPrefix ? Buffer.from(wrapped.stdinPrefix) : undefined, display: `cat ${path}` });
    if (r.code !== 0) throw new RingError('E_TASK_FAILED', `host ${conn.host}: cannot read ${path}: ${r.stderr.toString('utf8').trim()}`, { host: conn.host });
    return r.stdout;
  }
  return conn.withSftp((sftp) => readFile(sftp, path)).catch((e: unknown) => {
    throw fileError(conn.host, `cannot read ${path}`, e);
  });
}

/**
 * Copies a remote file into a new controller file without holding it in memory: SFTP's parallel reads (64 requests
 * of 32 KiB in flight, so a bastion's round trips do not bound the speed), or under become `cat` streamed with
 * the channel's flow control. The partial file goes when the copy fails or the run is interrupted.
 */
export function downloadFile(conn: SshConnection, path: string, localPath: string, options: DownloadOptions): Promise<Downloaded> {
  const become = options.become && options.become.method !== 'none' ? options.become : undefined;
  return downloadInto(conn.host, path, localPath, options.mode ?? 0o600, async () => {
    if (!become) return conn.withSftp((sftp) => fastGet(sftp, path, localPath, options.signal));
    const wrapped = conn.wrap(`cat -- ${shellQuote(path)}`, { become }, `cat ${path}`);
    const out = createWriteStream(localPath, { flags: 'r+' });
    try {
      const r = await conn.run(wrapped.command, { stdin: wrapped.stdinPrefix ? Buffer.from(wrapped.stdinPrefix) : undefined, display: `cat ${path}`, signal: options.signal, stdoutTo: out });
      if (r.code !== 0) throw new RingError('E_TASK_FAILED', `host ${conn.host}: cannot read ${path}: ${r.stderr.toString('utf8').trim() || `exit status ${String(r.code)}`}`, { host: conn.host });
    } finally {
      out.end();
      await finished(out).catch(() => undefined);
    }
    if (out.errored) throw out.errored;
  });
}

/**
 * ssh2's fastGet, ended by the run's interrupt: the SFTP session is closed and the copy answers at once (requests in
 * flight on a closed session do not always get their callback; the caller then removes the partial file).
 */
function fastGet(sftp: SFTPWrapper, path: string, localPath: string, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new RingError('E_ABORTED', `copying ${path} was not started: the run was interrupted`));
    const onAbort = (): void => {
      reject(new RingError('E_ABORTED', `copying ${path} was interrupted`));
      sftp.end();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    sftp.fastGet(path, localPath, (e: Error | undefined | null) => {
      signal?.removeEventListener('abort', onAbort);
      if (e) reject(e);
      else resolve();
    });
  });
}

interface Finalize {
  upload: string;
  path: string;
  sha: string;
  mode?: string;
  owner?: string;
  group?: string;
  /** The upload lives elsewhere (/tmp): copy it next to the destination first. */
  copy: boolean;
}

/** One shell script: verify the checksum, set mode and owner (or keep the old file's), then rename over the target. */
function finalizeScript(f: Finalize): string {
  const q = shellQuote;
  const lines = [`f=${q(f.path)}`];
  if (f.copy) lines.push(`t=$(mktemp "$(dirname "$f")/.$(basename "$f").ringmaster-XXXXXX") || exit 4`, `cat ${q(f.upload)} > "$t" || { rm -f "$t"; exit 4; }`);
  else lines.push(`t=${q(f.upload)}`);
  lines.push(`[ "$(sha256sum < "$t" | cut -c1-64)" = ${f.sha} ] || { rm -f "$t"; exit 3; }`);
  lines.push(f.mode ? `chmod ${q(f.mode)} "$t"` : `if [ -e "$f" ]; then chmod --reference="$f" "$t"; else chmod 0644 "$t"; fi`);
  const owner = f.owner || f.group ? `${f.owner ?? ''}${f.group ? `:${f.group}` : ''}` : undefined;
  if (owner) lines.push(`chown ${q(owner)} "$t"`);
  else lines.push(`if [ -e "$f" ] && [ "$(id -u)" = 0 ]; then chown --reference="$f" "$t"; fi`);
  lines.push(`mv -f "$t" "$f"`);
  // Any failing step removes the temporary file so no half-written file is left next to the target.
  return `{ ${lines.join(' && ')}; } || { rc=$?; rm -f "$t"; exit $rc; }`;
}

function modeText(host: string, path: string, mode: string | number | undefined): string | undefined {
  if (mode === undefined) return undefined;
  if (typeof mode === 'number') return mode.toString(8).padStart(4, '0');
  if (OCTAL.test(mode) || SYMBOLIC.test(mode)) return mode;
  throw new RingError('E_TASK_FAILED', `host ${host}: invalid mode '${mode}' for ${path} (use an octal string like '0644')`, { host });
}

function writeFile(sftp: SFTPWrapper, path: string, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => sftp.writeFile(path, data, { mode: 0o600 }, (e) => (e ? reject(e) : resolve())));
}

function fastPut(sftp: SFTPWrapper, localPath: string, path: string): Promise<void> {
  return new Promise((resolve, reject) => sftp.fastPut(localPath, path, { mode: 0o600 }, (e: Error | undefined | null) => (e ? reject(e) : resolve())));
}

function readFile(sftp: SFTPWrapper, path: string): Promise<Buffer> {
  return new Promise((resolve, reject) => sftp.readFile(path, (e: Error | undefined, d: Buffer) => (e ? reject(e) : resolve(d))));
}

function unlink(sftp: SFTPWrapper, path: string): Promise<void> {
  return new Promise((resolve, reject) => sftp.unlink(path, (e) => (e ? reject(e) : resolve())));
}

function fileError(host: string, what: string, e: unknown): RingError {
  if (e instanceof RingError) return e;
  const code = (e as { code?: number }).code;
  const why = code === 2 ? 'no such file or directory' : code === 3 ? 'permission denied' : (e as Error).message;
  return new RingError('E_TASK_FAILED', `host ${host}: ${what}: ${why}`, { host, cause: e });
}
