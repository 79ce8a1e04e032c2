// Restoring on a kubeadm host without etcd tools (etcdctl_via: crictl): the etcdutl (etcdctl for a 3.4 image) of the
// member's own image — the `image:` of its manifest, held outside manifests/ while the member is stopped — run on the
// host from a read-only mount that is gone when the restore ends (engine/etcd/image-tool.ts).
import { cmd, type Command } from '../connection/command.js';
import { imageTool } from '../etcd/image-tool.js';
import { heldManifest, liveManifest } from '../etcd/manifest-paths.js';
import { tagVersion } from '../etcd/versions.js';
import type { ModuleContext } from './define.js';
import { atLeast, etcdError, versionOf } from './etcd-common.js';

export interface ImageTool {
  tool: Command;
  image: string;
  useEtcdutl: boolean;
  version?: string;
}

/** The image of this host's etcd manifest (held while stopped, else in place), or undefined when neither names one. */
async function manifestImage(ctx: ModuleContext): Promise<string | undefined> {
  const r = await ctx.exec(cmd('sh', '-c', 'cat -- "$1" 2>/dev/null || cat -- "$2"', 'manifest', heldManifest(ctx.vars), liveManifest(ctx.vars)));
  if (r.code !== 0) return undefined;
  return /^\s*(?:-\s+)?image:\s*["']?([^"'\s]+)/m.exec(r.stdout)?.[1];
}

/** Plans `snapshot restore <args>` with the member image's own tool; `bump` gives the revision flags for that tool. */
export async function imageRestore(ctx: ModuleContext, args: string[], bump: (etcdutl: boolean, version: string | undefined) => string[]): Promise<ImageTool> {
  const image = await manifestImage(ctx);
  if (!image) {
    throw etcdError(ctx, `${ctx.host} has no etcdutl or etcdctl, and no etcd manifest names the image whose tools could restore the snapshot`,
      'install etcdutl on the host, or check etcd_manifest (the stopped member\'s manifest is held in /etc/kubernetes/ringmaster)');
  }
  const version = tagVersion(image);
  const useEtcdutl = version === undefined || atLeast(versionOf(version), 3, 5);
  const bin = `/usr/local/bin/${useEtcdutl ? 'etcdutl' : 'etcdctl'}`;
  return { tool: imageTool(image, liveManifest(ctx.vars), heldManifest(ctx.vars), bin, 'snapshot', 'restore', ...args, ...bump(useEtcdutl, version)), image, useEtcdutl, version };
}
