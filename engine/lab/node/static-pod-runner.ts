// Kubelet's static-pod job on a lab node: run /etc/kubernetes/manifests/* as processes (start, restart on change, stop on removal, back-off).
// Runs inside the node (copied there as a self-contained .mjs with `yaml` beside it): it imports nothing from the engine.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const MANIFESTS = process.env.RUNNER_MANIFESTS ?? '/etc/kubernetes/manifests';
const STATUS = process.env.RUNNER_STATUS ?? '/run/static-pods/status.json';
const LOGS = process.env.RUNNER_LOGS ?? '/var/log/static-pods';
/** While this file exists nothing is (re)started: `lab fail --mode kill` keeps a killed member down with it. */
const HOLD = process.env.RUNNER_HOLD ?? '/run/static-pods/hold';
/**
 * The lab's stand-in for pulling an image: etcd version → folder of that release's binaries, put first on the pod's
 * PATH, so `image: registry.k8s.io/etcd:3.5.35-0` really runs etcd 3.5.35. An image the lab has not built is an
 * image pull error: the pod does not start (as kubelet's ErrImagePull).
 */
const IMAGES = process.env.RUNNER_IMAGES ?? join(dirname(fileURLToPath(import.meta.url)), 'images.json');
const POLL_MS = 500;
const GRACE_MS = 10_000;
const MAX_BACKOFF_MS = 16_000;
/** A process that ran this long is considered healthy again: its back-off starts over. */
const STABLE_MS = 30_000;

interface PodSpec {
  name: string;
  command: string[];
  env: Record<string, string>;
  /** The image's binaries, first on PATH (absent: no etcd image, the node's PATH). */
  binDir?: string;
}

function images(): Record<string, string> {
  try {
    return JSON.parse(readFileSync(IMAGES, 'utf8')) as Record<string, string>;
  } catch {
    return {};
  }
}

/** `registry.k8s.io/etcd:3.6.16-0` → the folder of etcd 3.6.16's binaries, or an error naming what the lab has. */
function imageBinDir(image: unknown): { binDir?: string; error?: string } {
  const m = /etcd:v?(\d+\.\d+\.\d+)/.exec(String(image ?? ''));
  if (!m) return {};
  const known = images();
  const dir = known[m[1]];
  return dir ? { binDir: dir } : { error: `image ${String(image)}: not available in the lab (ErrImagePull; the lab has etcd ${Object.keys(known).join(', ') || 'none'})` };
}

/** One manifest file and the process that runs it. */
interface Pod {
  file: string;
  hash: string;
  spec?: PodSpec;
  error?: string;
  child?: ChildProcess;
  pid?: number;
  startedAt?: number;
  state: 'running' | 'backoff' | 'stopping' | 'held' | 'invalid';
  restarts: number;
  backoffMs: number;
  nextStartAt: number;
  lastExit?: { code: number | null; signal: string | null; at: string };
  /** Set when the manifest changed or vanished: what to do once the old process has exited. */
  after?: 'replace' | 'remove';
  pending?: { hash: string; spec?: PodSpec; error?: string };
}

const pods = new Map<string, Pod>();
let held = false;

function parseManifest(text: string): { spec?: PodSpec; error?: string } {
  try {
    const doc = parse(text) as { metadata?: { name?: string }; spec?: { containers?: Array<Record<string, unknown>> } };
    const c = doc?.spec?.containers?.[0];
    const command = [...((c?.command as string[] | undefined) ?? []), ...((c?.args as string[] | undefined) ?? [])].map(String);
    if (!doc?.metadata?.name || command.length === 0) return { error: 'manifest has no metadata.name or no spec.containers[0].command' };
    const env: Record<string, string> = {};
    for (const e of (c?.env as Array<{ name: string; value?: string }> | undefined) ?? []) env[e.name] = String(e.value ?? '');
    const image = imageBinDir(c?.image);
    if (image.error) return { error: image.error };
    return { spec: { name: String(doc.metadata.name), command, env, ...(image.binDir ? { binDir: image.binDir } : {}) } };
  } catch (e) {
    return { error: `invalid YAML: ${(e as Error).message}` };
  }
}

function log(pod: Pod, line: string): void {
  const fd = openSync(join(LOGS, `${pod.spec?.name ?? pod.file}.log`), 'a');
  writeSync(fd, `--- ${new Date().toISOString()} static-pod-runner: ${line}\n`);
  closeSync(fd);
}

function start(pod: Pod): void {
  const spec = pod.spec!;
  const fd = openSync(join(LOGS, `${spec.name}.log`), 'a');
  writeSync(fd, `--- ${new Date().toISOString()} static-pod-runner: starting ${spec.command.join(' ')}${spec.binDir ? ` (image binaries: ${spec.binDir})` : ''}\n`);
  const child = spawn(spec.command[0], spec.command.slice(1), {
    cwd: '/', detached: true, stdio: ['ignore', fd, fd],
    env: { PATH: `${spec.binDir ? `${spec.binDir}:` : ''}${process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin'}`, ...spec.env },
  });
  closeSync(fd);
  pod.child = child;
  pod.pid = child.pid;
  pod.startedAt = Date.now();
  pod.state = 'running';
  child.on('error', (e) => log(pod, `cannot start: ${e.message}`));
  child.on('exit', (code, signal) => exited(pod, child, code, signal));
}

function exited(pod: Pod, child: ChildProcess, code: number | null, signal: string | null): void {
  if (pod.child !== child) return;
  pod.child = undefined;
  pod.pid = undefined;
  pod.lastExit = { code, signal, at: new Date().toISOString() };
  log(pod, `exited (code ${code}, signal ${signal})`);
  if (pod.after === 'remove') { pods.delete(pod.file); return; }
  if (pod.after === 'replace' && pod.pending) {
    const next = pod.pending;
    Object.assign(pod, { hash: next.hash, spec: next.spec, error: next.error, after: undefined, pending: undefined, backoffMs: 1000, nextStartAt: 0 });
    pod.state = pod.spec ? 'backoff' : 'invalid';
    return;
  }
  const ran = Date.now() - (pod.startedAt ?? Date.now());
  if (ran >= STABLE_MS) pod.backoffMs = 1000;
  pod.nextStartAt = Date.now() + pod.backoffMs;
  pod.backoffMs = Math.min(pod.backoffMs * 2, MAX_BACKOFF_MS);
  pod.restarts += 1;
  pod.state = 'backoff';
}

function stop(pod: Pod, after: 'replace' | 'remove'): void {
  pod.after = after;
  if (!pod.child) {
    if (after === 'remove') pods.delete(pod.file);
    return;
  }
  if (pod.state === 'stopping') return;
  pod.state = 'stopping';
  const child = pod.child;
  signalGroup(child, 'SIGTERM');
  setTimeout(() => { if (pod.child === child) signalGroup(child, 'SIGKILL'); }, GRACE_MS).unref();
}

function signalGroup(child: ChildProcess, sig: NodeJS.Signals): void {
  try { process.kill(-child.pid!, sig); } catch { try { child.kill(sig); } catch { /* already gone */ } }
}

function scan(): Map<string, string> {
  const found = new Map<string, string>();
  let names: string[] = [];
  try { names = readdirSync(MANIFESTS); } catch { return found; }
  for (const f of names) {
    if (f.startsWith('.')) continue;
    try { found.set(f, readFileSync(join(MANIFESTS, f), 'utf8')); } catch { /* vanished between readdir and read */ }
  }
  return found;
}

function tick(): void {
  const wasHeld = held;
  held = existsSync(HOLD);
  const found = scan();
  for (const [file, pod] of pods) if (!found.has(file) && pod.after !== 'remove') stop(pod, 'remove');
  for (const [file, text] of found) {
    const hash = createHash('sha256').update(text).digest('hex').slice(0, 16);
    const pod = pods.get(file);
    if (!pod) {
      const p: Pod = { file, hash, ...parseManifest(text), state: 'backoff', restarts: 0, backoffMs: 1000, nextStartAt: 0 };
      if (!p.spec) p.state = 'invalid';
      pods.set(file, p);
    } else if (pod.hash !== hash && pod.pending?.hash !== hash) {
      const next = { hash, ...parseManifest(text) };
      if (pod.child) { pod.pending = next; stop(pod, 'replace'); } else {
        Object.assign(pod, { hash, spec: next.spec, error: next.error, backoffMs: 1000, nextStartAt: 0, state: next.spec ? 'backoff' : 'invalid' });
      }
    }
  }
  for (const pod of pods.values()) {
    if (wasHeld && !held) { pod.backoffMs = 1000; pod.nextStartAt = 0; }
    if (pod.child || !pod.spec || pod.after) continue;
    if (held) { pod.state = 'held'; continue; }
    if (Date.now() >= pod.nextStartAt) start(pod);
    else pod.state = 'backoff';
  }
  writeStatus();
}

function writeStatus(): void {
  const status = {
    updatedAt: new Date().toISOString(),
    held,
    pods: [...pods.values()].map((p) => ({
      file: p.file, name: p.spec?.name, state: p.state, pid: p.pid, restarts: p.restarts, manifestHash: p.hash,
      startedAt: p.startedAt ? new Date(p.startedAt).toISOString() : undefined, lastExit: p.lastExit, error: p.error,
    })),
  };
  writeFileSync(`${STATUS}.tmp`, `${JSON.stringify(status, null, 1)}\n`);
  renameSync(`${STATUS}.tmp`, STATUS);
}

function main(): void {
  mkdirSync(LOGS, { recursive: true });
  mkdirSync(join(STATUS, '..'), { recursive: true });
  const shutdown = (): void => {
    for (const p of pods.values()) if (p.child) signalGroup(p.child, 'SIGTERM');
    process.exit(0);
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  tick();
  setInterval(tick, POLL_MS);
}

main();
