// Fact: per-endpoint health, from `endpoint health -w json` (the JSON is on stdout even when some are down).
import { etcdctl, etcdctlSettings } from '../etcd/etcdctl.js';
import { throwIfDeterministic } from '../etcd/etcdctl-errors.js';
import { parseEtcdJson } from '../etcd/json.js';
import type { Fact } from './fact.js';

export interface EndpointHealth {
  endpoint: string;
  health: boolean;
  took: string;
  error?: string;
}

/** `etcdctl_health_timeout` (default 2s). */
export function healthTimeout(vars: Record<string, unknown>): string {
  const v = vars.etcdctl_health_timeout;
  return typeof v === 'string' && v !== '' ? v : '2s';
}

export const etcdEndpointHealth: Fact<EndpointHealth[]> = {
  name: 'etcd_endpoint_health',
  // A stopped member makes `endpoint health` wait the whole command timeout (measured: 5.0 s at 5 s, 2.0 s at 2 s),
  // and health is polled in loops while members stop and start: give it its own, shorter timeout.
  command: (vars, endpoints) =>
    etcdctl({ ...etcdctlSettings(vars, endpoints), commandTimeout: healthTimeout(vars) }, 'endpoint', 'health', '-w', 'json'),
  // Which endpoints are healthy; how long they took and their error texts vary from read to read.
  plan: (v) => v.map((x) => ({ endpoint: x.endpoint, health: x.health })),
  parse(stdout, stderr, code) {
    throwIfDeterministic('endpoint health', stdout, stderr, code);
    if (!stdout.trim()) return [];
    // etcdctl 3.6 prints `null` (3.4 and 3.5 `[]`) when the list is empty.
    const raw = (parseEtcdJson(stdout, 'endpoint health') as Array<{ endpoint: string; health: boolean; took?: string; error?: string }> | null) ?? [];
    return raw.map((r) => ({ endpoint: r.endpoint, health: r.health === true, took: r.took ?? '', error: r.error }));
  },
};
