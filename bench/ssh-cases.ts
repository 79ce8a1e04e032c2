// Cases 1–3: the same `command: "true"` playbooks run by ringmaster and ansible-playbook, alternately, on the fleet.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../engine/paths.js';
import { ansibleEnv, type AnsibleConfig } from './ansible-config.js';
import { trueTasksPlaybook, writeInventories, type Fleet, type HostSet } from './fleet.js';
import { timedRun } from './timed-run.js';

/** One case of 1–3: its hosts, how many tasks the long and short playbooks have, and the forks both tools use. */
export interface SshCase {
  id: string;
  title: string;
  hosts: HostSet;
  tasks: number;
  /** The short playbook's task count: (long − short) cancels start-up and connection set-up. */
  shortTasks: number;
  forks: number;
}

/** One tool as the bench runs it. */
export interface Tool {
  label: string;
  argv(playbook: string, inventory: { ringmaster: string; ansible: string }, forks: number): string[];
  env: NodeJS.ProcessEnv;
}

/** One timed run of one tool on one case. */
export interface RunRecord {
  case: string;
  tool: string;
  tasks: number;
  round: number;
  wallMs: number;
  maxRssKb?: number;
  cpuMs?: number;
  exitCode: number;
  /** The end of stderr/stdout when the run failed (no secrets: the bench uses throw-away keys only). */
  error?: string;
}

/** ringmaster (the built CLI in this checkout) and ansible-playbook in each configuration. */
export function tools(ansibleConfigs: AnsibleConfig[]): Tool[] {
  const bin = join(packageRoot(), 'bin', 'ringmaster.js');
  const rm: Tool = {
    label: 'ringmaster',
    argv: (pb, inv, forks) => [process.execPath, bin, 'run', pb, '-i', inv.ringmaster, '-f', String(forks)],
    env: { PATH: process.env.PATH, HOME: '/root', LANG: 'C.UTF-8' },
  };
  const ans = ansibleConfigs.map((cfg): Tool => ({
    label: cfg.label,
    argv: (pb, inv, forks) => ['/usr/bin/ansible-playbook', '-i', inv.ansible, '-f', String(forks), pb],
    env: ansibleEnv(cfg),
  }));
  return [rm, ...ans];
}

/** Runs every case `runs` times per tool and size, alternating tools within each round (A B C A B C …). */
export async function runSshCases(fleet: Fleet, cases: SshCase[], toolList: Tool[], o: { runs: number; timeoutMs: number; log: (s: string) => void }): Promise<RunRecord[]> {
  const records: RunRecord[] = [];
  for (const c of cases) {
    const inv = writeInventories(fleet, c.hosts);
    const books = new Map<number, string>();
    for (const n of [c.tasks, c.shortTasks]) {
      const pb = join(fleet.dir, `true-${n}.yml`);
      writeFileSync(pb, trueTasksPlaybook(n));
      books.set(n, pb);
    }
    for (let round = 1; round <= o.runs; round++) {
      for (const tool of toolList) {
        for (const n of [c.tasks, c.shortTasks]) {
          const r = await timedRun(tool.argv(books.get(n)!, inv, c.forks), { env: tool.env, cwd: fleet.dir, timeoutMs: o.timeoutMs });
          const ok = r.exitCode === 0 && !r.timedOut;
          records.push({
            case: c.id, tool: tool.label, tasks: n, round, wallMs: r.wallMs, maxRssKb: r.maxRssKb, cpuMs: r.cpuMs, exitCode: r.exitCode,
            error: ok ? undefined : `${r.timedOut ? 'timed out; ' : ''}${(r.stderr + r.stdout).slice(-600)}`,
          });
          o.log(`  ${c.id} round ${round} ${tool.label} ${n} tasks: ${(r.wallMs / 1000).toFixed(2)} s${ok ? '' : ` FAILED (exit ${r.exitCode})`}`);
        }
      }
    }
  }
  return records;
}
