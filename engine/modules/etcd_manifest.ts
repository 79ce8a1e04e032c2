// `etcd_manifest`: renders or edits the etcd manifest/unit, written atomically from outside manifests/ with the old version kept aside.
import { basename, dirname } from 'node:path';
import { cmd, raw } from '../connection/command.js';
import { editFlags, identityProblems, readFlags } from '../etcd/manifest.js';
import { experimentalFlagsIn } from '../etcd/experimental-flags.js';
import { experimentalProblem, imageVersion, newestVersion, nextMinorFindings, versionDrift } from '../etcd/versions.js';
import { etcdEndpointStatus } from '../facts/etcd-endpoint-status.js';
import type { EtcdManifestArgs } from '../generated/schema-types.js';
import { defineModule, type ModuleContext, type ModuleResult } from './define.js';
import { etcdError, readFact, varStr } from './etcd-common.js';
import { copyExclusive, evidenceStamp } from './evidence.js';
import { manifestInputProblems, renderManifestFile, templatePath } from './manifest-template.js';

/** Where each flavour keeps the file that starts etcd (the survivor's version guard reads the same file). */
export const DESTS: Record<string, string> = { 'static-pod': '/etc/kubernetes/manifests/etcd.yaml', docker: '/etc/kubernetes/ringmaster/etcd-docker-run.sh', systemd: '/etc/systemd/system/etcd.service' };

export const etcdManifestModule = defineModule<EtcdManifestArgs>({
  name: 'etcd_manifest',
  description: 'Render the etcd static-pod manifest (or docker-run script / systemd unit) from a template, or edit its flags in place; written atomically from outside the manifests folder, the previous version kept outside it.',
  schema: 'modules/etcd_manifest.json',
  supportsCheckMode: true,
  idempotent: true,
  example: `- name: Write node3's manifest to join the running cluster
  etcd_manifest:
    mode: render
    initial_cluster: "{{ joined.initial_cluster }}"
    initial_cluster_state: existing
`,
  async run(ctx, args) {
    const { flavor, dest } = manifestPlace(ctx, args);
    const backupDir = (args.backup_dir ?? '/etc/kubernetes/ringmaster').replace(/\/+$/, '');
    if (dest.endsWith('.yaml') && (backupDir === dirname(dest) || `${backupDir}/`.startsWith(`${dirname(dest)}/`))) {
      throw etcdError(ctx, `backup_dir ${backupDir} is inside ${dirname(dest)}`, 'the kubelet runs every file in the manifests folder: keep backups elsewhere');
    }
    const before = await readRemote(ctx, dest);
    if (args.mode === 'audit') return audit(ctx, dest, before, args.version);
    const floor = await versionFloor(ctx, before);
    let after: string;
    if ((args.mode ?? 'render') === 'render') {
      after = await render(ctx, args, flavor, floor);
    } else {
      if (before === undefined) throw etcdError(ctx, `cannot edit ${dest}: it does not exist`, 'render it first (etcd_manifest mode=render)');
      after = editFlags(before, edits(args), dest).text;
    }
    let warning: string | undefined;
    if (dest.endsWith('.yaml') || dest.endsWith('.yml')) {
      const problems = identityProblems(readFlags(after, dest));
      if (problems.length > 0) throw etcdError(ctx, `refusing to write ${dest}: ${problems.join('; ')}`, 'etcd would refuse to start; fix initial_cluster / etcd_name / etcd_peer_url');
      const exp = experimentalProblem(readFlags(after, dest), newestVersion(varStr(ctx.vars, 'etcd_version', ''), floor, imageVersion(after)));
      if (exp?.refuse) throw etcdError(ctx, `refusing to write ${dest}: ${exp.text}`, 'write the 3.6+ spelling named above instead (etcd_manifest mode=edit with set/remove), or remove them');
      if (exp) warning = exp.text;
    }
    const w = warning ? { warnings: [warning] } : {};
    if (before === after) return { changed: false, dest, ...w, msg: `${dest} already up to date${warning ? `; warning: ${warning}` : ''}` };
    const r = await write(ctx, dest, backupDir, before, after);
    return warning ? { ...r, ...w, msg: `${r.msg}; warning: ${warning}` } : r;
  },
});

/**
 * mode=audit (health.yml): what the next start of this member, or the next minor release, would trip over, as
 * `risk: …` / `problem: …` lines like health.yml's other manifest findings; reads, never writes. The member starts
 * next as the newer of the version it runs and the image its file names (a manifest edited for 3.7 starts 3.7).
 */
function audit(ctx: ModuleContext, dest: string, text: string | undefined, live: string | undefined): ModuleResult {
  const running = live || undefined;
  const drift = versionDrift(ctx.vars.etcd_version, running);
  const findings = [
    ...(text === undefined ? [] : nextMinorFindings(experimentalFlagsIn(text), newestVersion(running, imageVersion(text)), dest)),
    // What the inventory says is what rendered manifests get: a stale etcd_version renders an older image.
    ...(drift ? [`risk: ${ctx.host}: ${drift}: set etcd_version to ${running} in the inventory (or remove it: the live members then decide)`] : []),
  ];
  return { changed: false, dest, findings, msg: findings.length > 0 ? findings.join('; ') : `${dest}: nothing the next start or etcd minor would refuse` };
}

/** The host's flavour and the file its member's definition lives in. */
export function manifestPlace(ctx: ModuleContext, args: EtcdManifestArgs): { flavor: string; dest: string } {
  const flavor = varStr(ctx.vars, 'etcd_flavor', 'static-pod');
  return { flavor, dest: args.dest ?? varStr(ctx.vars, 'etcd_manifest', DESTS[flavor] ?? DESTS['static-pod']) };
}

/**
 * The oldest version a render may pick: a member older than the cluster version is refused ("incompatible with
 * current running cluster"). Without etcd_version the live members say; the image the file had is a floor in any
 * case. An explicit `etcd_version` or `etcd_image` older than the cluster is not overruled here: etcd_version_guard
 * refuses it before the member is added.
 */
export async function versionFloor(ctx: ModuleContext, before: string | undefined): Promise<string | undefined> {
  const live = varStr(ctx.vars, 'etcd_version', '') ? undefined : await liveClusterVersion(ctx);
  return newestVersion(live, before === undefined ? undefined : imageVersion(before));
}

function edits(args: EtcdManifestArgs): { set: Record<string, string>; remove: string[] } {
  const set: Record<string, string> = { ...(args.set ?? {}) };
  const remove = [...(args.remove ?? [])];
  if (args.initial_cluster_state) set['initial-cluster-state'] = args.initial_cluster_state;
  if (args.initial_cluster) set['initial-cluster'] = args.initial_cluster;
  if (args.force_new_cluster === true) set['force-new-cluster'] = 'true';
  if (args.force_new_cluster === false) remove.push('force-new-cluster');
  return { set, remove };
}

/** The newest server version the inventory's members report (undefined when none answers). */
async function liveClusterVersion(ctx: ModuleContext): Promise<string | undefined> {
  const hostvars = ctx.vars.hostvars as Record<string, Record<string, unknown>> | undefined;
  const groups = ctx.vars.groups as Record<string, string[]> | undefined;
  const urls = (groups?.etcd ?? []).map((h) => varStr(hostvars?.[h] ?? {}, 'etcd_client_url', '')).filter(Boolean);
  const st = await readFact(ctx, etcdEndpointStatus, urls.length ? urls : undefined).catch(() => []);
  return newestVersion(...st.map((x) => x.version));
}

export async function render(ctx: ModuleContext, args: EtcdManifestArgs, flavor: string, floor?: string): Promise<string> {
  const problems = manifestInputProblems(ctx.vars);
  if (problems.length > 0) throw etcdError(ctx, `etcd_manifest: ${problems.join('; ')}`, 'define it in the inventory for every etcd host');
  const t = templatePath(args.src, flavor, ctx.playbookDir);
  if (!t.path) throw etcdError(ctx, `template ${t.src} not found (looked at ${t.candidates.join(', ')})`);
  return renderManifestFile(t.path, ctx.vars, ctx.host, args, floor, { task: ctx.taskName, host: ctx.host });
}

/** The file's text, or undefined when it does not exist (exit 3 means absent; anything else is an error). */
export async function readRemote(ctx: ModuleContext, path: string): Promise<string | undefined> {
  const r = await ctx.exec(cmd('sh', '-c', 'if [ -e "$1" ]; then cat -- "$1"; else exit 3; fi', 'read', path));
  if (r.code === 3) return undefined;
  if (r.code !== 0) throw etcdError(ctx, `cannot read ${path}: ${r.stderr.trim() || `exit code ${r.code}`}`);
  return r.stdout;
}

/** Stage outside the manifests folder, keep the old file aside, then one rename into place (what the kubelet sees is whole). */
async function write(ctx: ModuleContext, dest: string, backupDir: string, before: string | undefined, after: string): Promise<ModuleResult> {
  const name = basename(dest);
  const staged = `${backupDir}/.${name}.ringmaster-new`;
  // Run ID + millisecond, created exclusively: a kept version is never replaced by a later (or concurrent) one.
  const backup = before === undefined ? undefined : `${backupDir}/${name}.${evidenceStamp(ctx.vars)}`;
  const mkdir = cmd('mkdir', '-p', '-m', '0700', backupDir);
  const swap = backup
    ? cmd(...copyExclusive(dest, backup).parts, raw('&&'), 'mv', '-f', '--', staged, dest)
    : cmd('mkdir', '-p', dirname(dest), raw('&&'), 'mv', '-f', '--', staged, dest);
  const commands = [mkdir.display(), `put ${staged} (${Buffer.byteLength(after)} bytes)`, swap.display()];
  const result: ModuleResult = { changed: true, dest, commands, backup_file: backup };
  if (ctx.diff) result.diff = [{ path: dest, before: before ?? '', after }];
  if (ctx.check) return { ...result, msg: `check mode: would write ${dest}${backup ? ` (previous version to ${backup})` : ''}` };
  for (const step of [mkdir]) {
    const r = await ctx.exec(step);
    if (r.code !== 0) throw etcdError(ctx, `${step.display()} failed: ${r.stderr.trim()}`);
  }
  await ctx.conn.put(staged, after, { mode: '0600', become: ctx.become });
  const r = await ctx.exec(swap);
  if (r.code !== 0) throw etcdError(ctx, `${swap.display()} failed: ${r.stderr.trim() || `exit code ${r.code}`}`, `the new file is staged at ${staged}`);
  return { ...result, msg: `wrote ${dest}${backup ? `; previous version kept at ${backup}` : ''}` };
}
