// Finding the processes that live in a lab's network namespaces (for memory figures and for leaving nothing behind).
import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';

/** One process found inside a lab namespace. */
export interface LabProcess {
  pid: number;
  netnsInode: number;
  rssKb: number;
  command: string;
}

/** Inodes of the named network namespaces that still exist (by their /run/netns bind mounts). */
export function netnsInodes(names: string[]): Set<number> {
  const inodes = new Set<number>();
  for (const n of names) {
    try { inodes.add(statSync(`/run/netns/${n}`).ino); } catch { /* already gone */ }
  }
  return inodes;
}

/** Every process whose network namespace is one of `inodes`. */
export function processesIn(inodes: Set<number>): LabProcess[] {
  const found: LabProcess[] = [];
  if (inodes.size === 0) return found;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const link = readlinkSync(`/proc/${entry}/ns/net`);
      const ino = Number(/\[(\d+)\]/.exec(link)?.[1]);
      if (!inodes.has(ino)) continue;
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      const rss = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      const command = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ').slice(0, 120);
      found.push({ pid: Number(entry), netnsInode: ino, rssKb: rss, command });
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

/** Resident memory of the lab's processes in MiB (shared pages counted once per process: an upper bound). */
export function labMemoryMb(netns: string[]): number {
  const kb = processesIn(netnsInodes(netns)).reduce((sum, p) => sum + p.rssKb, 0);
  return Math.round(kb / 1024);
}
