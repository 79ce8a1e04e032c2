// Case 4: replace-member on a 3-node lab, ringmaster's shipped playbook against bench/ansible/replace-member.yml,
// alternately; 1000 keys written before every run and checked after it, with the cluster's health and membership.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../engine/paths.js';
import { labStart, labStop, markManifestsExisting, settledProblems, verifyKeys, writeKeys, type Lab } from '../test/e2e/harness.js';
import { ansibleEnv, type AnsibleConfig } from './ansible-config.js';
import { timedRun } from './timed-run.js';

/** One replace-member run: wall and controller CPU time, and what the checks afterwards found. */
export interface ReplaceRecord {
  tool: string;
  round: number;
  target: string;
  wallMs: number;
  cpuMs?: number;
  maxRssKb?: number;
  exitCode: number;
  /** Cluster health, membership, manifests and the 1000 keys after the run; [] when all is well. */
  problems: string[];
  error?: string;
}

interface ReplaceTool {
  label: string;
  argv(lab: Lab, target: string, snapshots: string): string[];
  env: NodeJS.ProcessEnv;
}

function replaceTools(lab: Lab, cfg: AnsibleConfig): ReplaceTool[] {
  const root = packageRoot();
  const bin = join(root, 'bin', 'ringmaster.js');
  // Both tools enter the lab's client namespace the same way (`lab run`), so neither pays for it alone.
  const inLab = (argv: string[]) => [process.execPath, bin, 'lab', 'run', '--name', lab.name, '--', ...argv];
  return [
    {
      label: 'ringmaster',
      argv: (l, target, snaps) => inLab([process.execPath, bin, 'run', join(root, 'playbooks', 'replace-member.yml'), '-i', l.inventory,
        '-e', `target=${target}`, '-e', 'force=true', '-e', `snapshot_dir=${snaps}`]),
      env: { PATH: process.env.PATH, HOME: '/root', LANG: 'C.UTF-8' },
    },
    {
      label: cfg.label,
      // The lab's own inventory; OpenSSH gets the lab's ssh_config (bastion hop, key, known_hosts) instead of its bare ProxyJump.
      argv: (l, target, snaps) => inLab(['/usr/bin/ansible-playbook', '-i', l.inventory, join(root, 'bench', 'ansible', 'replace-member.yml'),
        '-e', `target=${target}`, '-e', `snapshot_dir=${snaps}`, '-e', `ansible_ssh_common_args='-F ${join(l.spec.dir, 'ssh_config')}'`,
        '-e', 'ansible_python_interpreter=/usr/bin/python3']),
      env: ansibleEnv(cfg),
    },
  ];
}

/** Brings up lab `name`, runs `runs` rounds (ringmaster, then Ansible), and always removes the lab. */
export async function runReplaceCase(name: string, cfg: AnsibleConfig, o: { runs: number; timeoutMs: number; workDir: string; log: (s: string) => void }): Promise<ReplaceRecord[]> {
  const records: ReplaceRecord[] = [];
  let lab: Lab | undefined;
  const snapshots = join(o.workDir, 'snapshots');
  mkdirSync(snapshots, { recursive: true });
  try {
    lab = await labStart(name);
    await markManifestsExisting(lab);
    const tools = replaceTools(lab, cfg);
    for (let round = 1; round <= o.runs; round++) {
      for (const [i, tool] of tools.entries()) {
        const target = lab.nodes[1 + ((round + i) % (lab.nodes.length - 1))];
        const tag = `r${round}t${i}`;
        await writeKeys(lab, 1000, tag);
        const r = await timedRun(tool.argv(lab, target, snapshots), { env: tool.env, cwd: o.workDir, timeoutMs: o.timeoutMs });
        const problems = [...await settledProblems(lab), ...await verifyKeys(lab, 1000, tag)];
        const ok = r.exitCode === 0 && !r.timedOut;
        records.push({
          tool: tool.label, round, target, wallMs: r.wallMs, cpuMs: r.cpuMs, maxRssKb: r.maxRssKb, exitCode: r.exitCode, problems,
          error: ok ? undefined : `${r.timedOut ? 'timed out; ' : ''}${(r.stderr + r.stdout).slice(-1500)}`,
        });
        o.log(`  replace-member round ${round} ${tool.label} (${target}): ${(r.wallMs / 1000).toFixed(1)} s, cpu ${((r.cpuMs ?? NaN) / 1000).toFixed(2)} s` +
          `${ok ? '' : ` FAILED (exit ${r.exitCode})`}${problems.length ? ` PROBLEMS: ${problems.join('; ')}` : ''}`);
        // A broken cluster would make every later run meaningless: stop here and report what happened.
        if (problems.length > 0) return records;
      }
    }
    return records;
  } finally {
    await labStop(lab, name);
    rmSync(snapshots, { recursive: true, force: true });
  }
}
