// Shared e2e harness: one lab per test file, known keys written and verified in one remote command each, cluster
// observation (members, manifest flags) and the CLI run as a child process with its JSON events parsed.
import { shellQuote } from '../../engine/connection/command.js';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { labDown } from '../../engine/lab/down.js';
import { etcdctl, parseEtcdJson, waitClusterHealthy } from '../../engine/lab/etcd-query.js';
import { labFail, labHeal } from '../../engine/lab/fault.js';
import { hostShell } from '../../engine/lab/hosts.js';
import { inventoryPath } from '../../engine/lab/inventory.js';
import { labUp } from '../../engine/lab/up.js';
import type { LabFlavor } from '../../engine/lab/flavor.js';
import type { LabSpec } from '../../engine/lab/spec.js';
import { readState, specOf, type FaultMode, type LabState } from '../../engine/lab/state.js';
import { packageRoot } from '../../engine/paths.js';
import type { HostResult, Recap, RunEvent } from '../../engine/report/events.js';

/** A lab brought up for one test file: its spec, state and inventory path. */
export interface Lab {
  name: string;
  spec: LabSpec;
  state: LabState;
  inventory: string;
  nodes: string[];
}

/** See test/helpers/lab-gate.ts: false → callers `this.skip()`; throws when skipping would hide a broken set-up. */
export { labAvailable } from '../helpers/lab-gate.js';

/** A lab name unique per process and file tag (`tag` is 1-4 lower-case letters), at most 16 characters. */
export function labName(tag: string): string {
  return `e2e${tag}${process.pid}`.slice(0, 16);
}

/** Removes any leftover lab of that name, then brings up a fresh healthy TLS lab (the lab's default etcd unless given). */
export async function labStart(name: string, nodes = 3, etcdVersion?: string, upgradeFrom?: string, flavor?: LabFlavor, hostEtcdTools?: boolean): Promise<Lab> {
  await labDown(name);
  await labUp({ name, nodes, tls: true, install: false, keepOnFailure: false, log: () => undefined, ...(etcdVersion ? { etcdVersion } : {}), ...(upgradeFrom ? { upgradeFrom } : {}), ...(flavor ? { flavor } : {}), ...(hostEtcdTools === false ? { hostEtcdTools } : {}) });
  const state = readState(name)!;
  // The spec as the lab recorded it (its etcd version and binaries), not a fresh default.
  const spec = specOf(state);
  return { name, spec, state, inventory: inventoryPath(spec), nodes: spec.etcdNodes.map((n) => n.name) };
}

/** A lab as a kubeadm cluster looks after its first boot: manifests say `existing`, and the cluster is healthy. */
export async function settledLab(name: string, nodes = 3, etcdVersion?: string, upgradeFrom?: string): Promise<Lab> {
  const lab = await labStart(name, nodes, etcdVersion, upgradeFrom);
  await markManifestsExisting(lab);
  await waitClusterHealthy(lab.spec, lab.state, lab.nodes[0], 30_000);
  return lab;
}

/** Removes the lab (call from `after`, which runs even when a test failed). */
export async function labStop(lab: Lab | undefined, name: string): Promise<void> {
  await labDown(lab?.name ?? name);
}

/** Runs a script on a lab node; throws with its stderr unless it exits 0. */
export async function sh(lab: Lab, node: string, script: string, timeoutMs = 30_000): Promise<string> {
  const r = await hostShell(lab.state, node, script, timeoutMs);
  if (r.code !== 0) throw new Error(`${node}: exit ${r.code}: ${r.stderr.trim()}\n  script: ${script.slice(0, 200)}`);
  return r.stdout;
}

/** The key and value `/e2e/key-NNNN` gets from writeKeys (the value carries a tag so a rewrite is visible). */
export function keyOf(i: number): string {
  return `/e2e/key-${String(i).padStart(4, '0')}`;
}
export function valueOf(i: number, tag: string): string {
  return `v${i}-${tag}`;
}

/** Writes `count` keys in ONE remote command (one `etcdctl txn` per 128 keys, all in one shell on `node`). */
export async function writeKeys(lab: Lab, count = 1000, tag = 'a', node = lab.nodes[0]): Promise<void> {
  const e = etcdctl(lab.spec, endpointsOf(lab));
  const chunks: string[] = [];
  for (let start = 0; start < count; start += 128) {
    const puts: string[] = [];
    for (let i = start; i < Math.min(count, start + 128); i++) puts.push(`put ${keyOf(i)} ${valueOf(i, tag)}`);
    // txn reads compares, then success ops, then failure ops, each ended by an empty line.
    // Retried: right after members restart, one endpoint may still answer plain HTTP; the puts are idempotent.
    chunks.push(`ok=; for i in 1 2 3 4 5 6; do printf '%s\\n' '' ${puts.map((p) => `'${p}'`).join(' ')} '' '' | ${e} --command-timeout=10s txn >/dev/null 2>/tmp/e2e-txn.err && ok=1 && break; sleep 1; done; [ -n "$ok" ] || { cat /tmp/e2e-txn.err >&2; exit 1; }`);
  }
  await sh(lab, node, `set -e\n${chunks.join('\n')}`, 60_000);
}

/** Reads every `/e2e/` key back in one command (serializable from `node`'s own member unless linearizable). */
export async function readKeys(lab: Lab, node = lab.nodes[0]): Promise<Map<string, string>> {
  const out = await sh(lab, node, `${etcdctl(lab.spec, endpointsOf(lab))} --command-timeout=10s get --prefix /e2e/ -w json`);
  const kvs = (parseEtcdJson(out) as { kvs?: Array<{ key: string; value: string }> }).kvs ?? [];
  const b64 = (s: string) => Buffer.from(s, 'base64').toString('utf8');
  return new Map(kvs.map((kv) => [b64(kv.key), b64(kv.value)]));
}

/** Differences between the keys in etcd and the `count` keys writeKeys wrote (minus `except`); [] when equal. */
export async function verifyKeys(lab: Lab, count = 1000, tag = 'a', except: string[] = [], node?: string): Promise<string[]> {
  const have = await readKeys(lab, node);
  const problems: string[] = [];
  for (let i = 0; i < count; i++) {
    const k = keyOf(i);
    if (except.includes(k)) continue;
    const v = have.get(k);
    if (v !== valueOf(i, tag)) problems.push(v === undefined ? `${k} missing` : `${k} = ${v}, expected ${valueOf(i, tag)}`);
  }
  for (const k of have.keys()) if (!except.includes(k) && !/^\/e2e\/key-\d{4}$/.test(k)) problems.push(`${k} unexpected`);
  return problems.slice(0, 20);
}

/**
 * The same check against every member on its own (serializable reads of each node's local member): data is on every
 * member, not only on the quorum the cluster read happened to reach. `node: problem` lines; [] when all agree.
 */
export async function verifyKeysOnEveryMember(lab: Lab, count = 1000, tag = 'a'): Promise<string[]> {
  const problems: string[] = [];
  for (const n of lab.spec.etcdNodes) {
    const out = await sh(lab, n.name, `${etcdctl(lab.spec, [`https://${n.address}:2379`])} --command-timeout=10s get --prefix /e2e/ --consistency=s -w json`);
    const kvs = (parseEtcdJson(out) as { kvs?: Array<{ key: string; value: string }> }).kvs ?? [];
    const have = new Map(kvs.map((kv) => [Buffer.from(kv.key, 'base64').toString('utf8'), Buffer.from(kv.value, 'base64').toString('utf8')]));
    for (let i = 0; i < count; i++) if (have.get(keyOf(i)) !== valueOf(i, tag)) problems.push(`${n.name}: ${keyOf(i)} = ${have.get(keyOf(i)) ?? 'missing'}`);
    if (have.size !== count) problems.push(`${n.name}: ${have.size} keys under /e2e/, expected ${count}`);
  }
  return problems.slice(0, 20);
}

/** Every node's client URL: commands reach the cluster, not one member. */
export function endpointsOf(lab: Lab): string[] {
  return lab.spec.etcdNodes.map((n) => `https://${n.address}:2379`);
}

/** One live member as etcd lists it. */
export interface Member {
  id: string;
  name: string;
  peerURLs: string[];
  isLearner: boolean;
  started: boolean;
}

/** The live member list, asked from `node` (any member of the quorum); sorted by name, unstarted ones have name ''. */
export async function members(lab: Lab, node = lab.nodes[0]): Promise<Member[]> {
  // All endpoints first; then one at a time: etcdctl 3.6's balancer can wait out its deadline on a member that
  // accepts connections but does not serve (a wiped member rejoining), where 3.4's moved on.
  const each = endpointsOf(lab).map((e) => `${etcdctl(lab.spec, [e])} member list -w json`);
  const out = await sh(lab, node, [`${etcdctl(lab.spec, endpointsOf(lab))} member list -w json`, ...each].join(' 2>/dev/null || '));
  const list = (parseEtcdJson(out) as { members?: Array<{ ID: string; name?: string; peerURLs: string[]; clientURLs?: string[]; isLearner?: boolean }> }).members ?? [];
  return list.map((m) => ({ id: m.ID, name: m.name ?? '', peerURLs: m.peerURLs, isLearner: !!m.isLearner, started: !!m.clientURLs?.length }))
    .sort((a, b) => a.name.localeCompare(b.name) || a.peerURLs[0].localeCompare(b.peerURLs[0]));
}

/** The etcd flags of one node's manifest (`--name=x` → { name: 'x' }); undefined when there is no manifest. */
export async function manifestFlags(lab: Lab, node: string): Promise<Record<string, string> | undefined> {
  const r = await hostShell(lab.state, node, 'cat /etc/kubernetes/manifests/etcd.yaml');
  if (r.code !== 0) return undefined;
  const flags: Record<string, string> = {};
  for (const m of r.stdout.matchAll(/^\s*-\s*"?--([a-z0-9-]+)(?:=([^"\n]*))?"?\s*$/gm)) flags[m[1]] = m[2] ?? 'true';
  return flags;
}

/** A fingerprint of everything a run could change: members, every manifest, and each data dir's member ID file set. */
export async function clusterFingerprint(lab: Lab): Promise<string> {
  const parts: string[] = [JSON.stringify(await members(lab))];
  for (const n of lab.nodes) {
    parts.push(await sh(lab, n, 'sha256sum /etc/kubernetes/manifests/* 2>/dev/null; ls /var/lib/etcd /var/lib/etcd/member 2>/dev/null; ls -d /var/lib/etcd* 2>/dev/null; true'));
  }
  return parts.join('\n');
}

/**
 * The fingerprint once it holds still (equal twice, 2 s apart; up to 40 s): right after a fault a member's etcd may
 * still be creating its data dir, which is no change of the run's.
 */
export async function settledFingerprint(lab: Lab): Promise<string> {
  let last = await clusterFingerprint(lab);
  for (let i = 0; i < 20; i++) {
    await new Promise((r) => setTimeout(r, 2000));
    const now = await clusterFingerprint(lab);
    if (now === last) return now;
    last = now;
  }
  throw new Error(`the cluster did not hold still for 2 s within 40 s:\n${last}`);
}

/** What each node holds (manifests, held and kept manifests, data and snapshot dirs): readable without quorum. */
export async function nodeFingerprint(lab: Lab): Promise<string> {
  const parts: string[] = [];
  for (const n of lab.nodes) {
    parts.push(await sh(lab, n, 'cd /etc/kubernetes && sha256sum manifests/* ringmaster*/* lab-stopped/* 2>/dev/null; ls -d /var/lib/etcd* /var/lib/etcd-snapshots/* 2>/dev/null; ls /var/lib/etcd/member 2>/dev/null; true'));
  }
  return parts.join('\n');
}

/** What `assertSettled` checks: every member healthy and started, names as expected, manifests `existing` and no force flag. */
export async function settledProblems(lab: Lab, expectNames = lab.nodes): Promise<string[]> {
  const problems: string[] = [];
  await waitClusterHealthy(lab.spec, lab.state, expectNames[0], 30_000).catch((e: Error) => problems.push(e.message));
  const live = await members(lab);
  const names = live.map((m) => m.name);
  if (JSON.stringify(names) !== JSON.stringify([...expectNames].sort())) problems.push(`members ${names.join(',')} (expected ${expectNames.join(',')})`);
  for (const m of live) if (m.isLearner || !m.started) problems.push(`member ${m.name || m.id} is ${m.isLearner ? 'a learner' : 'unstarted'}`);
  for (const n of expectNames) {
    const f = await manifestFlags(lab, n);
    if (!f) { problems.push(`${n}: no manifest`); continue; }
    if (f['initial-cluster-state'] !== 'existing') problems.push(`${n}: --initial-cluster-state=${f['initial-cluster-state']}`);
    if (f['force-new-cluster']) problems.push(`${n}: --force-new-cluster present`);
  }
  return problems;
}

/**
 * Sets every manifest to `--initial-cluster-state=existing` (what a kubeadm join leaves), so a settled check can pass.
 * A changed manifest restarts the pod, as under kubelet; editManifest waits for that, else the restarts of all
 * members would land in the first test (the lock e2e's quorum sampler saw them as dips before its runs connected).
 */
export async function markManifestsExisting(lab: Lab): Promise<void> {
  await Promise.all(lab.nodes.map((n) => editManifest(lab, n, 's/--initial-cluster-state=new/--initial-cluster-state=existing/')));
}

/**
 * Edits a node's etcd manifest with a sed script (as an operator would by hand), atomically, and waits until the
 * node's static-pod runner runs etcd from the changed file (30 s at most; its status is printed when it does not).
 */
export async function editManifest(lab: Lab, node: string, sedScript: string): Promise<void> {
  const running = `node -e 'const s=JSON.parse(require("fs").readFileSync("/run/static-pods/status.json","utf8"));process.exit(s.pods.some(p=>p.name==="etcd"&&p.state==="running"&&p.pid&&p.manifestHash===process.argv[1])?0:1)'`;
  await sh(lab, node, `m=/etc/kubernetes/manifests/etcd.yaml; t=/etc/kubernetes/.etcd.yaml.e2e
sed ${shellQuote(sedScript)} $m > $t && mv $t $m
h=$(sha256sum $m | cut -c1-16)
for i in $(seq 1 300); do ${running} "$h" && exit 0; sleep 0.1; done
echo "the static-pod runner did not restart etcd from the changed manifest (hash $h) within 30 s" >&2; cat /run/static-pods/status.json >&2; exit 1`, 40_000);
}

/** The result of one CLI run: exit code, parsed JSON events, the recap, and raw output. */
export interface CliRun {
  exitCode: number;
  events: RunEvent[];
  recap?: Recap;
  results: HostResult[];
  stdout: string;
  stderr: string;
  wallMs: number;
}

/** Runs `ringmaster ARGS --output json` as a child process (it enters the lab's client namespace by itself). */
export function cli(args: string[], timeoutMs = 180_000): Promise<CliRun> {
  const root = packageRoot();
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'bin', 'ringmaster.js'), ...args, '--output', 'json'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const events: RunEvent[] = [];
      for (const line of stdout.split('\n')) {
        if (!line.startsWith('{')) continue;
        try { events.push(JSON.parse(line) as RunEvent); } catch { /* a stray line is kept in stdout */ }
      }
      const recap = events.find((e): e is Recap => e.type === 'recap');
      const results = events.filter((e): e is HostResult => e.type === 'host_result');
      resolve({ exitCode: code ?? 255, events, recap, results, stdout, stderr, wallMs: Date.now() - t0 });
    });
  });
}

/** Runs a shipped playbook on the lab: `ringmaster run playbooks/NAME.yml -i <lab inventory> -e k=v ... [extra]`. */
export function runPlaybook(lab: Lab, playbook: string, vars: Record<string, string> = {}, extra: string[] = []): Promise<CliRun> {
  const ev = Object.entries(vars).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  return cli(['run', join(packageRoot(), 'playbooks', playbook), '-i', lab.inventory, ...ev, ...extra]);
}

/** Total `changed` over all hosts in the recap (undefined recap counts as -1 so an assertion fails loudly). */
export function changedCount(r: CliRun): number {
  if (!r.recap) return -1;
  return Object.values(r.recap.hosts).reduce((s, h) => s + h.changed, 0);
}

/** A short text of a run for assertion messages: exit code, failed results and stderr. */
export function explain(r: CliRun): string {
  const bad = r.results.filter((x) => x.status === 'failed' || x.status === 'unreachable' || x.status === 'changed')
    .map((x) => `${x.status} ${x.host} '${x.task}': ${(x.msg ?? '').slice(0, 300)}`);
  return `exit ${r.exitCode}; ${r.recap?.aborted ?? ''}\n${bad.join('\n')}\n${r.stderr.slice(-1500)}`;
}

/** The host results of the task named `task` (exact name). */
export function resultsOf(r: CliRun, task: string): HostResult[] {
  return r.results.filter((x) => x.task === task);
}

/** Engine share of a run: wall time, summed host_result durations (waiting on hosts) and the rest. */
export function timing(r: CliRun): { wallMs: number; runMs: number; hostMs: number } {
  return { wallMs: r.wallMs, runMs: r.recap?.durationMs ?? -1, hostMs: r.results.reduce((s, x) => s + x.durationMs, 0) };
}

export { labFail, labHeal, type FaultMode };
