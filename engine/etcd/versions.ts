// etcd release numbers: comparing them, and the flags a release refuses (3.7 removed every `--experimental-*`).

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

/**
 * `--experimental-*` flags are deprecated in 3.6 (plain flags or `--feature-gates` replace them) and refused in 3.7:
 * etcd exits at start. The problem for that version, or undefined when there is none.
 */
export function experimentalProblem(flags: Iterable<string>, version: string | undefined): { refuse: boolean; text: string } | undefined {
  const p = parseVersion(version);
  const exp = [...flags].filter((f) => f.startsWith('experimental-')).map((f) => `--${f}`);
  if (!p || exp.length === 0 || p[0] < 3 || (p[0] === 3 && p[1] < 6)) return undefined;
  const refuse = p[0] > 3 || p[1] >= 7;
  return {
    refuse,
    text: refuse
      ? `etcd ${version} refuses to start with ${exp.join(', ')} (every --experimental-* flag was removed in 3.7)`
      : `${exp.join(', ')} deprecated in etcd ${version} and refused by 3.7: use the plain flag or --feature-gates (e.g. InitialCorruptCheck=true)`,
  };
}
