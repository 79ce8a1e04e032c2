// Reading the docker flavour's etcd container on a host (`docker inspect`), for the modules that need its definition.
import { cmd } from '../connection/command.js';
import { parseInspect, type ContainerDef } from '../etcd/container.js';
import { parseCriInspect } from '../etcd/cri-container.js';
import { crictlArgv, crictlFind, etcdctlSettings } from '../etcd/etcdctl.js';
import { shellQuote } from '../connection/command.js';
import type { ModuleContext } from './define.js';
import { etcdError, varStr } from './etcd-common.js';

/** The host's `etcd_container` (default `etcd`). */
export function containerName(ctx: ModuleContext): string {
  return varStr(ctx.vars, 'etcd_container', 'etcd');
}

/** How the container is named in messages: `container etcd on node1`. */
export function containerWhere(ctx: ModuleContext): string {
  return `container ${containerName(ctx)} on ${ctx.host}`;
}

/** `docker inspect` of the etcd container, or undefined when there is no such container (exit 3). */
export async function readContainer(ctx: ModuleContext): Promise<ContainerDef | undefined> {
  const name = containerName(ctx);
  const r = await ctx.exec(cmd('sh', '-c', 'out=$(docker inspect --type container -- "$1" 2>&1) || { case "$out" in *"No such"*) exit 3;; esac; echo "$out" >&2; exit 1; }; printf "%s\\n" "$out"', 'inspect', name));
  if (r.code === 3) return undefined;
  if (r.code !== 0) throw etcdError(ctx, `docker inspect ${name} failed on ${ctx.host}: ${r.stderr.trim() || `exit code ${r.code}`}`, 'check that dockerd runs and that this user may use it (become: true)');
  return parseInspect(r.stdout, containerWhere(ctx));
}

/**
 * `crictl inspect` of the running etcd container (kubelet's labels, as runbook 001 finds it), or undefined when none
 * runs (exit 3): a kubeadm member's command and mounts as the runtime has them.
 */
export async function readCriContainer(ctx: ModuleContext): Promise<ContainerDef | undefined> {
  const s = etcdctlSettings(ctx.vars);
  const crictl = crictlArgv(s);
  const r = await ctx.exec(cmd('sh', '-c', `id=$(${crictlFind(s.container, crictl)}) || exit 1; [ -n "$id" ] || exit 3; exec ${crictl.map(shellQuote).join(' ')} inspect -o json "$id"`, 'inspect'));
  if (r.code === 3) return undefined;
  if (r.code !== 0) throw etcdError(ctx, `crictl inspect of the etcd container failed on ${ctx.host}: ${r.stderr.trim() || `exit code ${r.code}`}`, 'check that containerd runs, that crictl reaches it (crictl_config) and that this user may use it (become: true)');
  return parseCriInspect(r.stdout, `the etcd container (crictl) on ${ctx.host}`);
}
