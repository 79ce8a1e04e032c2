// etcd release numbers: comparing them, which may join a cluster, and the flags a release refuses (3.7 removed every `--experimental-*`).
import { replacementOf } from './experimental-flags.js';

/** [major, minor, patch] of `3.6.16` / `v3.6.16` / `3.6.16-0`; undefined for anything else. */
export function parseVersion(v: unknown): [number, number, number] | undefined {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(String(v ?? ''));
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : undefined;
}

/** The newest of the versions given (ignoring empty and unparsable ones), as written. */
export function newestVersion(...vs: Array<string | undefined>): string | undefined {
  let best: string | undefined;
  for (const v of vs) {
    const p = parseVersion(v);
    if (!p) continue;
    const b = parseVersion(best);
    if (!b || p[0] > b[0] || (p[0] === b[0] && (p[1] > b[1] || (p[1] === b[1] && p[2] > b[2])))) best = String(v).replace(/^v/, '');
  }
  return best;
}

/** The oldest of the versions given (ignoring unparsable ones), as written: of running members, any may lead. */
export function oldestVersion(versions: string[]): string | undefined {
  const parsed = versions.map((v) => ({ v, p: parseVersion(v) })).filter((x): x is { v: string; p: [number, number, number] } => x.p !== undefined);
  parsed.sort((a, b) => a.p[0] - b.p[0] || a.p[1] - b.p[1] || a.p[2] - b.p[2]);
  return parsed[0]?.v;
}

/** The version in an etcd image reference (`registry.k8s.io/etcd:3.6.16-0` → `3.6.16`). */
export function imageVersion(text: string): string | undefined {
  const m = /^\s*image:\s*["']?[^\s"']*etcd:v?(\d+\.\d+\.\d+)/m.exec(text);
  return m?.[1];
}

/** `etcd_version` of the inventory when it is set and names another release than the live server's; never trusted over live. */
export function versionDrift(inventory: unknown, live: string | undefined): string | undefined {
  if (!live || inventory === undefined || inventory === null || String(inventory) === '') return undefined;
  const inv = parseVersion(inventory);
  const run = parseVersion(live);
  // `v3.6.16` and `3.6.16-0` name 3.6.16; `3.6` does not (major.minor.patch decides).
  if (inv && run && inv.join('.') === run.join('.')) return undefined;
  return `etcd_version in the inventory says ${String(inventory)} but the member runs ${live}`;
}

/** Whether `version` is 3.6 (deprecates `--experimental-*`: 'deprecated'), 3.7 or newer ('refused'), or neither. */
function experimentalStage(version: string | undefined): 'deprecated' | 'refused' | undefined {
  const p = parseVersion(version);
  if (!p || p[0] < 3 || (p[0] === 3 && p[1] < 6)) return undefined;
  return p[0] > 3 || p[1] >= 7 ? 'refused' : 'deprecated';
}

/** What to write instead of each flag (experimental-flags.ts), and that several gates share one `--feature-gates`. */
function fixOf(flags: Array<[string, string | true]>): (name: string, value: string | true) => string {
  const gates = flags.map(([n, v]) => replacementOf(n, v)).filter((r): r is string => r?.startsWith('--feature-gates=') === true);
  const together = gates.length > 1 ? ` (several gates go in one flag: --feature-gates=${gates.map((g) => g.slice('--feature-gates='.length)).join(',')})` : '';
  return (name, value) => {
    const r = replacementOf(name, value);
    if (!r) return `replace --${name} with the plain flag or feature gate that \`etcd --help\` of 3.6 names for it`;
    return `replace --${name} with ${r}${r.startsWith('--feature-gates=') ? together : ''}`;
  };
}

/**
 * `--experimental-*` flags are deprecated in 3.6 (plain flags or `--feature-gates` replace them) and refused in 3.7:
 * etcd exits at start. The problem for that version, or undefined when there is none. `flags`: name (no `--`) → value.
 */
export function experimentalProblem(flags: Iterable<[string, string | true]>, version: string | undefined): { refuse: boolean; text: string } | undefined {
  const exp = [...flags].filter(([f]) => f.startsWith('experimental-'));
  const stage = experimentalStage(version);
  if (!stage || exp.length === 0) return undefined;
  const names = exp.map(([f]) => `--${f}`).join(', ');
  const fix = fixOf(exp);
  const fixes = exp.map(([n, v]) => fix(n, v)).join('; ');
  return stage === 'refused'
    ? { refuse: true, text: `etcd ${version} refuses to start with ${names} (every --experimental-* flag was removed in 3.7): ${fixes}` }
    : { refuse: false, text: `${names} deprecated in etcd ${version} and refused by 3.7: ${fixes}` };
}

/**
 * health.yml's findings for the `--experimental-*` flags in `file` of a member that runs (or will start as) `version`:
 * on 3.6 a risk each (the upgrade to 3.7 would leave it down), on 3.7+ a problem each (it will not start again);
 * none before 3.6, where `--experimental-*` is the only spelling.
 */
export function nextMinorFindings(flags: Array<[string, string | true]>, version: string | undefined, file: string): string[] {
  const stage = experimentalStage(version);
  if (!stage) return [];
  const fix = fixOf(flags);
  return flags.map(([name, value]) => (stage === 'refused'
    ? `problem: ${file}: etcd ${version} refuses --${name}: this member will not start after a restart: ${fix(name, value)}`
    : `risk: ${file}: etcd 3.7 refuses --${name}: ${fix(name, value)} before upgrading (this member runs ${version})`));
}

/** `3.6` of `3.6.16`; undefined when unparsable. */
export function minorOf(v: unknown): string | undefined {
  const p = parseVersion(v);
  return p ? `${p[0]}.${p[1]}` : undefined;
}

/** The version in an image reference's tag (`registry.k8s.io/etcd:3.6.16-0` → `3.6.16`; a digest has none). */
export function tagVersion(image: string): string | undefined {
  const m = /:v?(\d+\.\d+\.\d+)[^:/@]*$/.exec(image.trim());
  return m?.[1];
}

/** The version `etcd --version` prints (`etcd Version: 3.6.16`). */
export function binaryVersion(output: string): string | undefined {
  return /^etcd Version:\s*v?(\d+\.\d+\.\d+)/m.exec(output)?.[1];
}

const byMinor = (a: [number, number, number], b: [number, number, number]) => a[0] - b[0] || a[1] - b[1];

/**
 * Why a member running etcd `joining` must not be added to a cluster whose running members report `running`, or
 * undefined when it may join. Only major.minor counts: etcd's cluster version is the lowest major.minor of its
 * members, and releases of one minor interoperate (a patch release never changes the cluster version).
 * - Older than the cluster version: etcd refuses the member ("incompatible with current running cluster"), but
 *   only when it starts, after `member add` registered it: the cluster is left one unstarted member heavier.
 * - At the cluster version but older than the newest running member (a cluster mid-upgrade): etcd would accept
 *   it, and it would hold the cluster version down, so the upgrade could not finish until it is replaced.
 */
export function joinRefusal(joining: string, running: string[]): string | undefined {
  const j = parseVersion(joining);
  const live = running.map((v) => parseVersion(v)).filter((p): p is [number, number, number] => p !== undefined).sort(byMinor);
  if (!j || live.length === 0) return undefined;
  const lowest = live[0];
  const newest = live[live.length - 1];
  const members = [...new Set(running.filter((v) => parseVersion(v)).map((v) => String(v).replace(/^v/, '')))].join(', ');
  if (byMinor(j, lowest) < 0) {
    return `etcd ${joining} is older than the cluster version ${lowest[0]}.${lowest[1]} (running members: ${members}): etcd refuses such a member ("incompatible with current running cluster") only when it starts, after it was registered`;
  }
  if (byMinor(j, newest) < 0) {
    return `the cluster is being upgraded to ${newest[0]}.${newest[1]} (running members: ${members}): adding a ${j[0]}.${j[1]} member (etcd ${joining}) would hold it back`;
  }
  return undefined;
}
