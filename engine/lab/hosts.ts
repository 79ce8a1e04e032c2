// Starting lab hosts (each an init in its own namespaces), the client namespace holder, and entering them.
import { spawn } from 'node:child_process';
import { closeSync, cpSync, existsSync, mkdirSync, openSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RingError } from '../errors/index.js';
import { childrenOf, isAlive, procRef, run, waitFor, type ProcRef, type RunResult } from './proc.js';
import { BOOTED, hostDir, initScript, runnerBundleDir, STATIC_PODS_HELPER } from './node-init.js';
import { cgroupParent, hostCgroupMounts } from './rke.js';
import { LAB_PATH, type LabHost, type LabSpec } from './spec.js';
import { writeState, type LabState } from './state.js';

/** The clean environment every lab process starts with (the host's variables and dotfiles stay out). */
export const CLEAN_ENV: NodeJS.ProcessEnv = { PATH: LAB_PATH, HOME: '/root', LANG: 'C.UTF-8', TERM: 'dumb' };

function startDetached(args: string[], log: string, cgroups: string[] = []): number {
  const fd = openSync(log, 'a');
  try {
    // A node with cgroups of its own joins them first (cpuset needs its cpus and mems set), then becomes `ip …`.
    const join = 'for d in "$@"; do [ "$d" = -- ] && break; mkdir -p "$d"; case "$d" in */cpuset/*) cat "${d%/*}/cpuset.cpus" > "$d/cpuset.cpus"; cat "${d%/*}/cpuset.mems" > "$d/cpuset.mems";; esac; echo $$ > "$d/cgroup.procs"; done; shift $(( ${#} - NARGS )); exec ip "$@"';
    const [program, argv] = cgroups.length ? ['sh', ['-c', join.replace('NARGS', String(args.length)), 'join', ...cgroups, '--', ...args]] : ['ip', args];
    const child = spawn(program, argv, { detached: true, stdio: ['ignore', fd, fd], env: CLEAN_ENV, cwd: '/' });
    child.unref();
    if (!child.pid) throw new RingError('E_LAB', `could not start ${args.join(' ')}`);
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

/**
 * Copies the compiled static-pod runner, its CRI configs module and their one dependency (`yaml`) where node inits
 * pick them up, with `images`: etcd release → image archive the runner imports when a manifest names that image.
 */
export function writeRunnerBundle(spec: LabSpec, images: Record<string, string>): void {
  const dir = runnerBundleDir(spec);
  const here = join(dirname(fileURLToPath(import.meta.url)), 'node');
  const files = ['static-pod-runner.js', 'cri-pod-config.js'];
  for (const f of files) if (!existsSync(join(here, f))) throw new RingError('E_LAB', `the static-pod runner is missing (${join(here, f)}); run \`npm run build\``);
  const yamlDir = dirname(createRequire(import.meta.url).resolve('yaml/package.json'));
  mkdirSync(join(dir, 'node_modules', 'yaml'), { recursive: true });
  for (const f of files) cpSync(join(here, f), join(dir, f));
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}\n');
  cpSync(join(yamlDir, 'package.json'), join(dir, 'node_modules', 'yaml', 'package.json'));
  cpSync(join(yamlDir, 'dist'), join(dir, 'node_modules', 'yaml', 'dist'), { recursive: true });
  writeFileSync(join(dir, 'static-pods'), STATIC_PODS_HELPER, { mode: 0o755 });
  writeFileSync(join(dir, 'images.json'), `${JSON.stringify(images)}\n`);
}

/** Starts the holder of the client namespace: a sleeping process in the client netns and its own mount namespace. */
export function startClient(spec: LabSpec, state: LabState): void {
  const pid = startDetached(['netns', 'exec', spec.clientNetns, 'unshare', '--mount', '--propagation', 'private', 'sleep', 'infinity'],
    join(spec.dir, 'client.log'));
  state.procs.client = procRef(pid) ?? { pid, start: '?' };
  state.clientNetnsInode = statSync(`/run/netns/${spec.clientNetns}`).ino;
  writeState(state);
}

/** Starts one host: `unshare` makes its PID, mount and UTS namespaces inside its netns; the init does the rest. */
export function startHost(spec: LabSpec, state: LabState, host: LabHost): void {
  const dir = hostDir(spec, host);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const init = join(dir, 'init.sh');
  writeFileSync(init, initScript(spec, host), { mode: 0o700 });
  // systemd as a node's init gets a cgroup namespace rooted at the lab's folder for that node in every hierarchy.
  const systemd = host.role === 'node' && spec.flavor === 'systemd';
  const cgroups = systemd ? hostCgroupMounts().map((m) => join(m.dir, cgroupParent(spec, host))) : [];
  const pid = startDetached(['netns', 'exec', host.netns, 'unshare', '--mount', '--uts', '--pid', '--fork', '--kill-child',
    ...(systemd ? ['--cgroup'] : []), '--mount-proc', '--propagation', 'private', '/bin/sh', init], join(dir, 'init.log'), cgroups);
  state.procs[host.name] = procRef(pid) ?? { pid, start: '?' };
  writeState(state);
}

/** Waits until a host's init has built its filesystem and records the init's PID (PID 1 inside the host). */
export async function waitBooted(spec: LabSpec, state: LabState, host: LabHost, timeoutMs: number): Promise<void> {
  const log = join(hostDir(spec, host), 'init.log');
  const unshare = state.procs[host.name];
  const ref = await waitFor(`${host.name} to boot (see ${join(hostDir(spec, host), 'init.log')})`, timeoutMs, async () => {
    if (!isAlive(unshare)) throw new RingError('E_LAB', `${host.name} stopped while booting; see ${join(hostDir(spec, host), 'init.log')}`);
    if (!readFileSync(log, 'utf8').includes(BOOTED)) return undefined;
    const kids = childrenOf(unshare.pid);
    return kids.length ? procRef(kids[0]) : undefined;
  }, 50);
  state.inits[host.name] = ref;
  writeState(state);
}

/** The init of a running host, or E_LAB when that host is down. */
export function initOf(state: LabState, host: string): ProcRef {
  const ref = state.inits[host];
  if (!isAlive(ref)) throw new RingError('E_LAB', `lab ${state.name}: host ${host} is not running`, { hint: `run \`ringmaster lab down --name ${state.name}\` and \`lab up\` again` });
  return ref;
}

/** nsenter arguments that put a command inside a host's namespaces (with its own /proc and filesystem). */
export function hostNsenter(state: LabState, host: string): string[] {
  return ['--target', String(initOf(state, host).pid), '--mount', '--uts', '--net', '--pid', '--ipc', '--wd=/', '--'];
}

/** Runs a shell script as root inside a lab host and captures its output. */
export async function hostShell(state: LabState, host: string, script: string, timeoutMs = 30_000): Promise<RunResult> {
  return run('nsenter', [...hostNsenter(state, host), '/usr/bin/env', '-i', ...Object.entries(CLEAN_ENV).map(([k, v]) => `${k}=${v}`),
    '/bin/sh', '-c', script], { timeoutMs, env: CLEAN_ENV });
}

/** The holder of the client namespace, or E_LAB_NOT_UP when the lab is not up. */
export function clientHolder(state: LabState): ProcRef {
  const ref = state.procs.client;
  if (!isAlive(ref)) {
    throw new RingError('E_LAB_NOT_UP', `lab ${state.name} is not up`, { hint: `run \`ringmaster lab up --name ${state.name}\`` });
  }
  return ref;
}

/** nsenter arguments that put a command in the client namespace (network and mounts), keeping the working dir. */
export function clientNsenter(state: LabState, cwd: string): string[] {
  return ['--target', String(clientHolder(state).pid), '--net', '--mount', `--wd=${cwd}`, '--'];
}
