// The controller side of a download: the file is reserved exclusively, filled by the transport without holding it
// in memory, hashed from disk, and removed again when anything fails (a full disk leaves no partial file behind).
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, unlink } from 'node:fs/promises';
import { RingError } from '../errors/index.js';

export interface Downloaded {
  size: number;
  sha256: string;
}

/** Streams a controller file through sha256: size and digest, never the whole file in memory. */
export async function hashFile(path: string): Promise<Downloaded> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { size, sha256: hash.digest('hex') };
}

/**
 * Creates `localPath` exclusively with `mode`, lets `fill` write into it, then hashes it. Any failure (the remote
 * file cannot be read, the controller's disk is full, the run is interrupted) removes the file and throws an error
 * naming the host, both paths and the reason.
 */
export async function downloadInto(host: string, remotePath: string, localPath: string, mode: number, fill: () => Promise<void>): Promise<Downloaded> {
  try {
    await (await open(localPath, 'wx', mode)).close();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'EEXIST' ? 'it already exists (nothing is overwritten)' : (e as Error).message;
    throw new RingError('E_TASK_FAILED', `host ${host}: cannot copy ${remotePath} to ${localPath}: ${why}`, { host, cause: e });
  }
  try {
    await fill();
    return await hashFile(localPath);
  } catch (e) {
    await unlink(localPath).catch(() => undefined);
    if (e instanceof RingError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOSPC' ? "no space left on the controller's disk" : remoteReason(e);
    throw new RingError('E_TASK_FAILED', `host ${host}: cannot copy ${remotePath} to ${localPath}: ${why} (nothing was left at ${localPath})`, { host, cause: e });
  }
}

/** SFTP status codes (2, 3) and plain errors, in words. */
function remoteReason(e: unknown): string {
  const code = (e as { code?: unknown }).code;
  if (code === 2) return 'no such file or directory';
  if (code === 3) return 'permission denied';
  return (e as Error).message;
}
