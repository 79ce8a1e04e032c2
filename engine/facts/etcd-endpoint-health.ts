// Fact: per-endpoint health, from `endpoint health -w json` (the JSON is on stdout even when some are down).
import { etcdctl, etcdctlSettings } from '../etcd/etcdctl.js';
import { parseEtcdJson } from '../etcd/json.js';
import type { Fact } from './fact.js';

export interface EndpointHealth {
  endpoint: string;
  health: boolean;
  took: string;
  error?: string;
}

export const etcdEndpointHealth: Fact<EndpointHealth[]> = {
  name: 'etcd_endpoint_health',
  command: (vars, endpoints) => etcdctl(etcdctlSettings(vars, endpoints), 'endpoint', 'health', '-w', 'json'),
  parse(stdout) {
    if (!stdout.trim()) return [];
    const raw = parseEtcdJson(stdout, 'endpoint health') as Array<{ endpoint: string; health: boolean; took?: string; error?: string }>;
    return raw.map((r) => ({ endpoint: r.endpoint, health: r.health === true, took: r.took ?? '', error: r.error }));
  },
};
