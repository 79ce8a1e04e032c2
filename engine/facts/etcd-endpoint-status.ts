// Fact: per-endpoint status (cluster ID, member ID, leader, raft index, db size), from `endpoint status -w json`.
import { etcdctl, etcdctlSettings } from '../etcd/etcdctl.js';
import { throwIfDeterministic } from '../etcd/etcdctl-errors.js';
import { parseEtcdJson, toHexId } from '../etcd/json.js';
import { healthTimeout } from './etcd-endpoint-health.js';
import type { Fact } from './fact.js';

export interface EndpointStatus {
  endpoint: string;
  clusterId: string;
  memberId: string;
  leaderId: string;
  revision: number;
  raftIndex: number;
  raftTerm: number;
  raftAppliedIndex: number;
  dbSize: number;
  version: string;
  isLearner: boolean;
  errors: string[];
}

interface Raw {
  Endpoint: string;
  Status: {
    header: { cluster_id: string; member_id: string; revision: number };
    version: string;
    dbSize: number;
    leader?: string;
    raftIndex: number;
    raftTerm: number;
    raftAppliedIndex?: number;
    isLearner?: boolean;
    errors?: string[];
  };
}

/** Endpoints that did not answer are absent from stdout (etcdctl says so on stderr and exits 1). */
export const etcdEndpointStatus: Fact<EndpointStatus[]> = {
  name: 'etcd_endpoint_status',
  // A probe like endpoint health, read while members are down: a dead endpoint would cost the whole command
  // timeout (measured: 5.0 s at 5 s), so it gets health's shorter one.
  command: (vars, endpoints) => etcdctl({ ...etcdctlSettings(vars, endpoints), commandTimeout: healthTimeout(vars) }, 'endpoint', 'status', '-w', 'json'),
  // Who leads and which cluster and member answers; revisions, indexes and sizes move by themselves.
  plan: (v) => v.map((x) => ({ endpoint: x.endpoint, clusterId: x.clusterId, memberId: x.memberId, leaderId: x.leaderId, isLearner: x.isLearner, version: x.version, errors: x.errors })),
  parse(stdout, stderr, code) {
    throwIfDeterministic('endpoint status', stdout, stderr, code);
    if (!stdout.trim()) return [];
    // etcdctl 3.6 prints `null` (3.4 and 3.5 `[]`) when no endpoint answered.
    const raw = (parseEtcdJson(stdout, 'endpoint status') as Raw[] | null) ?? [];
    return raw.map((r) => ({
      endpoint: r.Endpoint,
      clusterId: toHexId(r.Status.header.cluster_id),
      memberId: toHexId(r.Status.header.member_id),
      // Without quorum etcd omits `leader` (zero) and says "etcdserver: no leader" in errors.
      leaderId: toHexId(r.Status.leader ?? 0),
      revision: Number(r.Status.header.revision),
      raftIndex: Number(r.Status.raftIndex),
      raftTerm: Number(r.Status.raftTerm),
      raftAppliedIndex: Number(r.Status.raftAppliedIndex ?? r.Status.raftIndex),
      dbSize: Number(r.Status.dbSize),
      version: r.Status.version,
      isLearner: r.Status.isLearner === true,
      errors: r.Status.errors ?? [],
    }));
  },
};
