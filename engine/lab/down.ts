// `lab down`: removes everything `lab up` recorded (processes by PID, namespaces, files); safe to repeat and after a crashed `up`.
import { existsSync, rmdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { processesIn, netnsInodes } from './census.js';
import { labCgroupDirs, removeLabCgroups } from './cgroups.js';
import { isAlive, sleep, waitFor } from './proc.js';
import { LABS_ROOT, labDir } from './spec.js';
import { readState, writeState } from './state.js';
import { removeNetns } from './topology.js';

/** What `down` found and removed. */
export interface DownReport {
  existed: boolean;
  killed: number;
  netns: number;
  ms: number;
}

function kill(pid: number): void {
  try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
}

/** Removes lab `name`. Only what the state file recorded (and processes inside the lab's own namespaces) is touched. */
export async function labDown(name: string): Promise<DownReport> {
  const t0 = Date.now();
  const dir = labDir(name);
  const state = readState(name);
  if (!state && !existsSync(dir)) return { existed: false, killed: 0, netns: 0, ms: Date.now() - t0 };
  let killed = 0;
  if (state) {
    state.phase = 'removing';
    writeState(state);
    // Killing a host's init (PID 1 of its PID namespace) ends every process of that host at once.
    const refs = [...Object.values(state.inits), ...Object.values(state.procs)].filter(isAlive);
    for (const r of refs) kill(r.pid);
    killed += refs.length;
    await waitFor('the lab processes to exit', 10_000, async () => (refs.some(isAlive) ? undefined : true), 50);
    // Anything still inside the lab's namespaces was started in the lab (`lab run`, `lab exec`): it is the lab's too.
    const inodes = netnsInodes(state.netns);
    for (let round = 0; round < 20; round++) {
      const left = processesIn(inodes).filter((p) => p.pid !== process.pid);
      if (left.length === 0) break;
      for (const p of left) kill(p.pid);
      killed += left.length;
      await sleep(50);
    }
    await removeNetns(state.netns);
    if (state.cgroupParents?.length) {
      const parents = state.cgroupParents;
      await waitFor(`the lab's cgroups to empty (${labCgroupDirs(parents).join(', ')})`, 10_000, async () => (removeLabCgroups(parents).length === 0 ? true : undefined), 100);
    }
  }
  rmSync(dir, { recursive: true, force: true });
  for (const d of [LABS_ROOT, dirname(LABS_ROOT)]) {
    try { rmdirSync(d); } catch { /* not empty (other labs) or not ours to remove */ }
  }
  return { existed: true, killed, netns: state?.netns.length ?? 0, ms: Date.now() - t0 };
}
