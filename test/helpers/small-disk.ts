// Test helper: a tiny tmpfs on the controller, so a copy meets a real ENOSPC; unmounted (and its folder removed) after.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmdirSync } from 'node:fs';

export interface SmallDisk {
  path: string;
  remove(): void;
}

/** Mounts a `sizeMiB` tmpfs at `path` (needs root, which `npm test` runs as: it fails loudly otherwise). */
export function smallDisk(path: string, sizeMiB: number): SmallDisk {
  if (process.getuid?.() !== 0) throw new Error('a full-disk test mounts a tmpfs and needs root: run `npm test` as root');
  mkdirSync(path, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMiB}m,mode=0700`, 'ringmaster-test-small-disk', path], { stdio: ['ignore', 'ignore', 'pipe'] });
  return {
    path,
    remove() {
      execFileSync('umount', [path], { stdio: 'ignore' });
      rmdirSync(path);
    },
  };
}
