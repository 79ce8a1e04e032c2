// etcd's flags as kubespray's host mode keeps them: `/etc/etcd.env`, read by etcd.service's EnvironmentFile=, one
// `ETCD_<FLAG>=value` line per flag (etcd reads ETCD_NAME for --name, ETCD_INITIAL_CLUSTER_STATE for
// --initial-cluster-state, …). Edited line by line: comments, order and every other line kept.

/** A file of this kind (edited as `KEY=value` lines, not as a pod manifest). */
export function isEnvFile(file: string): boolean {
  return /\.env$/.test(file);
}

const LINE = /^\s*(?:export\s+)?ETCD_([A-Z0-9_]+)\s*=\s*(.*?)\s*$/;

const flagOf = (key: string): string => key.toLowerCase().replace(/_/g, '-');
const keyOf = (flag: string): string => `ETCD_${flag.toUpperCase().replace(/-/g, '_')}`;

function unquote(v: string): string {
  const m = /^"(.*)"$/.exec(v) ?? /^'(.*)'$/.exec(v);
  return m ? m[1] : v;
}

/** flag name (without `--`) → value, from the `ETCD_*` lines (ETCDCTL_* lines are etcdctl's, not etcd's). */
export function readEnvFlags(text: string): Map<string, string> {
  const flags = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (/^\s*#/.test(line)) continue;
    const m = LINE.exec(line);
    if (m) flags.set(flagOf(m[1]), unquote(m[2]));
  }
  return flags;
}

/** `set` replaces a flag's line in place (or appends one), `remove` deletes its line. */
export function editEnvFlags(text: string, set: Record<string, string>, remove: string[]): string {
  const pending = new Map(Object.entries(set));
  const drop = new Set(remove);
  const out: string[] = [];
  const lines = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
  for (const line of lines) {
    const m = /^\s*#/.test(line) ? null : LINE.exec(line);
    const flag = m ? flagOf(m[1]) : undefined;
    if (flag && drop.has(flag) && !pending.has(flag)) continue;
    if (flag && pending.has(flag)) {
      out.push(`${keyOf(flag)}=${pending.get(flag)}`);
      pending.delete(flag);
      continue;
    }
    out.push(line);
  }
  for (const [flag, value] of pending) out.push(`${keyOf(flag)}=${value}`);
  return `${out.join('\n')}\n`;
}
