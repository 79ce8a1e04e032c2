// Which etcd a lab runs: a release built by scripts/build-etcd.sh into the cache (the default line is pinned in
// scripts/etcd-versions.txt), or Debian's 3.4.23.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RingError } from '../errors/index.js';
import { packageRoot } from '../paths.js';

/** Debian bookworm's etcd-server/etcd-client: the only 3.4 the lab runs, from /usr/bin. */
export const DEBIAN_ETCD = '3.4.23';

/** One etcd the lab can run: its exact version and, for a built one, the folder of etcd/etcdctl/etcdutl. */
export interface EtcdRelease {
  version: string;
  /** undefined for Debian's package (binaries in /usr/bin, no etcdutl). */
  binDir?: string;
}

/** The build cache (shared with scripts/build-etcd.sh, which honours the same variable). */
export function etcdCacheDir(): string {
  return process.env.RINGMASTER_ETCD_CACHE || '/var/cache/ringmaster/etcd';
}

/** The line a lab runs without --etcd-version (`default 3.6` in scripts/etcd-versions.txt). */
export function defaultEtcdLine(): string {
  const m = /^\s*default\s+(\d+\.\d+)\s*$/m.exec(readFileSync(pinsFile(), 'utf8'));
  if (!m) throw new RingError('E_USAGE', `${pinsFile()} has no \`default\` line`, { hint: 'add one such as `default 3.6`' });
  return m[1];
}

const pinsFile = (): string => join(packageRoot(), 'scripts', 'etcd-versions.txt');

/** The pins of scripts/etcd-versions.txt: line (`3.6`) → exact release (`3.6.16`). The one place versions are pinned. */
export function pinnedReleases(): Map<string, string> {
  const file = pinsFile();
  const pins = new Map<string, string>([['3.4', DEBIAN_ETCD]]);
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^\s*(\d+\.\d+)\s+v?(\d+\.\d+\.\d+)\s*$/.exec(line);
    if (m) pins.set(m[1], m[2]);
  }
  return pins;
}

export function binDirOf(version: string): string {
  return join(etcdCacheDir(), `v${version}`, 'bin');
}

/** etcd version → folder of its binaries, for every etcd the lab has: Debian's (/usr/bin) and each complete build. */
export function labImages(): Record<string, string> {
  const out: Record<string, string> = { [DEBIAN_ETCD]: '/usr/bin' };
  const dirs = existsSync(etcdCacheDir()) ? readdirSync(etcdCacheDir()) : [];
  for (const d of dirs) {
    const m = /^v(\d+\.\d+\.\d+)$/.exec(d);
    if (m && isBuilt(m[1])) out[m[1]] = binDirOf(m[1]);
  }
  return out;
}

/** Whether build-etcd.sh finished this version (it writes `.complete` last). */
export function isBuilt(version: string): boolean {
  return version === DEBIAN_ETCD || existsSync(join(binDirOf(version), '.complete'));
}

function available(pins: Map<string, string>): string {
  return [...pins].map(([line, v]) => `${line} (${v}${isBuilt(v) ? '' : ', not built'})`).join(', ');
}

/** `3.6`, `3.6.16` or `v3.6.16` → the release to run; unknown or unbuilt versions are a usage error saying what to do. */
export function resolveEtcdRelease(request: string | undefined): EtcdRelease {
  const pins = pinnedReleases();
  const want = (request ?? defaultEtcdLine()).replace(/^v/, '');
  const build = (v: string) => `bash ${join(packageRoot(), 'scripts', 'build-etcd.sh')} ${v}`;
  let version: string | undefined;
  if (/^\d+\.\d+$/.test(want)) version = pins.get(want);
  else if (/^\d+\.\d+\.\d+$/.test(want)) version = want;
  if (!version || (want.startsWith('3.4') && version !== DEBIAN_ETCD)) {
    throw new RingError('E_USAGE', `--etcd-version ${request}: no such etcd for the lab`, {
      hint: `available: ${available(pins)}; another 3.5+ release: \`${build('3.X.Y')}\` then \`--etcd-version 3.X.Y\``,
    });
  }
  if (version === DEBIAN_ETCD) return { version };
  if (!isBuilt(version)) {
    throw new RingError('E_USAGE', `etcd ${version} is not built (no ${binDirOf(version)}/.complete)`, {
      hint: `build it with \`${build(version)}\` (a few minutes, once), then run lab up again`,
    });
  }
  return { version, binDir: binDirOf(version) };
}
