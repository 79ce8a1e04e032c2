// Asking etcd about itself from inside a lab node (etcdctl through nsenter: nothing connects from the root namespace).
import { rkeCertBase } from './flavor.js';
import { hostShell } from './hosts.js';
import { LAB_ETCDCTL } from './node-init-rke.js';
import { KUBESPRAY_SSL, kubesprayCert } from './kubespray.js';
import { waitFor } from './proc.js';
import { clientUrl, type LabSpec } from './spec.js';
import type { LabState } from './state.js';

const PKI = '/etc/kubernetes/pki/etcd';

/**
 * The etcdctl command line a node uses to reach `endpoints` (its local member by default). On an rke node that is the
 * lab's own etcdctl, off PATH, with RKE's certificates (every etcd node holds all of them): the lab must see a member
 * whose container is stopped or gone.
 */
export function etcdctl(spec: LabSpec, endpoints?: string[]): string {
  const local = `${spec.tls ? 'https' : 'http'}://127.0.0.1:2379`;
  const rke = spec.flavor === 'rke';
  const cert = rkeCertBase(spec.etcdNodes[0].address);
  const admin = kubesprayCert('admin', spec.etcdNodes[0].name);
  const files = rke ? { ca: '/etc/kubernetes/ssl/kube-ca.pem', cert: `${cert}.pem`, key: `${cert}-key.pem` }
    : spec.flavor === 'systemd' ? { ca: `${KUBESPRAY_SSL}/ca.pem`, ...admin }
      : { ca: `${PKI}/ca.crt`, cert: `${PKI}/healthcheck-client.crt`, key: `${PKI}/healthcheck-client.key` };
  const tls = spec.tls ? ` --cacert=${files.ca} --cert=${files.cert} --key=${files.key}` : '';
  return `${spec.hostEtcdTools ? 'etcdctl' : LAB_ETCDCTL} --endpoints=${(endpoints ?? [local]).join(',')}${tls} --dial-timeout=1s --command-timeout=2s`;
}

/** etcd prints member IDs as bare uint64 numbers; quote them before JSON.parse rounds them. */
export function parseEtcdJson(text: string): unknown {
  return JSON.parse(text.replace(/("(?:ID|id|leader|member_id|cluster_id|raft_term|revision)"\s*:\s*)(\d+)/g, '$1"$2"'));
}

/** What one node says about its member and the cluster. */
export interface NodeProbe {
  node: string;
  reachable: boolean;
  healthy: boolean;
  memberId?: string;
  leaderId?: string;
  raftIndex?: number;
  raftTerm?: number;
  dbSize?: number;
  members?: Array<{ id: string; name: string; peerURLs: string[]; clientURLs: string[]; isLearner: boolean }>;
  runner?: { held: boolean; pods: Array<{ name?: string; state: string; pid?: number; restarts: number; error?: string }> };
  /** rke: `docker inspect` of the etcd container (`running restarts=0`), empty when there is none. */
  container?: string;
  /** systemd: etcd.service as systemd has it (`active restarts=0`). */
  unit?: string;
}

function section(out: string, name: string): string {
  const m = out.split(`##${name}\n`)[1];
  return (m ?? '').split('\n##')[0].trim();
}

function tryParse<T>(text: string): T | undefined {
  if (!text) return undefined;
  try { return parseEtcdJson(text) as T; } catch { return undefined; }
}

/** One nsenter into the node: local member status, health, member list and the static-pod runner's status. */
export async function probeNode(spec: LabSpec, state: LabState, node: string): Promise<NodeProbe> {
  const e = etcdctl(spec);
  const script = `echo '##status'; ${e} endpoint status -w json 2>/dev/null; echo; echo '##health'; ${e} endpoint health -w json 2>/dev/null; echo;
echo '##members'; ${e} member list -w json 2>/dev/null; echo; echo '##runner'; cat /run/static-pods/status.json 2>/dev/null;
${spec.flavor === 'rke' ? `echo '##container'; docker inspect -f '{{.State.Status}} restarts={{.RestartCount}}' etcd 2>/dev/null;` : ''}
${spec.flavor === 'systemd' ? `echo '##unit'; echo "$(systemctl show etcd -p ActiveState --value) restarts=$(systemctl show etcd -p NRestarts --value)";` : ''} echo '##end'`;
  let out = '';
  try {
    out = (await hostShell(state, node, script, 15_000)).stdout;
  } catch {
    return { node, reachable: false, healthy: false };
  }
  type Status = Array<{ Status: { header: { member_id: string }; leader: string; raftIndex: number; raftTerm: string; dbSize: number } }>;
  const status = tryParse<Status>(section(out, 'status'))?.[0]?.Status;
  const health = tryParse<Array<{ health: boolean }>>(section(out, 'health'));
  const members = tryParse<{ members?: Array<{ ID: string; name: string; peerURLs: string[]; clientURLs?: string[]; isLearner?: boolean }> }>(section(out, 'members'));
  return {
    node, reachable: true,
    healthy: !!health?.[0]?.health,
    memberId: status?.header.member_id, leaderId: status?.leader, raftIndex: status?.raftIndex,
    raftTerm: status ? Number(status.raftTerm) : undefined, dbSize: status?.dbSize,
    members: members?.members?.map((m) => ({ id: m.ID, name: m.name, peerURLs: m.peerURLs, clientURLs: m.clientURLs ?? [], isLearner: !!m.isLearner })),
    runner: tryParse(section(out, 'runner')),
    ...(spec.flavor === 'rke' ? { container: section(out, 'container') } : {}),
    ...(spec.flavor === 'systemd' ? { unit: section(out, 'unit') } : {}),
  };
}

/** True when `from` sees every lab member's endpoint healthy. */
export async function clusterHealthy(spec: LabSpec, state: LabState, from: string): Promise<boolean> {
  const urls = spec.etcdNodes.map((n) => clientUrl(spec, n));
  const r = await hostShell(state, from, `${etcdctl(spec, urls)} endpoint health -w json 2>/dev/null`, 15_000).catch(() => undefined);
  const list = tryParse<Array<{ health: boolean }>>(r?.stdout.trim() ?? '');
  return !!list && list.length === urls.length && list.every((x) => x.health);
}

/** True when `node`'s own member answers a linearizable health check (so it is part of a quorum). */
export async function memberHealthy(spec: LabSpec, state: LabState, node: string): Promise<boolean> {
  const r = await hostShell(state, node, `${etcdctl(spec)} endpoint health -w json 2>/dev/null`, 15_000).catch(() => undefined);
  return !!tryParse<Array<{ health: boolean }>>(r?.stdout.trim() ?? '')?.[0]?.health;
}

/** Waits until every member is healthy, asked from `from` (a node whose own member is up). */
export async function waitClusterHealthy(spec: LabSpec, state: LabState, from: string, timeoutMs: number): Promise<void> {
  await waitFor(`a healthy ${spec.nodes}-member etcd cluster`, timeoutMs, async () => ((await clusterHealthy(spec, state, from)) ? true : undefined), 300);
}
