// `etcd_manifest`: renders or edits the etcd manifest/unit, written atomically from outside manifests/ with the old version kept aside.
import { basename, dirname } from 'node:path';
import { cmd, raw } from '../connection/command.js';
import { isEnvFile } from '../etcd/env-file.js';
import { FLAG_FILES } from '../etcd/host-defaults.js';
import { containerFlags, definitionText } from '../etcd/container.js';
import { editFlags, readFlags, setImage, type Flags } from '../etcd/manifest.js';
import { experimentalFlagsIn } from '../etcd/experimental-flags.js';
import { REMOVED_IN_36, removedFlagFindings, removedFlagsIn } from '../etcd/removed-flags.js';
import { imageVersion, newestVersion, nextMinorFindings, versionDrift } from '../etcd/versions.js';
import { etcdEndpointStatus } from '../facts/etcd-endpoint-status.js';
import type { EtcdManifestArgs } from '../generated/schema-types.js';
import { defineModule, type ModuleContext, type ModuleResult } from './define.js';
import { etcdError, readFact, varStr } from './etcd-common.js';
import { copyExclusive, evidenceStamp, moveExclusive } from './evidence.js';
import { containerWhere, readContainer } from './etcd-container.js';
import { heldManifest } from '../etcd/manifest-paths.js';
import { recreateContainer } from './container-recreate.js';
import { startChecks } from './start-checks.js';
import { joinEdits, joinImage, requestedEdits } from './join-edits.js';
import { manifestInputProblems, renderManifestFile, templatePath } from './manifest-template.js';

/** Where each flavour keeps the file that starts etcd (the survivor's version guard reads the same file). */
export const DESTS = FLAG_FILES;

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
    if (args.mode === 'audit') return audit(ctx, args, flavor, dest);
    // RKE keeps etcd's flags in the container alone: without a template or a file to write, it is re-created.
    if (flavor === 'docker' && !args.src && !args.dest) return recreateContainer(ctx, args, await versionFloor(ctx, undefined));
    const before = await readRemote(ctx, dest);
    const floor = await versionFloor(ctx, before);
    let after: string;
    let heldCopy: string | undefined;
    if ((args.mode ?? 'render') === 'render') {
      // Without an explicit `src`, a static pod's manifest (or the copy held while the member is stopped) is edited,
      // and so is kubespray's /etc/etcd.env (its unit only names the file): never replaced by a rendered unit.
      const editable = !args.src && (flavor === 'static-pod' || isEnvFile(dest));
      const held = editable && flavor === 'static-pod' && before === undefined ? await heldBase(ctx, args) : undefined;
      const base = editable ? before ?? held?.text : undefined;
      if (base !== undefined) {
        heldCopy = before === undefined ? held?.path : undefined;
        // Errors name the file that was read: the held copy when the manifest itself is absent.
        after = rejoinEdit(ctx, args, base, floor, heldCopy ?? dest);
      } else {
        after = await render(ctx, args, flavor, floor);
      }
    } else {
      if (before === undefined) throw etcdError(ctx, `cannot edit ${dest}: it does not exist`, 'render it first (etcd_manifest mode=render)');
      after = editFlags(before, requestedEdits(args), dest).text;
    }
    const warning = dest.endsWith('.yaml') || dest.endsWith('.yml') || isEnvFile(dest)
      ? startChecks(ctx, dest, readFlags(after, dest), after, imageVersion(after), floor) : undefined;
    const w = warning ? { warnings: [warning] } : {};
    if (before === after) return { changed: false, dest, ...w, msg: `${dest} already up to date${warning ? `; warning: ${warning}` : ''}` };
    const r = await write(ctx, dest, backupDir, before, after, heldCopy);
    return warning ? { ...r, ...w, msg: `${r.msg}; warning: ${warning}` } : r;
  },
});

/**
 * mode=audit (health.yml): what the next start of this member, or the next minor release, would trip over, as
 * `risk: …` / `problem: …` lines; reads, never writes. The member starts next as the newer of the version it runs and
 * the image its definition names (a manifest edited for 3.7 starts 3.7). The definition is the flavour's file, or for
 * the docker flavour the container itself (RKE keeps etcd's flags nowhere else).
 */
async function audit(ctx: ModuleContext, args: EtcdManifestArgs, flavor: string, dest: string): Promise<ModuleResult> {
  const container = flavor === 'docker' && !args.dest && !args.src;
  const def = container ? await readContainer(ctx) : undefined;
  const where = container ? containerWhere(ctx) : dest;
  const text = container ? (def ? definitionText(def) : undefined) : await readRemote(ctx, dest);
  const running = args.version || undefined;
  const drift = versionDrift(ctx.vars.etcd_version, running);
  // What the inventory says is what rendered manifests get: a stale etcd_version renders an older image.
  const driftFinding = drift ? [`risk: ${ctx.host}: ${drift}: set etcd_version to ${running} in the inventory (or remove it: the live members then decide)`] : [];
  if (text === undefined) {
    const findings = [`no manifest at ${where}: etcd does not run on this host`, ...driftFinding];
    return { changed: false, dest: where, findings, msg: findings.join('; ') };
  }
  const flags = def ? containerFlags(def) : auditFlags(text, dest);
  const configFile = flags.get('config-file');
  if (configFile !== undefined) {
    // etcd ignores every other flag then: findings about them would describe a member that does not exist.
    const findings = [`risk: ${where}: etcd takes its flags from --config-file=${configFile} (RKE2, k3s) and ignores its other command-line flags: that file is not audited`, ...driftFinding];
    return { changed: false, dest: where, findings, msg: findings.join('; ') };
  }
  const starts = newestVersion(running, imageVersion(text));
  const dataDir = varStr(ctx.vars, 'etcd_data_dir', '/var/lib/etcd').replace(/\/+$/, '');
  const state = flags.get('initial-cluster-state');
  const hasData = state !== 'existing' && (await ctx.exec(cmd('test', '-d', `${dataDir}/member`))).code === 0;
  const ic = `,${String(flags.get('initial-cluster') ?? '')},`;
  const live = (args.live_members ?? []).filter((m) => m.name && m.peer_urls[0]).map((m) => `${m.name}=${m.peer_urls[0]}`);
  const findings = [
    ...(hasData ? [`risk: ${where} says --initial-cluster-state=${state === true ? '' : state ?? 'new'} but ${dataDir} has data: set it to existing (a member that restarts after losing its data would otherwise try to bootstrap a new cluster)`] : []),
    ...(flags.has('force-new-cluster') ? [`problem: ${where} still has --force-new-cluster: remove it, or every restart turns this member into a one-member cluster`] : []),
    // Only a bootstrap reads --initial-cluster (etcd ignores it once the member has data): with state new a member that
    // lost its data would found a cluster without these peers (a cluster-ID split); with existing it would refuse to
    // start instead, and kubeadm's joined members list only the peers of their join, so that is no finding.
    ...(state === 'existing' ? [] : live.filter((p) => !ic.includes(`,${p},`)).map((p) => `problem: ${where}: --initial-cluster lacks the live member ${p} (with --initial-cluster-state=${state === true ? '' : state ?? 'new'}, a restart without data would bootstrap a cluster without it)`)),
    ...removedFlagFindings(removedFlagsIn(text), starts, where),
    ...nextMinorFindings(experimentalFlagsIn(text).filter(([f]) => !REMOVED_IN_36.includes(f)), starts, where),
    ...driftFinding,
  ];
  return { changed: false, dest: where, findings, msg: findings.length > 0 ? findings.join('; ') : `${where}: nothing the next start or etcd minor would refuse` };
}

/** Flags of a manifest or etcd.env as the editor reads them; of any other file (a docker-run script, a unit), every `--flag[=value]` word. */
function auditFlags(text: string, file: string): Flags {
  if (file.endsWith('.yaml') || file.endsWith('.yml') || isEnvFile(file)) return readFlags(text, file);
  const flags: Flags = new Map();
  for (const m of text.matchAll(/(?:^|[\s'"])--([a-z][a-z0-9-]*)(?:=([^\s'"\\]*))?/g)) flags.set(m[1], m[2] === undefined ? true : m[2]);
  return flags;
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

/** The manifest etcd_service held aside when it stopped this member, when there is one. */
async function heldBase(ctx: ModuleContext, args: EtcdManifestArgs): Promise<{ path: string; text: string } | undefined> {
  const path = heldManifest(ctx.vars, args.holding_dir);
  const text = await readRemote(ctx, path);
  return text === undefined ? undefined : { path, text };
}

/**
 * A rejoining member's manifest from its held copy: the flags a render would set for the join, everything else
 * (kubeadm extraArgs, patches, local edits) kept; the image changes only when its version differs from the one a
 * render writes (then to that tag, in the file's registry), so the version etcd_version_guard checked is the one written.
 */
function rejoinEdit(ctx: ModuleContext, args: EtcdManifestArgs, held: string, floor: string | undefined, source: string): string {
  const j = joinEdits(ctx, args, readFlags(held, source), imageVersion(held), floor);
  const text = editFlags(held, j.edits, source).text;
  // etcd.env names no image: the unit runs the host's binary (etcd_version_guard checks that one).
  if (isEnvFile(source)) return text;
  const repo = /^\s*image:\s*["']?([^\s"']+):[^\s"':/]+["']?\s*$/m.exec(held)?.[1];
  const image = joinImage(j, repo, imageVersion(held));
  return image === undefined ? text : setImage(text, image, source);
}

/** The file's text, or undefined when it does not exist (exit 3 means absent; anything else is an error). */
export async function readRemote(ctx: ModuleContext, path: string): Promise<string | undefined> {
  const r = await ctx.exec(cmd('sh', '-c', 'if [ -e "$1" ]; then cat -- "$1"; else exit 3; fi', 'read', path));
  if (r.code === 3) return undefined;
  if (r.code !== 0) throw etcdError(ctx, `cannot read ${path}: ${r.stderr.trim() || `exit code ${r.code}`}`);
  return r.stdout;
}

/** Stage outside the manifests folder, keep the old file aside, then one rename into place (what the kubelet sees is whole). */
async function write(ctx: ModuleContext, dest: string, backupDir: string, before: string | undefined, after: string, heldCopy?: string): Promise<ModuleResult> {
  const name = basename(dest);
  const staged = `${backupDir}/.${name}.ringmaster-new`;
  // Run ID + millisecond, created exclusively: a kept version is never replaced by a later (or concurrent) one.
  const backup = before !== undefined || heldCopy ? `${backupDir}/${name}.${evidenceStamp(ctx.vars)}` : undefined;
  const mkdir = cmd('mkdir', '-p', '-m', '0700', backupDir);
  // A held copy that was edited becomes the kept previous version, so no stale held manifest is left behind.
  const swap = before !== undefined && backup
    ? cmd(...copyExclusive(dest, backup).parts, raw('&&'), 'mv', '-f', '--', staged, dest)
    : heldCopy && backup
      ? cmd('mkdir', '-p', dirname(dest), raw('&&'), 'mv', '-f', '--', staged, dest, raw('&&'), ...moveExclusive(heldCopy, backup).parts)
      : cmd('mkdir', '-p', dirname(dest), raw('&&'), 'mv', '-f', '--', staged, dest);
  // systemd reads a changed unit only after daemon-reload (an EnvironmentFile= is read at each start).
  const reload = dest.endsWith('.service') ? cmd('systemctl', 'daemon-reload') : undefined;
  const commands = [mkdir.display(), `put ${staged} (${Buffer.byteLength(after)} bytes)`, swap.display(), ...(reload ? [reload.display()] : [])];
  const result: ModuleResult = { changed: true, dest, commands, backup_file: backup };
  if (ctx.diff) result.diff = [{ path: dest, before: before ?? '', after }];
  if (ctx.check) return { ...result, msg: `check mode: would write ${dest}${heldCopy ? ` from the held copy ${heldCopy}` : ''}${backup ? ` (previous version to ${backup})` : ''}` };
  for (const step of [mkdir]) {
    const r = await ctx.exec(step);
    if (r.code !== 0) throw etcdError(ctx, `${step.display()} failed: ${r.stderr.trim()}`);
  }
  await ctx.conn.put(staged, after, { mode: '0600', become: ctx.become });
  const r = await ctx.exec(swap);
  if (r.code !== 0) {
    const where = heldCopy ? `check ${dest} (it may already be the new file) and ${heldCopy} (the held copy, kept when it could not be moved to ${backup})` : `the new file is staged at ${staged}`;
    throw etcdError(ctx, `${swap.display()} failed: ${r.stderr.trim() || `exit code ${r.code}`}`, where);
  }
  if (reload) {
    const rr = await ctx.exec(reload);
    if (rr.code !== 0) throw etcdError(ctx, `wrote ${dest}, but systemctl daemon-reload failed: ${rr.stderr.trim() || `exit code ${rr.code}`}`, 'run `systemctl daemon-reload` on the host before starting etcd: systemd still has the old unit');
  }
  const how = heldCopy ? ` from the held copy ${heldCopy} (its other flags and edits kept)` : '';
  return { ...result, msg: `wrote ${dest}${how}${backup ? `; previous version kept at ${backup}` : ''}` };
}
