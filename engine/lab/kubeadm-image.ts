// The images of the lab's kubeadm flavour, built locally (no registry is reached) as `docker save` archives that
// containerd imports (`ctr images import`): kubeadm's etcd image and the pod sandbox's pause image, cached per release.
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, createReadStream, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { RingError } from '../errors/index.js';
import { IMAGE_CACHE } from './etcd-image.js';
import { run, runOk } from './proc.js';

/** The pause image containerd's CRI starts each pod sandbox from (kubeadm 1.33+'s). */
export const PAUSE_IMAGE = 'registry.k8s.io/pause:3.10';
/** Where scripts/build-cri-tools.sh puts crictl and pause (its `current` link names the pinned cri-tools release). */
export const CRI_TOOLS_BIN = '/var/cache/ringmaster/cri-tools/current/bin';
/** kubeadm's etcd image (cluster/images/etcd) runs its migration script with a static bash as /bin/sh. */
const STATIC_SH = '/bin/bash-static';

/** kubeadm's image name for an etcd release, as its manifests write it. */
export function kubeadmEtcdImage(version: string): string {
  return `registry.k8s.io/etcd:${version.replace(/^v/, '')}-0`;
}

export function kubeadmArchivePath(version: string): string {
  return join(IMAGE_CACHE, `kubeadm-etcd-v${version.replace(/^v/, '')}.tar`);
}

export function pauseArchivePath(): string {
  return join(IMAGE_CACHE, 'pause-3.10.tar');
}

async function sha256(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** The shared libraries a dynamically linked binary loads (Debian's etcd 3.4); none for a static one. */
async function sharedLibs(bin: string): Promise<string[]> {
  const r = await run('ldd', [bin]);
  if (r.code !== 0) return [];
  return [...r.stdout.matchAll(/(?:=>\s*)?(\/\S+)\s+\(0x/g)].map((m) => m[1]);
}

/** Packs `root` as the single layer of an image tagged `tag` with `config`, as a `docker save` archive at `out`. */
async function writeArchive(root: string, out: string, tag: string, config: Record<string, unknown>): Promise<void> {
  const work = `${out}.work-${process.pid}`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  try {
    const layer = join(work, 'layer.tar');
    await runOk('tar', ['-C', root, '--numeric-owner', '--owner=0', '--group=0', '-cf', layer, '.'], `packing ${tag}`);
    const imageConfig = JSON.stringify({ architecture: 'amd64', os: 'linux', config, rootfs: { type: 'layers', diff_ids: [`sha256:${await sha256(layer)}`] } });
    const configName = `${createHash('sha256').update(imageConfig).digest('hex')}.json`;
    writeFileSync(join(work, configName), imageConfig);
    writeFileSync(join(work, 'manifest.json'), JSON.stringify([{ Config: configName, RepoTags: [tag], Layers: ['layer.tar'] }]));
    await runOk('tar', ['-C', work, '-cf', `${out}.tmp-${process.pid}`, 'manifest.json', configName, 'layer.tar'], `archiving ${tag}`);
    renameSync(`${out}.tmp-${process.pid}`, out);
  } finally {
    rmSync(work, { recursive: true, force: true });
    rmSync(`${out}.tmp-${process.pid}`, { force: true });
  }
}

function baseRoot(root: string): void {
  rmSync(root, { recursive: true, force: true });
  for (const d of ['bin', 'usr/local/bin', 'var/lib/etcd', 'etc', 'root', 'tmp']) mkdirSync(join(root, d), { recursive: true });
  chmodSync(join(root, 'tmp'), 0o1777);
  writeFileSync(join(root, 'etc', 'passwd'), 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n');
  writeFileSync(join(root, 'etc', 'group'), 'root:x:0:\nnobody:x:65534:\nnonroot:x:65532:\n');
}

/**
 * kubeadm's etcd image for `version` from the binaries in `binDir` (a build, or Debian's /usr/bin for 3.4): etcd,
 * etcdctl and etcdutl (where the release has it) in /usr/local/bin and a static /bin/sh, on a distroless base (no
 * other tools; a dynamically linked binary brings its libraries). Made once, then reused.
 */
export async function ensureKubeadmEtcdImage(version: string, binDir: string): Promise<{ path: string; builtMs?: number }> {
  const path = kubeadmArchivePath(version);
  if (existsSync(path)) return { path };
  if (!existsSync(STATIC_SH)) {
    throw new RingError('E_LAB_PREREQ', `kubeadm's etcd image holds a static /bin/sh; ${STATIC_SH} is missing`, { hint: 'run `apt-get install -y bash-static` (or scripts/install-system-deps.sh)' });
  }
  const t0 = Date.now();
  mkdirSync(IMAGE_CACHE, { recursive: true, mode: 0o755 });
  const root = `${path}.rootfs-${process.pid}`;
  baseRoot(root);
  try {
    cpSync(STATIC_SH, join(root, 'bin', 'sh'));
    const bins = ['etcd', 'etcdctl', 'etcdutl'].filter((b) => existsSync(join(binDir, b)));
    for (const b of bins) cpSync(join(binDir, b), join(root, 'usr', 'local', 'bin', b));
    for (const lib of new Set((await Promise.all(bins.map((b) => sharedLibs(join(binDir, b))))).flat())) {
      mkdirSync(join(root, dirname(lib)), { recursive: true });
      cpSync(lib, join(root, lib), { dereference: true });
    }
    await writeArchive(root, path, kubeadmEtcdImage(version), {
      Cmd: ['/usr/local/bin/etcd'], WorkingDir: '/', Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
      ExposedPorts: { '2379/tcp': {}, '2380/tcp': {}, '4001/tcp': {}, '7001/tcp': {} },
    });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return { path, builtMs: Date.now() - t0 };
}

/** The pause image from scripts/build-cri-tools.sh's pause binary. Made once, then reused. */
export async function ensurePauseImage(): Promise<{ path: string; builtMs?: number }> {
  const path = pauseArchivePath();
  if (existsSync(path)) return { path };
  const bin = join(CRI_TOOLS_BIN, 'pause');
  if (!existsSync(bin)) throw new RingError('E_LAB_PREREQ', `the pod sandbox's pause binary is missing (${bin})`, { hint: 'run `bash scripts/build-cri-tools.sh`' });
  const t0 = Date.now();
  mkdirSync(IMAGE_CACHE, { recursive: true, mode: 0o755 });
  const root = `${path}.rootfs-${process.pid}`;
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  try {
    cpSync(bin, join(root, 'pause'));
    await writeArchive(root, path, PAUSE_IMAGE, { Entrypoint: ['/pause'], User: '65535:65535' });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return { path, builtMs: Date.now() - t0 };
}
