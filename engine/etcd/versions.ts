// etcd release numbers: comparing them, and the flags a release refuses (3.7 removed every `--experimental-*`).
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
