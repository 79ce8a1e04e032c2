// Kubelet's static-pod job on a lab node, over the CRI of the node's containerd: each /etc/kubernetes/manifests/* is a
// pod sandbox and its container (crictl runp/create/start), restarted with back-off when it exits, replaced by a new
// pod when its manifest changes, stopped and removed with its manifest.
// Runs inside the node (copied there with cri-pod-config.js and `yaml` beside it): it imports nothing from the engine.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { containerConfig, imageArchive, parseStaticPod, podLogDir, sandboxConfig, type StaticPod } from './cri-pod-config.js';

const MANIFESTS = process.env.RUNNER_MANIFESTS ?? '/etc/kubernetes/manifests';
const STATUS = process.env.RUNNER_STATUS ?? '/run/static-pods/status.json';
/** The runner's own event log per pod (what it started and why it stopped); etcd's output is in `crictl logs`. */
const LOGS = process.env.RUNNER_LOGS ?? '/var/log/static-pods';
/** While this file exists nothing is (re)started: `lab fail --mode kill` keeps a killed member down with it. */
const HOLD = process.env.RUNNER_HOLD ?? '/run/static-pods/hold';
/** etcd release → image archive the lab built (kubelet's image pull, from the lab instead of a registry). */
const IMAGES = process.env.RUNNER_IMAGES ?? join(dirname(fileURLToPath(import.meta.url)), 'images.json');
const ENDPOINT = process.env.RUNNER_CRI_ENDPOINT ?? 'unix:///run/containerd/containerd.sock';
/** Every pod's cgroups go below this folder of the lab's (`lab down` removes it). */
const CGROUP_PARENT = process.env.RUNNER_CGROUP_PARENT ?? '/ringmaster-lab';
const NODE = process.env.RUNNER_NODE ?? hostname();
const POLL_MS = 500;
/** kubelet's default terminationGracePeriodSeconds is 30; etcd stops on SIGTERM in well under a second. */
const GRACE_S = 10;
const MAX_BACKOFF_MS = 16_000;
/** A container that ran this long is considered healthy again: its back-off starts over. */
const STABLE_MS = 30_000;

interface Pod {
  file: string;
  hash: string;
  spec?: StaticPod;
  error?: string;
  sandboxId?: string;
  containerId?: string;
  pid?: number;
  startedAt?: number;
  state: 'running' | 'backoff' | 'stopping' | 'held' | 'invalid';
  restarts: number;
  backoffMs: number;
  nextStartAt: number;
  lastExit?: { code: number | null; signal: string | null; at: string };
  /** Set when the manifest changed or vanished: what to do once the old container has exited. */
  after?: 'replace' | 'remove';
  pending?: { hash: string; spec?: StaticPod; error?: string };
}

const pods = new Map<string, Pod>();
let held = false;
const present = new Set<string>();

function crictl(args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile('crictl', ['-r', ENDPOINT, '-i', ENDPOINT, '--timeout', '20s', ...args], { timeout: 60_000, maxBuffer: 32 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`crictl ${args[0]}: ${(stderr || err.message).trim().split('\n').pop()}`));
      else resolve(stdout.trim());
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

function ctrImport(archive: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('ctr', ['-a', ENDPOINT.replace(/^unix:\/\//, ''), '-n', 'k8s.io', 'images', 'import', archive], { timeout: 120_000 }, (err, _o, stderr) => {
      if (err) reject(new Error(`importing ${archive}: ${(stderr || err.message).trim()}`));
      else resolve();
    });
  });
}

function images(): Record<string, string> {
  try {
    return JSON.parse(readFileSync(IMAGES, 'utf8')) as Record<string, string>;
  } catch {
    return {};
  }
}

function log(pod: Pod, line: string): void {
  appendFileSync(join(LOGS, `${pod.spec?.name ?? pod.file}.log`), `--- ${new Date().toISOString()} static-pod-runner: ${line}\n`);
}

function parseManifest(text: string): { spec?: StaticPod; error?: string } {
  const r = parseStaticPod(text, NODE);
  if (!r.pod) return { error: r.error };
  const img = imageArchive(r.pod.container.image, images());
  return img.error ? { error: img.error } : { spec: r.pod };
}

/** kubelet's image pull: the image is in containerd, or imported from the lab's archive of that etcd release. */
async function ensureImage(image: string): Promise<void> {
  if (present.has(image)) return;
  const ok = await crictl(['inspecti', '-q', image]).then(() => true, () => false);
  if (!ok) {
    const { archive, error } = imageArchive(image, images());
    if (error || !archive) throw new Error(error ?? `image ${image}: not present in containerd (ErrImagePull)`);
    await ctrImport(archive);
  }
  present.add(image);
}

/** Writes a config for crictl (it takes files, not stdin). */
function configFile(pod: Pod, kind: string, config: unknown): string {
  const dir = '/run/static-pods/cri';
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${pod.spec!.uid}-${kind}.json`);
  writeFileSync(path, JSON.stringify(config));
  return path;
}

async function start(pod: Pod): Promise<void> {
  const spec = pod.spec!;
  const c = spec.container;
  log(pod, `starting ${[...c.command, ...c.args].join(' ')} (image ${c.image}, attempt ${pod.restarts})`);
  try {
    await ensureImage(c.image);
    for (const d of c.createDirs) mkdirSync(d, { recursive: true });
    const sandbox = sandboxConfig(spec, CGROUP_PARENT);
    const sandboxFile = configFile(pod, 'pod', sandbox);
    if (!pod.sandboxId) {
      mkdirSync(podLogDir(spec), { recursive: true });
      pod.sandboxId = await crictl(['runp', sandboxFile]);
    }
    const id = await crictl(['create', pod.sandboxId, configFile(pod, `container-${pod.restarts}`, containerConfig(spec, pod.restarts)), sandboxFile]);
    await crictl(['start', id]);
    const info = JSON.parse(await crictl(['inspect', '-o', 'json', id])) as { info?: { pid?: number } };
    pod.containerId = id;
    pod.pid = info.info?.pid;
    pod.startedAt = Date.now();
    pod.state = 'running';
    pod.error = undefined;
    log(pod, `started container ${id.slice(0, 13)} in pod ${pod.sandboxId.slice(0, 13)} (pid ${pod.pid})`);
    await removeOldContainers(pod);
  } catch (e) {
    pod.error = (e as Error).message;
    log(pod, `cannot start: ${pod.error}`);
    backOff(pod, false);
  }
}

/** kubelet keeps the last exited container of a pod (for `crictl logs` of the previous run) and removes older ones. */
async function removeOldContainers(pod: Pod): Promise<void> {
  const list = JSON.parse(await crictl(['ps', '-a', '-o', 'json', '-p', pod.sandboxId!])) as { containers: Array<{ id: string; metadata: { attempt?: number } }> };
  for (const c of list.containers) {
    if (c.id !== pod.containerId && (c.metadata.attempt ?? 0) < pod.restarts - 1) await crictl(['rm', c.id]).catch(() => undefined);
  }
}

function backOff(pod: Pod, ran: boolean): void {
  if (ran && Date.now() - (pod.startedAt ?? Date.now()) >= STABLE_MS) pod.backoffMs = 1000;
  pod.nextStartAt = Date.now() + pod.backoffMs;
  pod.backoffMs = Math.min(pod.backoffMs * 2, MAX_BACKOFF_MS);
  pod.state = 'backoff';
}

async function removeSandbox(pod: Pod): Promise<void> {
  if (!pod.sandboxId) return;
  const id = pod.sandboxId;
  pod.sandboxId = undefined;
  await crictl(['stopp', id]).catch((e: Error) => log(pod, `stopping pod ${id.slice(0, 13)}: ${e.message}`));
  await crictl(['rmp', '-f', id]).catch((e: Error) => log(pod, `removing pod ${id.slice(0, 13)}: ${e.message}`));
}

async function exited(pod: Pod, code: number | null): Promise<void> {
  pod.containerId = undefined;
  pod.pid = undefined;
  pod.lastExit = { code, signal: code !== null && code > 128 ? `signal ${code - 128}` : null, at: new Date().toISOString() };
  log(pod, `exited (code ${code})`);
  if (pod.after === 'remove') {
    await removeSandbox(pod);
    pods.delete(pod.file);
    return;
  }
  if (pod.after === 'replace' && pod.pending) {
    await removeSandbox(pod);
    const next = pod.pending;
    Object.assign(pod, { hash: next.hash, spec: next.spec, error: next.error, after: undefined, pending: undefined, restarts: 0, backoffMs: 1000, nextStartAt: 0 });
    pod.state = pod.spec ? 'backoff' : 'invalid';
    return;
  }
  pod.restarts += 1;
  backOff(pod, true);
}

function stop(pod: Pod, after: 'replace' | 'remove'): void {
  pod.after = after;
  if (!pod.containerId) {
    if (after === 'remove') { void removeSandbox(pod); pods.delete(pod.file); }
    return;
  }
  if (pod.state === 'stopping') return;
  pod.state = 'stopping';
  log(pod, `stopping container ${pod.containerId.slice(0, 13)} (${after === 'remove' ? 'manifest removed' : 'manifest changed'})`);
  void crictl(['stop', '--timeout', String(GRACE_S), pod.containerId]).catch((e: Error) => log(pod, `stop: ${e.message}`));
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

/** The state and exit code of each container the runner started, from one `crictl ps -a`. */
async function containerStates(): Promise<Map<string, { running: boolean; code: number | null }>> {
  const out = new Map<string, { running: boolean; code: number | null }>();
  const ours = [...pods.values()].filter((p) => p.containerId);
  if (ours.length === 0) return out;
  const list = JSON.parse(await crictl(['ps', '-a', '-o', 'json'])) as { containers: Array<{ id: string; state: string }> };
  const states = new Map(list.containers.map((c) => [c.id, c.state]));
  for (const p of ours) {
    const s = states.get(p.containerId!);
    if (s === 'CONTAINER_RUNNING' || s === 'CONTAINER_CREATED') { out.set(p.containerId!, { running: true, code: null }); continue; }
    let code: number | null = null;
    if (s) {
      const info = JSON.parse(await crictl(['inspect', '-o', 'json', p.containerId!]).catch(() => '{}')) as { status?: { exitCode?: number } };
      code = info.status?.exitCode ?? null;
    }
    out.set(p.containerId!, { running: false, code });
  }
  return out;
}

async function tick(): Promise<void> {
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
      if (pod.containerId) { pod.pending = next; stop(pod, 'replace'); } else {
        await removeSandbox(pod);
        Object.assign(pod, { hash, spec: next.spec, error: next.error, restarts: 0, backoffMs: 1000, nextStartAt: 0, state: next.spec ? 'backoff' : 'invalid' });
      }
    }
  }
  const states = await containerStates();
  for (const pod of [...pods.values()]) {
    const s = pod.containerId ? states.get(pod.containerId) : undefined;
    if (pod.containerId && s && !s.running) await exited(pod, s.code);
  }
  for (const pod of pods.values()) {
    if (wasHeld && !held) { pod.backoffMs = 1000; pod.nextStartAt = 0; }
    if (pod.containerId || !pod.spec || pod.after) continue;
    if (held) { pod.state = 'held'; continue; }
    if (Date.now() >= pod.nextStartAt) await start(pod);
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
      podName: p.spec?.podName, sandboxId: p.sandboxId, containerId: p.containerId,
      startedAt: p.startedAt ? new Date(p.startedAt).toISOString() : undefined, lastExit: p.lastExit, error: p.error,
    })),
  };
  writeFileSync(`${STATUS}.tmp`, `${JSON.stringify(status, null, 1)}\n`);
  renameSync(`${STATUS}.tmp`, STATUS);
}

async function loop(): Promise<void> {
  for (;;) {
    const t0 = Date.now();
    await tick().catch((e: Error) => appendFileSync(join(LOGS, 'runner-errors.log'), `--- ${new Date().toISOString()} ${e.message}\n`));
    await new Promise((r) => setTimeout(r, Math.max(50, POLL_MS - (Date.now() - t0))));
  }
}

function main(): void {
  mkdirSync(LOGS, { recursive: true });
  mkdirSync(dirname(STATUS), { recursive: true });
  // The pods stay with containerd when the runner stops, as a kubelet's do; the node's end stops them.
  const shutdown = (): void => process.exit(0);
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  void loop();
}

main();
