// The 3.6 spelling of every `--experimental-*` flag, as etcd v3.6.16's `etcd --help` names it ("Deprecated in v3.6
// and will be decommissioned in v3.7. Use '…' instead."): 3.7 refuses the old spelling, so the audit of health.yml
// and etcd_manifest's refusal both say what to write instead, from this one table.

/** Flags 3.6 graduated to a plain flag of the same value. */
const RENAMED: Readonly<Record<string, string>> = {
  'experimental-bootstrap-defrag-threshold-megabytes': 'bootstrap-defrag-threshold-megabytes',
  'experimental-compact-hash-check-time': 'compact-hash-check-time',
  'experimental-compaction-batch-limit': 'compaction-batch-limit',
  'experimental-compaction-sleep-interval': 'compaction-sleep-interval',
  'experimental-corrupt-check-time': 'corrupt-check-time',
  'experimental-distributed-tracing-address': 'distributed-tracing-address',
  'experimental-distributed-tracing-instance-id': 'distributed-tracing-instance-id',
  'experimental-distributed-tracing-sampling-rate': 'distributed-tracing-sampling-rate',
  'experimental-distributed-tracing-service-name': 'distributed-tracing-service-name',
  'experimental-downgrade-check-time': 'downgrade-check-time',
  'experimental-enable-distributed-tracing': 'enable-distributed-tracing',
  'experimental-memory-mlock': 'memory-mlock',
  'experimental-peer-skip-client-san-verification': 'peer-skip-client-san-verification',
  'experimental-snapshot-catchup-entries': 'snapshot-catchup-entries',
  'experimental-warning-apply-duration': 'warning-apply-duration',
  'experimental-warning-unary-request-duration': 'warning-unary-request-duration',
  'experimental-watch-progress-notify-interval': 'watch-progress-notify-interval',
};

/** Boolean flags 3.6 turned into a server feature gate (`--feature-gates=Gate=true`). */
const GATES: Readonly<Record<string, string>> = {
  'experimental-compact-hash-check-enabled': 'CompactHashCheck',
  'experimental-enable-lease-checkpoint': 'LeaseCheckpoint',
  'experimental-enable-lease-checkpoint-persist': 'LeaseCheckpointPersist',
  'experimental-initial-corrupt-check': 'InitialCorruptCheck',
  'experimental-stop-grpc-service-on-defrag': 'StopGRPCServiceOnDefrag',
  'experimental-txn-mode-write-with-shared-buffer': 'TxnModeWriteWithSharedBuffer',
};

/**
 * What replaces `--name[=value]` from 3.6 on, with the value carried over (a bare boolean flag means `true`);
 * undefined for a flag the table does not know. `name` is without the leading `--`.
 */
export function replacementOf(name: string, value: string | true = true): string | undefined {
  const gate = GATES[name];
  if (gate) return `--feature-gates=${gate}=${value === true ? 'true' : value}`;
  const plain = RENAMED[name];
  if (!plain) return undefined;
  return value === true ? `--${plain}` : `--${plain}=${value}`;
}

/**
 * The `--experimental-*` flags in a manifest, systemd unit, docker-run script or etcd.env, with their values (`true` when bare),
 * in file order, each once; commented-out lines do not count. Read as text, so every flavour reads the same way.
 */
export function experimentalFlagsIn(text: string): Array<[string, string | true]> {
  const found = new Map<string, string | true>();
  for (const line of text.split('\n')) {
    if (/^\s*#/.test(line)) continue;
    for (const m of line.matchAll(/--(experimental-[a-z0-9-]*[a-z0-9])(?:=([^\s"'\\]*))?/g)) {
      if (!found.has(m[1])) found.set(m[1], m[2] === undefined ? true : m[2]);
    }
    // kubespray's /etc/etcd.env spells them ETCD_EXPERIMENTAL_INITIAL_CORRUPT_CHECK=true.
    const env = /^\s*(?:export\s+)?ETCD_(EXPERIMENTAL_[A-Z0-9_]+)\s*=\s*["']?([^\s"']*)/.exec(line);
    if (env) {
      const name = env[1].toLowerCase().replace(/_/g, '-');
      if (!found.has(name)) found.set(name, env[2]);
    }
  }
  return [...found];
}
