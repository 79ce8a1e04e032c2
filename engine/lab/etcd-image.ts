// The etcd image of the lab's rke flavour, built locally (no registry is reached): shaped like etcd's own image
// (etcd-io/etcd Dockerfile: distroless static, etcd/etcdctl/etcdutl in /usr/local/bin, no shell), cached per release.
import { chmodSync, cpSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RingError } from '../errors/index.js';
import { runOk } from './proc.js';

/** Where built image archives are kept (one per release; a fresh machine builds each once). */
export const IMAGE_CACHE = '/var/cache/ringmaster/images';

/** `docker import --change` lines giving the archive the image's config (etcd's Dockerfile: WORKDIR, CMD, ports). */
export const IMAGE_CHANGES = ['WORKDIR /var/lib/etcd', 'CMD ["/usr/local/bin/etcd"]', 'EXPOSE 2379 2380'];

export function imageTarPath(version: string): string {
  return join(IMAGE_CACHE, `etcd-v${version.replace(/^v/, '')}.tar`);
}

/** The archive for `version` from the built binaries in `binDir`: made once, then reused. */
export async function ensureEtcdImageTar(version: string, binDir: string | undefined): Promise<{ path: string; builtMs?: number }> {
  const path = imageTarPath(version);
  if (existsSync(path)) return { path };
  if (!binDir) {
    throw new RingError('E_LAB', `the rke flavour needs a built etcd release; ${version} is Debian's package (dynamically linked, 3.4 is end of life)`,
      { hint: 'use --etcd-version 3.5, 3.6 or 3.7 (built by scripts/build-etcd.sh)' });
  }
  const t0 = Date.now();
  mkdirSync(IMAGE_CACHE, { recursive: true, mode: 0o755 });
  const root = `${path}.rootfs-${process.pid}`;
  rmSync(root, { recursive: true, force: true });
  for (const d of ['usr/local/bin', 'var/etcd', 'var/lib/etcd', 'etc', 'root', 'home/nonroot', 'tmp']) mkdirSync(join(root, d), { recursive: true });
  chmodSync(join(root, 'tmp'), 0o1777);
  // What distroless/static holds besides certificates and time zones: the two users and their groups.
  writeFileSync(join(root, 'etc', 'passwd'), 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n');
  writeFileSync(join(root, 'etc', 'group'), 'root:x:0:\nnobody:x:65534:\nnonroot:x:65532:\n');
  for (const b of ['etcd', 'etcdctl', 'etcdutl']) cpSync(join(binDir, b), join(root, 'usr', 'local', 'bin', b));
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    await runOk('tar', ['-C', root, '--numeric-owner', '--owner=0', '--group=0', '-cf', tmp, '.'], `packing the etcd ${version} image`);
    renameSync(tmp, path);
  } finally {
    rmSync(root, { recursive: true, force: true });
    rmSync(tmp, { force: true });
  }
  return { path, builtMs: Date.now() - t0 };
}
