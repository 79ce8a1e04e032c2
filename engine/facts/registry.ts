// Explicit, sorted registry of facts.
import { etcdEndpointHealth } from './etcd-endpoint-health.js';
import { etcdEndpointStatus } from './etcd-endpoint-status.js';
import { etcdMembers } from './etcd-members.js';

export const FACTS = { etcd_endpoint_health: etcdEndpointHealth, etcd_endpoint_status: etcdEndpointStatus, etcd_members: etcdMembers } as const;
