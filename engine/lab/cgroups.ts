// Removing the cgroup folders a lab's dockerds made (every hierarchy, depth first): `lab down` leaves none behind.
import { readdirSync, rmdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { hostCgroupMounts } from './rke.js';

/** The lab's cgroup folders that still exist (`<hierarchy>/<parent>` for each recorded parent). */
export function labCgroupDirs(parents: string[]): string[] {
  const dirs: string[] = [];
  for (const m of hostCgroupMounts()) {
    for (const p of parents) {
      if (!/^ringmaster-lab-[a-z0-9-]+$/.test(p)) continue;
      const d = join(m.dir, p);
      try { if (statSync(d).isDirectory()) dirs.push(d); } catch { /* not there */ }
    }
  }
  return dirs;
}

function removeTree(dir: string): void {
  for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) removeTree(join(dir, e.name));
  rmdirSync(dir);
}

/** Removes them; returns the folders that could not be removed yet (still holding a process). */
export function removeLabCgroups(parents: string[]): string[] {
  const left: string[] = [];
  for (const d of labCgroupDirs(parents)) {
    try { removeTree(d); } catch { left.push(d); }
  }
  return left;
}
