// etcdctl errors that no retry can fix (bad flags, missing or unreadable TLS files, environment conflicts, x509):
// reported verbatim at once, never waited out as if etcd were only starting.
import { RingError } from '../errors/index.js';

/** One pattern per cause; each matches the line etcdctl (or Go's runtime under it) prints. */
const DETERMINISTIC: RegExp[] = [
  /unknown (shorthand )?flag/i,
  /unknown command/i,
  /flag needs an argument/i,
  /invalid argument ".*" for ".*" flag/i,
  /\b(open|stat) [^:]+: no such file or directory/i,
  /\b(open|stat) [^:]+: permission denied/i,
  /conflicting environment variable/i,
  /is shadowed by corresponding command-line flag/i,
  /x509: /i,
  /tls: (failed to find any PEM data|private key does not match public key|failed to parse private key)/i,
  /etcdctl: (command )?not found|executable file not found/i,
];

/** The stderr line naming a deterministic failure, verbatim (at most 400 characters); undefined when transient. */
export function deterministicLine(stderr: string, code?: number | null): string | undefined {
  const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const hit = lines.find((l) => DETERMINISTIC.some((re) => re.test(l)));
  if (hit) return hit.slice(0, 400);
  // 126/127: the shell could not run etcdctl at all (not executable, not installed).
  if (code === 126 || code === 127) return (lines[lines.length - 1] ?? `exit code ${code}`).slice(0, 400);
  return undefined;
}

/** Whether an error (a RingError of a fact, say) carries a deterministic etcdctl line in its message. */
export function isDeterministic(e: unknown): boolean {
  return e instanceof Error && deterministicLine(e.message) !== undefined;
}

/**
 * For facts whose JSON is on stdout even when some endpoints are down: an empty stdout with a deterministic
 * stderr line means etcdctl never reached any endpoint — say why, instead of reporting every member as down.
 */
export function throwIfDeterministic(what: string, stdout: string, stderr: string, code: number | null): void {
  if (code === 0 || stdout.trim() !== '') return;
  const line = deterministicLine(stderr, code);
  if (line !== undefined) {
    throw new RingError('E_TASK_FAILED', `etcdctl ${what} failed (exit ${code}): ${line}`, { hint: HINT });
  }
}

export const HINT = 'etcdctl itself refused: fix the flags, the TLS file paths (etcd_pki_dir, etcd_ca_file, etcdctl_cert_file, etcdctl_key_file) or the ETCDCTL_* environment; waiting would not help';
