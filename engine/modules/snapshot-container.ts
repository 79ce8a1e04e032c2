// Saving a snapshot through the member's etcd container (docker: RKE's; crictl: kubeadm's static pod): etcdctl inside
// it can write only where the container sees, so the snapshot goes into the data dir's bind mount, is checked there
// with the image's own tools, then moved out on the host (RKE's and kubeadm's hosts need no etcdctl or etcdutl).
import { cmd, raw, type Command } from '../connection/command.js';
import { dirname, basename } from 'node:path';
import { containerFlags, hostPathOf } from '../etcd/container.js';
import { tagVersion } from '../etcd/versions.js';
import type { ModuleContext } from './define.js';
import { crictlExec, etcdctlSettings } from '../etcd/etcdctl.js';
import { containerName, containerWhere, readContainer, readCriContainer } from './etcd-container.js';
import { atLeast, etcdctlCommand, etcdError, varStr, versionOf } from './etcd-common.js';

/** Where the snapshot is written inside the container, the same file seen from the host, and the status command. */
export interface ContainerSnapshot {
  inContainer: string;
  onHost: string;
  /** `snapshot status` inside the container: etcdutl from 3.5 (etcdctl has none from 3.6), etcdctl for 3.4. */
  status: Command;
  /** Moves the checked file onto the reserved name (only while the reservation is still empty), 0600. */
  moveOut: (dest: string) => Command;
  /** Removes what is left in the data dir after a failure (the snapshot and etcdctl's `.part`). */
  cleanup: Command;
}

/**
 * Plans the save through the member's container (`etcdctl_via` docker: `etcd_container`; crictl: the running container
 * kubelet labels `io.kubernetes.container.name=<etcd_container>`); refuses, naming why, when the container or its
 * data mount is missing.
 */
export async function containerSnapshot(ctx: ModuleContext, stamp: string, version: string | undefined): Promise<ContainerSnapshot> {
  const cri = varStr(ctx.vars, 'etcdctl_via', 'host') === 'crictl';
  const where = cri ? `the running etcd container (crictl) on ${ctx.host}` : containerWhere(ctx);
  const def = cri ? await readCriContainer(ctx) : await readContainer(ctx);
  if (!def) throw etcdError(ctx, `${where} does not exist: nothing to save a snapshot from`, cri ? 'check that the etcd static pod runs (crictl ps -a --label io.kubernetes.container.name=etcd)' : 'check etcd_container in the inventory (docker ps -a)');
  const dataDir = containerFlags(def).get('data-dir');
  const host = typeof dataDir === 'string' ? hostPathOf(def, dataDir) : undefined;
  if (typeof dataDir !== 'string' || !host) {
    throw etcdError(ctx, `${where}: ${typeof dataDir === 'string' ? `its --data-dir ${dataDir} is not a bind mount` : 'its command has no --data-dir'}, so a snapshot written inside it would not reach the host`,
      cri ? 'mount the data dir from the host (kubeadm: the etcd-data hostPath volume)' : 'mount the data dir from the host (RKE: -v /var/lib/etcd:/var/lib/rancher/etcd/)');
  }
  const name = `ringmaster-snapshot-${stamp}.db`;
  const inContainer = `${dataDir.replace(/\/+$/, '')}/${name}`;
  const onHost = `${host.replace(/\/+$/, '')}/${name}`;
  const utl = version === undefined || atLeast(versionOf(version), 3, 5);
  const utlStatus = ['etcdutl', 'snapshot', 'status', inContainer, '-w', 'json'];
  return {
    inContainer, onHost,
    status: !utl ? etcdctlCommand(ctx, undefined, 'snapshot', 'status', inContainer, '-w', 'json')
      : cri ? crictlExec(etcdctlSettings(ctx.vars), ...utlStatus) : cmd('docker', 'exec', containerName(ctx), ...utlStatus),
    moveOut: (dest) => cmd('sh', '-c', '[ ! -s "$2" ] || { echo "$2 is not the empty file reserved for this snapshot" >&2; exit 1; }; chmod 600 -- "$1" && mv -f -- "$1" "$2"', 'move-out', onHost, dest),
    cleanup: cmd('rm', '-f', '--', onHost, `${onHost}.part`),
  };
}

/** A restore in a throwaway container from the member's own image (RKE's way: its hosts have no etcd tools). */
export interface ContainerRestore {
  /** The restore: `--data-dir` inside the throwaway container is `<fresh>/data` on the host. */
  tool: Command;
  /** Where the restored data dir is on the host (to be swapped in), and the folder to remove after. */
  restored: string;
  fresh: string;
  useEtcdutl: boolean;
  version?: string;
}

/**
 * Plans `snapshot restore` of `path` (a host file) into `fresh` (a new host folder) with `flags` (the member's identity;
 * no --data-dir), using etcdutl from the image of `etcd_container` (3.5+; etcdctl with ETCDCTL_API=3 on a 3.4 image).
 * The container gets no network, the snapshot read-only and only the fresh folder writable.
 */
export async function containerRestore(ctx: ModuleContext, path: string, fresh: string, flags: string[], bump: (etcdutl: boolean, version: string | undefined) => string[]): Promise<ContainerRestore> {
  const def = await readContainer(ctx);
  if (!def) throw etcdError(ctx, `${containerWhere(ctx)} does not exist: its image is what restores the snapshot (the host has no etcd tools)`, 'check etcd_container in the inventory (docker ps -a)');
  const version = tagVersion(def.image);
  const useEtcdutl = version === undefined || atLeast(versionOf(version), 3, 5);
  const bin = `${dirname(def.command[0])}/${useEtcdutl ? 'etcdutl' : 'etcdctl'}`;
  const tool = cmd('mkdir', '-m', '0700', '--', fresh, raw('&&'), 'docker', 'run', '--rm', '--net=none', '-v', `${fresh}:/ringmaster-restore`, '-v', `${dirname(path)}:/ringmaster-snapshot:ro`,
    ...(useEtcdutl ? [] : ['-e', 'ETCDCTL_API=3']), '--entrypoint', bin, def.image,
    'snapshot', 'restore', `/ringmaster-snapshot/${basename(path)}`, ...flags, '--data-dir=/ringmaster-restore/data', ...bump(useEtcdutl, version));
  return { tool, restored: `${fresh}/data`, fresh, useEtcdutl, version };
}
