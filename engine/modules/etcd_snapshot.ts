// `etcd_snapshot`: save (fetched with a checksum sidecar and retention), distribute (verified), restore (sibling dir + swap), status.
import { mkdir, readdir, readFile, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { cmd, raw, type Command } from '../connection/command.js';
import { hashFile } from '../connection/download-target.js';
import { deterministicLine, HINT } from '../etcd/etcdctl-errors.js';
import { parseEtcdJson } from '../etcd/json.js';
import type { EtcdSnapshotArgs } from '../generated/schema-types.js';
import { defineModule, type ModuleContext, type ModuleResult } from './define.js';
import { etcdEndpointStatus } from '../facts/etcd-endpoint-status.js';
import { etcdctlCommand, etcdError, hostPort, readFact, varStr } from './etcd-common.js';
import { bumpsRevision, snapshotTool, TOOL_PROBE, type ToolVersions } from './snapshot-tool.js';
import { versionDrift } from '../etcd/versions.js';
import { evidenceStamp, moveExclusive, reserveExclusive, writeExclusive } from './evidence.js';
import { containerRestore, containerSnapshot } from './snapshot-container.js';
import { imageRestore } from './snapshot-image-tool.js';

/** What the controller keeps next to each snapshot (`<file>.json`). */
export interface SnapshotSidecar {
  file: string;
  sha256: string;
  revision: number;
  total_keys: number;
  /** Live keys at `revision` (what a restored cluster must hold); absent in sidecars of older versions. */
  key_count?: number;
  size: number;
  member: string;
  host: string;
  time: string;
}

export const etcdSnapshotModule = defineModule<EtcdSnapshotArgs>({
  name: 'etcd_snapshot',
  description: 'Save a snapshot on a member and fetch it with a checksum sidecar, distribute it to a host with verification, restore it into a sibling data directory then swap it in (old one kept aside), or show its status.',
  schema: 'modules/etcd_snapshot.json',
  supportsCheckMode: true,
  idempotent: false,
  example: `- name: Save a snapshot on node1 and keep the last 5 on the controller
  etcd_snapshot:
    action: save
    dest: backups
    keep: 5
  register: snap
`,
  async run(ctx, args) {
    switch (args.action) {
      case 'save': return save(ctx, args);
      case 'distribute': return distribute(ctx, args);
      case 'restore': return restore(ctx, args);
      case 'verify': return verify(ctx, args);
      default: return status(ctx, args);
    }
  },
});

/** One read-only round trip: the file's sha256 (or `absent`), whether a path exists, whether a port answers, whether etcdutl is installed, the tools' versions. */
const PROBE = [
  'if [ -e "$1" ]; then sha256sum < "$1" | cut -d" " -f1; else echo absent; fi',
  'if [ -e "$2" ]; then echo exists; else echo absent; fi',
  `if timeout 1 bash -c "exec 3<>/dev/tcp/127.0.0.1/$3" 2>/dev/null; then echo open; else echo closed; fi`,
  'if command -v etcdutl >/dev/null 2>&1; then echo etcdutl; else echo none; fi',
  ...TOOL_PROBE,
].join('; ');

interface Probe extends ToolVersions { sha?: string; other: boolean; portOpen: boolean }

async function probe(ctx: ModuleContext, file: string, other = '/nonexistent', port = 0): Promise<Probe> {
  const r = await ctx.exec(cmd('sh', '-c', PROBE, 'probe', file, other, String(port)));
  const [sha, o, p, u, ctl, utl] = r.stdout.replace(/\n$/, '').split('\n');
  if (r.code !== 0 || u === undefined) throw etcdError(ctx, `cannot inspect ${file}: ${r.stderr.trim() || `exit code ${r.code}`}`);
  return { sha: sha === 'absent' ? undefined : sha, other: o === 'exists', portOpen: p === 'open', etcdutl: u === 'etcdutl', etcdctlVersion: ctl?.trim() || undefined, etcdutlVersion: utl?.trim() || undefined };
}

async function must(ctx: ModuleContext, c: Command, hint?: string): Promise<string> {
  const r = await ctx.exec(c, { timeoutMs: 600_000 });
  if (r.code !== 0) throw etcdError(ctx, `${c.display()} failed: ${(r.stderr.trim().split('\n').filter((l) => l.startsWith('Error')).pop() ?? r.stderr.trim()).slice(0, 400) || `exit code ${r.code}`}`, hint);
  return r.stdout;
}

function statusCommand(ctx: ModuleContext, file: string, etcdutl: boolean): Command {
  return etcdutl ? cmd('etcdutl', 'snapshot', 'status', file, '-w', 'json') : etcdctlCommand(ctx, undefined, 'snapshot', 'status', file, '-w', 'json');
}

function parseStatus(stdout: string): { revision: number; total_keys: number; size: number; hash: number } {
  const s = parseEtcdJson(stdout, 'snapshot status') as { hash: number; revision: number; totalKey: number; totalSize: number };
  return { revision: Number(s.revision), total_keys: Number(s.totalKey), size: Number(s.totalSize), hash: Number(s.hash) };
}

/** The number of live keys at exactly `revision` (one-key page: the total is in `count`; 3.4 has no --count-only). */
function keyCountCommand(ctx: ModuleContext, revision: number | string): Command {
  return etcdctlCommand(ctx, undefined, 'get', '', '--from-key', `--rev=${revision}`, '--keys-only', '--limit=1', '-w', 'json');
}

/**
 * `total_keys` of `snapshot status` counts every bolt entry (old revisions, members, meta), so it cannot be compared
 * with a restored cluster; the live key count at the snapshot's revision can. Undefined when the member cannot say
 * (e.g. that revision is already compacted); etcdctl refusing its flags or TLS files is an error, not "unknown".
 */
async function liveKeyCount(ctx: ModuleContext, revision: number): Promise<number | undefined> {
  const c = keyCountCommand(ctx, revision);
  const r = await ctx.exec(c);
  const fatal = r.code === 0 ? undefined : deterministicLine(r.stderr, r.code);
  if (fatal !== undefined) throw etcdError(ctx, `${c.display()} failed: ${fatal}`, HINT);
  if (r.code !== 0) return undefined;
  const n = Number((parseEtcdJson(r.stdout, 'get --from-key') as { count?: number }).count ?? 0);
  return Number.isFinite(n) ? n : undefined;
}

/** The server version of this host's member from `endpoint status` (undefined when it does not answer). */
async function liveVersion(ctx: ModuleContext): Promise<string | undefined> {
  const st = await readFact(ctx, etcdEndpointStatus).catch(() => []);
  return st[0]?.version || undefined;
}

async function save(ctx: ModuleContext, args: EtcdSnapshotArgs): Promise<ModuleResult> {
  const via = varStr(ctx.vars, 'etcdctl_via', 'host');
  const inContainerVia = via === 'docker' || via === 'crictl';
  const member = varStr(ctx.vars, 'etcd_name', ctx.host);
  const dir = (args.remote_dir ?? '/var/lib/etcd-snapshots').replace(/\/+$/, '');
  // Run ID + millisecond, the name reserved on the host (noclobber) before the snapshot is renamed onto it.
  const stamp = evidenceStamp(ctx.vars);
  const file = `${dir}/etcd-${member}-${stamp}.db`;
  // docker, crictl: saved into the data dir's mount, checked there with the image's tools, then moved out on the host.
  // The live version is asked once: it picks the container's tool now and goes into the result below.
  const liveFirst = inContainerVia ? await liveVersion(ctx) : undefined;
  const inCtr = inContainerVia ? await containerSnapshot(ctx, stamp, liveFirst) : undefined;
  const steps = [cmd('mkdir', '-p', '-m', '0700', dir, raw('&&'), ...reserveExclusive(file).parts), etcdctlCommand(ctx, undefined, 'snapshot', 'save', inCtr?.inContainer ?? file)];
  const commands = [...steps.map((c) => c.display()), ...(inCtr ? [inCtr.status.display(), inCtr.moveOut(file).display()] : []), `sha256sum ${file}`,
    ...(inCtr ? [] : [statusCommand(ctx, file, false).display()]), keyCountCommand(ctx, 'REVISION').display()];
  if (args.fetch !== false) commands.push(`fetch ${file} → ${resolve(ctx.playbookDir, args.dest ?? 'backups')}/ (+ .json sidecar, keep ${Number(args.keep ?? 5)})`);
  if (args.fetch !== false && !args.keep_remote) commands.push(cmd('rm', '-f', file).display());
  if (ctx.check) return { changed: true, commands, remote_path: file, msg: `check mode: would save a snapshot of ${member} to ${file}` };
  let inCtrStatus: string | undefined;
  try {
    for (const c of steps) await must(ctx, c, 'check that etcd is healthy on this member and that the folder is writable (and mounted in the container when etcdctl runs in one)');
    if (inCtr) {
      inCtrStatus = await must(ctx, inCtr.status, `the snapshot may be damaged; it is removed from ${inCtr.onHost}`);
      await must(ctx, inCtr.moveOut(file));
    }
  } catch (e) {
    // Only our own empty reservation goes: a file with content is never ours to remove.
    await ctx.exec(cmd('sh', '-c', '[ -s "$1" ] || rm -f -- "$1"', 'unreserve', file));
    if (inCtr) await ctx.exec(inCtr.cleanup);
    throw e;
  }
  const p = await probe(ctx, file);
  if (!p.sha) throw etcdError(ctx, `snapshot ${file} is missing right after etcdctl saved it`);
  const live = inCtr ? liveFirst : await liveVersion(ctx);
  const st = parseStatus(inCtrStatus ?? await must(ctx, statusCommand(ctx, file, snapshotTool(ctx, p, 'status', live) === 'etcdutl')));
  const keyCount = await liveKeyCount(ctx, st.revision);
  const sidecar: SnapshotSidecar = { file: basename(file), sha256: p.sha, revision: st.revision, total_keys: st.total_keys, key_count: keyCount, size: st.size, member, host: ctx.host, time: new Date().toISOString() };
  const result: ModuleResult = { changed: true, commands, remote_path: file, ...sidecar, etcd_version_live: live, version_drift: versionDrift(ctx.vars.etcd_version, live) };
  if (args.fetch === false) return { ...result, msg: `saved ${file} (revision ${st.revision}, ${st.total_keys} keys)` };
  const destDir = resolve(ctx.playbookDir, args.dest ?? 'backups');
  await mkdir(destDir, { recursive: true });
  const local = join(destDir, sidecar.file);
  // Streamed to disk (a snapshot can be gigabytes), into a file created exclusively (0600: it holds every Secret):
  // an existing snapshot of that name is an error, never replaced; a failed copy leaves no partial file.
  const got = await ctx.conn.download(file, local, { become: ctx.become, signal: ctx.signal }).catch((e: Error) => { throw etcdError(ctx, e.message, `the snapshot is still on the host at ${file}`); });
  if (got.sha256 !== p.sha) {
    await unlink(local);
    throw etcdError(ctx, `snapshot ${file} changed in transit: sha256 ${got.sha256} on the controller, ${p.sha} on the host`, 'save it again');
  }
  await writeExclusive(`${local}.json`, `${JSON.stringify(sidecar, null, 2)}\n`).catch((e: Error) => { throw etcdError(ctx, e.message, `the snapshot is still on the host at ${file}`); });
  const removed = await prune(destDir, member, Number(args.keep ?? 5));
  // The controller now holds a verified copy; a snapshot per run left on a control-plane node would fill its disk.
  if (!args.keep_remote) await must(ctx, cmd('rm', '-f', file));
  const where = args.keep_remote ? `fetched it to ${local}` : `moved it to ${local}`;
  return { ...result, path: local, removed, remote_kept: Boolean(args.keep_remote), msg: `saved ${file} (revision ${st.revision}, ${st.total_keys} keys, sha256 ${p.sha}) and ${where}` };
}

/** Keeps the newest `keep` snapshots of this member (by sidecar time); only files with a ringmaster sidecar are touched. */
async function prune(dir: string, member: string, keep: number): Promise<string[]> {
  const sidecars: SnapshotSidecar[] = [];
  for (const f of await readdir(dir)) {
    if (!f.endsWith('.db.json')) continue;
    const s = JSON.parse(await readFile(join(dir, f), 'utf8')) as SnapshotSidecar;
    if (s.member === member && s.file === f.slice(0, -5)) sidecars.push(s);
  }
  sidecars.sort((a, b) => b.time.localeCompare(a.time));
  const removed: string[] = [];
  for (const s of sidecars.slice(keep)) {
    await unlink(join(dir, s.file)).catch(() => undefined);
    await unlink(join(dir, `${s.file}.json`));
    removed.push(join(dir, s.file));
  }
  return removed;
}

/** The controller file against its sidecar: the first check of a restore, before any host is touched. */
async function verify(ctx: ModuleContext, args: EtcdSnapshotArgs): Promise<ModuleResult> {
  if (!args.src) throw etcdError(ctx, 'etcd_snapshot action=verify needs `src` (the controller snapshot file)');
  const local = resolve(ctx.playbookDir, args.src);
  const data = await hashFile(local).catch(() => undefined);
  if (!data) throw etcdError(ctx, `snapshot ${local} not found on the controller`, 'pass the path of a file written by snapshot-save.yml (relative paths are relative to the playbook)');
  const sidecar = await readFile(`${local}.json`, 'utf8').then((t) => JSON.parse(t) as SnapshotSidecar).catch(() => undefined);
  const expected = args.sha256 ?? sidecar?.sha256;
  if (!expected) throw etcdError(ctx, `snapshot ${local} has no sidecar ${local}.json and no sha256 was given`, 'never restore a snapshot whose integrity is unknown: pass sha256 explicitly');
  const actual = data.sha256;
  if (actual !== expected) throw etcdError(ctx, `snapshot ${local} fails its checksum: sha256 ${actual}, expected ${expected}; nothing was changed`, 'the file is damaged or not the snapshot its sidecar describes; use another snapshot');
  return { changed: false, path: local, sha256: actual, size: data.size, revision: sidecar?.revision, total_keys: sidecar?.total_keys, key_count: sidecar?.key_count, member: sidecar?.member, time: sidecar?.time,
    msg: `${basename(local)}: sha256 ${actual} verified${sidecar ? `; revision ${sidecar.revision}, ${sidecar.total_keys} keys, saved from ${sidecar.member} at ${sidecar.time}` : ''}` };
}

async function distribute(ctx: ModuleContext, args: EtcdSnapshotArgs): Promise<ModuleResult> {
  if (!args.src) throw etcdError(ctx, 'etcd_snapshot action=distribute needs `src` (the controller snapshot file)');
  const local = resolve(ctx.playbookDir, args.src);
  const data = await hashFile(local).catch(() => undefined);
  if (!data) throw etcdError(ctx, `snapshot ${local} not found on the controller`);
  const sidecar = await readFile(`${local}.json`, 'utf8').then((t) => JSON.parse(t) as SnapshotSidecar).catch(() => undefined);
  const expected = args.sha256 ?? sidecar?.sha256 ?? data.sha256;
  if (data.sha256 !== expected) throw etcdError(ctx, `snapshot ${local} does not match its checksum: sha256 ${data.sha256}, expected ${expected}`, 'the file is damaged or not the snapshot the sidecar describes; use another snapshot');
  const path = args.path ?? `${(args.remote_dir ?? '/var/lib/etcd-snapshots').replace(/\/+$/, '')}/${basename(local)}`;
  const before = await probe(ctx, path);
  if (before.sha === expected) return { changed: false, path, sha256: expected, msg: `${path} already holds this snapshot (sha256 ${expected})` };
  const mk = cmd('mkdir', '-p', '-m', '0700', dirname(path));
  const commands = [mk.display(), `put ${path} (${data.size} bytes, sha256 ${expected})`, `put ${path}.sha256`];
  if (ctx.check) return { changed: true, path, sha256: expected, commands, msg: `check mode: would copy ${local} to ${path}` };
  await must(ctx, mk);
  // Streamed from the controller file, checked against `expected` on arrival: it may have changed since it was hashed.
  await ctx.conn.upload(local, path, { mode: '0600', become: ctx.become });
  const after = await probe(ctx, path);
  if (after.sha !== expected) throw etcdError(ctx, `snapshot checksum mismatch on arrival at ${path}: ${after.sha ?? 'missing'}, expected ${expected}`, 'check the disk space on the host and distribute again');
  await ctx.conn.put(`${path}.sha256`, `${expected}\n`, { mode: '0600', become: ctx.become });
  return { changed: true, path, sha256: expected, commands, msg: `copied ${basename(local)} to ${path}, sha256 verified` };
}

/** `name=peerURL,…` of the inventory group: the single source every member's restore must share. */
function inventoryCluster(ctx: ModuleContext): string | undefined {
  const groups = ctx.vars.groups as Record<string, string[]> | undefined;
  const hostvars = ctx.vars.hostvars as Record<string, Record<string, unknown>> | undefined;
  const hosts = groups?.etcd ?? [];
  const parts = hosts.map((h) => ({ name: varStr(hostvars?.[h] ?? {}, 'etcd_name', h), url: varStr(hostvars?.[h] ?? {}, 'etcd_peer_url', '') }));
  if (parts.length === 0 || parts.some((p) => !p.url)) return undefined;
  return parts.map((p) => `${p.name}=${p.url}`).join(',');
}

async function expectedSha(ctx: ModuleContext, args: EtcdSnapshotArgs, path: string): Promise<string> {
  if (args.sha256) return args.sha256;
  const r = await ctx.exec(cmd('cat', '--', `${path}.sha256`));
  const sha = r.stdout.trim().split(/\s/)[0];
  if (r.code !== 0 || !/^[0-9a-f]{64}$/.test(sha ?? '')) {
    throw etcdError(ctx, `no expected checksum for ${path}: pass \`sha256\` or distribute it with etcd_snapshot action=distribute (which writes ${path}.sha256)`, 'never restore a snapshot whose integrity is unknown');
  }
  return sha;
}

async function restore(ctx: ModuleContext, args: EtcdSnapshotArgs): Promise<ModuleResult> {
  if (!args.path) throw etcdError(ctx, 'etcd_snapshot action=restore needs `path` (the snapshot on the host)');
  const dataDir = varStr(ctx.vars, 'etcd_data_dir', '/var/lib/etcd').replace(/\/+$/, '');
  const name = varStr(ctx.vars, 'etcd_name', ctx.host);
  const peer = varStr(ctx.vars, 'etcd_peer_url', '');
  const cluster = args.initial_cluster ?? inventoryCluster(ctx);
  if (!peer || !cluster) throw etcdError(ctx, `restore of ${name} needs etcd_peer_url and an initial cluster`, 'set etcd_peer_url/etcd_name for every host of the etcd group, or pass initial_cluster');
  // In check mode the earlier distribute and stop only planned: the file may be absent and etcd may still answer.
  const expected = await expectedSha(ctx, args, args.path);
  const p = await probe(ctx, args.path, dataDir, hostPort(varStr(ctx.vars, 'etcd_client_url', 'https://127.0.0.1:2379')).port);
  if (ctx.check && !p.sha) p.sha = expected;
  if (ctx.check) p.portOpen = false;
  if (!p.sha) throw etcdError(ctx, `snapshot ${args.path} does not exist on ${ctx.host}`, 'distribute it first (etcd_snapshot action=distribute)');
  if (p.sha !== expected) throw etcdError(ctx, `snapshot checksum mismatch for ${args.path}: sha256 ${p.sha}, expected ${expected}`, 'the copy is damaged or another file: distribute the snapshot again; nothing was changed');
  if (p.portOpen) throw etcdError(ctx, `etcd still answers on ${ctx.host}: refusing to restore under a running member`, 'stop it first (etcd_service state=stopped) — on every member, restore restarts the whole cluster');
  const st = evidenceStamp(ctx.vars);
  const fresh = `${dataDir}.restore-${st}`;
  const aside = `${dataDir}.before-restore-${st}`;
  const identity = [`--name=${name}`, `--initial-cluster=${cluster}`, `--initial-cluster-token=${args.initial_cluster_token ?? varStr(ctx.vars, 'etcd_cluster_token', 'etcd-cluster')}`, `--initial-advertise-peer-urls=${peer}`];
  const bumpFor = (etcdutl: boolean, etcdctlVersion?: string) => ((etcdutl || bumpsRevision(etcdctlVersion)) && (args.bump_revision ?? 1000000000) > 0 ? [`--bump-revision=${args.bump_revision ?? 1000000000}`, '--mark-compacted'] : []);
  const via = varStr(ctx.vars, 'etcdctl_via', 'host');
  const flags = [...identity, `--data-dir=${fresh}`];
  // docker: the host has no etcd tools (RKE); a throwaway container from the member's image restores into a fresh folder.
  const inCtr = via === 'docker' ? await containerRestore(ctx, args.path, fresh, identity, bumpFor) : undefined;
  // crictl on a host without etcd tools (most kubeadm nodes): the member image's own tool, mounted for the restore.
  const fromImage = via === 'crictl' && !p.etcdutl && !p.etcdctlVersion ? await imageRestore(ctx, [args.path, ...flags], bumpFor) : undefined;
  // Otherwise the member is stopped here: its tools (and the inventory last) say which version this is.
  const useEtcdutl = (inCtr ?? fromImage)?.useEtcdutl ?? snapshotTool(ctx, p, 'restore') === 'etcdutl';
  const bump = inCtr || fromImage ? [] : bumpFor(useEtcdutl, p.etcdctlVersion);
  // The restore runs on the host itself: with a static pod the etcd container is stopped by now.
  const tool = inCtr?.tool ?? fromImage?.tool ?? (useEtcdutl ? cmd('etcdutl', 'snapshot', 'restore', args.path, ...flags, ...bump) : cmd('env', 'ETCDCTL_API=3', 'etcdctl', 'snapshot', 'restore', args.path, ...flags, ...bump));
  const restored = inCtr?.restored ?? fresh;
  // Neither rename may replace anything: the data dir kept aside is the evidence of what was there before.
  const moveIn = cmd(...moveExclusive(restored, dataDir).parts, ...(inCtr ? [raw('&&'), 'rmdir', '--', fresh] : []));
  const swap = p.other ? cmd(...moveExclusive(dataDir, aside).parts, raw('&&'), ...moveIn.parts) : moveIn;
  const bumped = inCtr || fromImage ? tool.display().includes('--bump-revision=') : bump.length > 0;
  const commands = [tool.display(), swap.display()];
  const result: ModuleResult = { changed: true, commands, data_dir: dataDir, initial_cluster: cluster, initial_cluster_token: identity[2].slice('--initial-cluster-token='.length), previous_data_dir: p.other ? aside : undefined, sha256: expected, tool: useEtcdutl ? 'etcdutl' : 'etcdctl', bumped };
  if (ctx.check) return { ...result, msg: `check mode: would restore ${args.path} into ${fresh} and swap it in${p.other ? `, keeping the old data dir at ${aside}` : ''}` };
  await must(ctx, tool, `the half-restored directory ${fresh} is left for inspection; ${dataDir} is untouched`);
  await must(ctx, swap, `the restored data is in ${fresh}`);
  return { ...result, msg: `restored ${name} from ${args.path} into ${dataDir}${p.other ? `; the previous data dir is kept at ${aside}` : ''}` };
}

async function status(ctx: ModuleContext, args: EtcdSnapshotArgs): Promise<ModuleResult> {
  if (!args.path) throw etcdError(ctx, 'etcd_snapshot action=status needs `path`');
  const p = await probe(ctx, args.path);
  if (!p.sha) throw etcdError(ctx, `snapshot ${args.path} does not exist on ${ctx.host}`);
  const out = await must(ctx, statusCommand(ctx, args.path, snapshotTool(ctx, p, 'status') === 'etcdutl'), 'the file may be truncated or not an etcd snapshot');
  const st = parseStatus(out);
  return { changed: false, path: args.path, sha256: p.sha, ...st, msg: `${args.path}: revision ${st.revision}, ${st.total_keys} keys, ${st.size} bytes` };
}
