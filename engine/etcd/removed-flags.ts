// Flags etcd 3.5 takes that 3.6 refuses outright, with no new spelling ("flag provided but not defined", checked
// with `etcd --help` of 3.5.35 and 3.6.16 and by starting 3.6.16 with each): the v2 API's. A member whose file
// keeps one does not start on 3.6.
import { parseVersion } from './versions.js';

export const REMOVED_IN_36: readonly string[] = ['enable-v2', 'experimental-enable-v2v3'];

/** The removed flags in a manifest, unit, docker-run script or etcd.env, each once; comments do not count. */
export function removedFlagsIn(text: string): string[] {
  const found = new Set<string>();
  for (const line of text.split('\n')) {
    if (/^\s*#/.test(line)) continue;
    for (const f of REMOVED_IN_36) {
      const env = `ETCD_${f.toUpperCase().replace(/-/g, '_')}`;
      if (new RegExp(`--${f}(?![a-z0-9-])`).test(line) || new RegExp(`^\\s*(?:export\\s+)?${env}\\s*=`).test(line)) found.add(f);
    }
  }
  return [...found];
}

/** What the next start of a member on `version` makes of them: refused from 3.6, a risk before. */
export function removedFlagFindings(flags: string[], version: string | undefined, file: string): string[] {
  const v = parseVersion(version);
  if (!v) return [];
  return flags.map((f) => (refusesRemoved(version)
    ? `problem: ${file}: etcd ${version} refuses --${f} (removed in 3.6 with the v2 API): this member will not start after a restart: remove it`
    : `risk: ${file}: etcd 3.6 refuses --${f} (removed with the v2 API): remove it before upgrading (this member runs ${version})`));
}

/** Whether etcd `version` refuses the removed flags (3.6 and later). */
export function refusesRemoved(version: string | undefined): boolean {
  const v = parseVersion(version);
  return v !== undefined && (v[0] > 3 || (v[0] === 3 && v[1] >= 6));
}
