// etcd_manifest for the docker flavour: the etcd container re-created from `docker inspect` with only the changed
// flags (and image tag, when the version differs); every other option kept, the old container kept as the previous version.
import { cmd, type Command } from '../connection/command.js';
import { containerFlags, createArgs, definitionText, editCommand, type ContainerDef } from '../etcd/container.js';
import { newestVersion, tagVersion } from '../etcd/versions.js';
import type { EtcdManifestArgs } from '../generated/schema-types.js';
import type { ModuleContext, ModuleResult } from './define.js';
import { containerWhere, readContainer } from './etcd-container.js';
import { etcdError } from './etcd-common.js';
import { evidenceStamp } from './evidence.js';
import { joinEdits, joinImage, requestedEdits } from './join-edits.js';
import { startChecks } from './start-checks.js';

/** The container after the edits `args` ask for (render: the join edits; edit: `set`/`remove` and the named ones). */
function edited(ctx: ModuleContext, args: EtcdManifestArgs, def: ContainerDef, liveFloor: string | undefined): ContainerDef {
  const held = tagVersion(def.image);
  if (args.mode === 'edit') {
    const e = requestedEdits(args);
    return { ...def, command: editCommand(def, e.set, e.remove) };
  }
  const j = joinEdits(ctx, args, containerFlags(def), held, newestVersion(liveFloor, held));
  const image = joinImage(j, def.image.replace(/:[^:/]+$/, ''), held) ?? def.image;
  return { ...def, image, command: editCommand(def, j.edits.set, j.edits.remove) };
}

/**
 * Re-creates `etcd_container`: stop it if it runs, keep it under a new name with `--restart=no` (so no daemon restart
 * ever starts two etcds on one data dir), create the new one with the same name, image, mounts, environment, labels,
 * network and restart policy, and start it only if the old one was running (a stopped member stays stopped: etcd_service
 * starts it). A failed create puts the old container back as it was.
 */
export async function recreateContainer(ctx: ModuleContext, args: EtcdManifestArgs, liveFloor: string | undefined): Promise<ModuleResult> {
  const where = containerWhere(ctx);
  const def = await readContainer(ctx);
  if (!def) {
    throw etcdError(ctx, `${where} does not exist: there is no container to re-create with the new flags`,
      'create it the way your installer does (RKE: rke up), or render a docker-run script with etcd_manifest src=templates/etcd-docker-run.sh.hbs dest=… and run it');
  }
  const after = edited(ctx, args, def, liveFloor);
  const before = definitionText(def);
  const text = definitionText(after);
  const warning = startChecks(ctx, where, containerFlags(after), text, tagVersion(after.image), liveFloor);
  const w = warning ? { warnings: [warning] } : {};
  if (text === before) return { changed: false, dest: where, ...w, msg: `${where} already has these flags${warning ? `; warning: ${warning}` : ''}` };
  const kept = `${def.name}-ringmaster-${evidenceStamp(ctx.vars)}`;
  const steps: Command[] = [
    ...(def.running ? [cmd('docker', 'stop', '-t', '30', def.name)] : []),
    cmd('docker', 'update', '--restart=no', def.name),
    cmd('docker', 'rename', def.name, kept),
    cmd('docker', ...createArgs(after, after.command)),
    ...(def.running ? [cmd('docker', 'start', def.name)] : []),
  ];
  const result: ModuleResult = { changed: true, dest: where, previous_container: kept, commands: steps.map((c) => c.display()), ...w };
  if (ctx.diff) result.diff = [{ path: where, before, after: text }];
  const how = `${where} re-created with the new flags (image ${after.image}${def.running ? ', started' : ', not started: it was stopped'}); the previous container is kept, stopped with --restart=no, as ${kept} (docker rm ${kept} once the member is healthy)`;
  if (ctx.check) return { ...result, msg: `check mode: would re-create ${where} with the new flags (image ${after.image}) and keep the previous container as ${kept}` };
  for (const [i, step] of steps.entries()) {
    const r = await ctx.exec(step, { timeoutMs: 90_000 });
    if (r.code === 0) continue;
    const failed = `${step.display()} failed: ${r.stderr.trim() || `exit code ${r.code}`}`;
    // Before the rename nothing moved; after it, the old container goes back under its name with its policy.
    if (i >= steps.findIndex((s) => s.display().startsWith('docker rename')) && !step.display().startsWith('docker start')) {
      const back = await ctx.exec(cmd('sh', '-c', 'docker rm "$1" >/dev/null 2>&1; docker rename "$2" "$1" && docker update --restart="$3" "$1" >/dev/null', 'restore', def.name, kept, def.restart));
      throw etcdError(ctx, `${failed}; ${back.code === 0 ? `the previous container is back as ${def.name}${def.running ? ' (stopped: start it with docker start)' : ''}` : `and putting ${kept} back as ${def.name} failed too: ${back.stderr.trim()}`}`, 'check docker ps -a and the daemon log');
    }
    const stopped = def.running && i > 0 ? `; ${def.name} was stopped first and is still stopped (docker start ${def.name})` : '';
    throw etcdError(ctx, `${failed}${stopped}`, step.display().startsWith('docker start') ? `the new container exists (docker logs ${def.name}); the previous one is ${kept}` : 'nothing else was changed');
  }
  return { ...result, msg: how };
}
