// etcd release numbers: comparing them, which may join a cluster, and the flags a release refuses (3.7 removed every `--experimental-*`).

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
