// `npm run bench`: runs every case for ringmaster and ansible-playbook alternately, then writes RESULTS.md and results.json.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { labDown } from '../engine/lab/down.js';
import { packageRoot } from '../engine/paths.js';
import { removeDir, workDir } from '../test/helpers/sshd.js';
import { writeAnsibleConfigs } from './ansible-config.js';
import { measureFloor } from './floor.js';
import { startFleet, stopFleet, type Fleet } from './fleet.js';
import { runReplaceCase } from './replace-case.js';
import { closingNotes } from './closing.js';
import { resultsMarkdown } from './results-md.js';
import type { BenchResults } from './report.js';
import { runSshCases, tools, type SshCase } from './ssh-cases.js';
import { timedRun } from './timed-run.js';

const env = (k: string, d: number) => (Number.isFinite(Number(process.env[k])) && process.env[k] ? Number(process.env[k]) : d);
const RUNS = Math.max(3, env('BENCH_RUNS', 3));
/** Ansible at 50 hosts costs ~3 min per run on 2 cores: one run of the pipelining config by default (BENCH_FULL=1: all). */
const FULL = process.env.BENCH_FULL === '1';
const FORKS = 10;
const log = (s: string) => console.log(s);

const CASES: SshCase[] = [
  { id: 'bastion', title: '1: 1 host via bastion, 50 tasks', hosts: { name: 'bastion', count: 1, viaBastion: true }, tasks: 50, shortTasks: 1, forks: FORKS },
  { id: 'direct', title: '2: 1 host direct, 50 tasks', hosts: { name: 'direct', count: 1, viaBastion: false }, tasks: 50, shortTasks: 1, forks: FORKS },
  { id: 'fan10', title: '3: 10 hosts × 20 tasks', hosts: { name: 'fan10', count: 10, viaBastion: false }, tasks: 20, shortTasks: 1, forks: FORKS },
  { id: 'fan50', title: '3: 50 hosts × 20 tasks', hosts: { name: 'fan50', count: 50, viaBastion: false }, tasks: 20, shortTasks: 1, forks: FORKS },
];

function version(argv: string[], re: RegExp): string {
  // `ssh -V` prints on stderr: look at both streams.
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', timeout: 20_000 });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  return out.match(re)?.[1] ?? (out.split('\n')[0] || 'unknown');
}

function versions(): Record<string, string> {
  const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
  return {
    ringmaster: pkg.version, node: process.version, 'ansible-core': version(['/usr/bin/ansible-playbook', '--version'], /\[core ([^\]]+)\]/),
    python: version(['/usr/bin/python3', '--version'], /Python (\S+)/), OpenSSH: version(['ssh', '-V'], /OpenSSH_(\S+?),/),
    etcd: version(['etcd', '--version'], /etcd Version: (\S+)/),
  };
}

async function validateRuns(dir: string): Promise<BenchResults['validate']> {
  const root = packageRoot();
  const playbooks = readdirSync(join(root, 'playbooks')).filter((f) => f.endsWith('.yml')).sort();
  const wallMs: number[] = [];
  const maxRssKb: number[] = [];
  for (let i = 0; i < Math.max(5, RUNS); i++) {
    const r = await timedRun([process.execPath, join(root, 'bin', 'ringmaster.js'), 'validate', ...playbooks.map((p) => join(root, 'playbooks', p))], { cwd: dir, timeoutMs: 30_000 });
    if (r.exitCode !== 0) log(`  validate exited ${r.exitCode}: ${(r.stdout + r.stderr).slice(-400)}`);
    wallMs.push(r.wallMs);
    if (r.maxRssKb !== undefined) maxRssKb.push(r.maxRssKb);
  }
  log(`  validate: ${wallMs.map((w) => (w / 1000).toFixed(3)).join(' ')} s`);
  return { wallMs, maxRssKb, playbooks };
}

function writeReport(results: BenchResults): void {
  const root = packageRoot();
  const analysis = join(root, 'bench', 'analysis.md');
  writeFileSync(join(root, 'bench', 'RESULTS.md'), resultsMarkdown(results, [...closingNotes(results), '', ...(existsSync(analysis) ? [readFileSync(analysis, 'utf8')] : [])]));
}

async function main(): Promise<void> {
  if (process.argv.includes('--report-only')) {
    // Re-renders RESULTS.md from the committed raw figures (e.g. after editing bench/analysis.md).
    writeReport(JSON.parse(readFileSync(join(packageRoot(), 'bench', 'results.json'), 'utf8')) as BenchResults);
    return;
  }
  const t0 = Date.now();
  const dir = workDir();
  const root = packageRoot();
  const results: BenchResults = {
    date: new Date().toISOString(),
    machine: { cores: cpus().length, cpu: cpus()[0]?.model ?? '?', memoryGb: totalmem() / 2 ** 30, kernel: release(), loadAverage: { start: loadavg() } },
    versions: versions(), cases: CASES, runs: [], replace: [], validate: { wallMs: [], maxRssKb: [], playbooks: [] }, durationS: 0,
    notes: [
      'Hosts have clean dotfiles: this machine\'s /root/.bashrc runs `pyenv init` (~110–130 ms per remote command); the bench\'s sshds bind an empty file over it (test/helpers/sshd.ts) and lab nodes have their own /root, so the figures compare the tools, not the hosts.',
      `Tools alternate within every round (ringmaster, Ansible defaults, Ansible pipelining, …), ${RUNS} rounds; forks ${FORKS} for both tools; the same playbook file for both (\`command: "true"\`, quoted so YAML keeps it a string; gather_facts: false).`,
      'Ansible defaults already multiplex SSH (ControlMaster auto, ControlPersist=60s) but copy every module over SFTP; the second configuration adds pipelining and a short ControlPath under /tmp. A persisted master can outlive one run, which favours Ansible in later runs.',
      FULL ? 'BENCH_FULL=1: every Ansible configuration runs at 50 hosts too.' : 'Case 3 at 50 hosts: Ansible runs once, with pipelining + ControlPersist only (each Ansible run takes ~3 minutes here; 3 runs × 2 configurations alone would exceed the 15-minute budget); `BENCH_FULL=1 npm run bench` runs all of them.',
      'Case 4 compares ringmaster with Ansible (pipelining + ControlPersist); both enter the lab\'s client namespace through `ringmaster lab run`, both use the lab\'s inventory (Ansible with the lab\'s ssh_config via -F); before each run 1000 keys are written, after it the bench checks health, membership (no learner), manifests and every key.',
    ],
  };
  let fleet: Fleet | undefined;
  // `timeout` (run.sh) or Ctrl-C: stop our sshds by PID and remove our lab before exiting.
  const stop = (sig: string) => {
    log(`bench: ${sig}, stopping the servers and the lab`);
    stopFleet(fleet);
    void labDown('rmbench').finally(() => process.exit(130));
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  try {
    log('case 5: validate (cold process start)');
    results.validate = await validateRuns(dir);
    const configs = writeAnsibleConfigs(dir);
    log('starting 1 bastion + 50 sshd targets on 127.0.77.x');
    fleet = await startFleet(dir, 50);
    log('floor: bare ssh2 exec of `true` on open connections');
    results.floor = await measureFloor(fleet, CASES.filter((c) => c.hosts.count > 1).map((c) => ({ hosts: c.hosts.count, forks: c.forks })), 200);
    const all = tools(configs);
    for (const c of CASES) {
      log(`case ${c.title}`);
      const list = c.hosts.count === 50 && !FULL ? all.filter((t) => t.label === 'ringmaster') : all;
      results.runs.push(...await runSshCases(fleet, [c], list, { runs: RUNS, timeoutMs: 600_000, log }));
      if (c.hosts.count === 50 && !FULL) {
        results.runs.push(...await runSshCases(fleet, [c], all.filter((t) => t.label.includes('pipelining')), { runs: 1, timeoutMs: 600_000, log }));
      }
    }
    stopFleet(fleet);
    fleet = undefined;
    log('case 4: replace-member on a 3-node lab');
    results.replace = await runReplaceCase('rmbench', configs[1], { runs: RUNS, timeoutMs: 300_000, workDir: dir, log });
  } finally {
    stopFleet(fleet);
    results.durationS = (Date.now() - t0) / 1000;
    if (results.machine.loadAverage) results.machine.loadAverage.end = loadavg();
    writeFileSync(join(root, 'bench', 'results.json'), JSON.stringify(results, null, 1) + '\n');
    writeReport(results);
    removeDir(dir);
    log(`wrote bench/RESULTS.md and bench/results.json (${(results.durationS / 60).toFixed(1)} min)`);
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
