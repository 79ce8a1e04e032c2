// Fact: the live member list, from `etcdctl member list -w json`.
import { RingError } from '../errors/index.js';
import { etcdctl, etcdctlSettings } from '../etcd/etcdctl.js';
import { deterministicLine, HINT } from '../etcd/etcdctl-errors.js';
import { parseMemberList, type MemberList } from '../etcd/members.js';
import { healthTimeout } from './etcd-endpoint-health.js';
import type { Fact } from './fact.js';

export const etcdMembers: Fact<MemberList> = {
  name: 'etcd_members',
  command: (vars, endpoints) => etcdctl(etcdctlSettings(vars, endpoints), 'member', 'list', '-w', 'json'),
  parse(stdout, stderr, code) {
    if (code !== 0) {
      const fatal = deterministicLine(stderr, code);
      throw new RingError('E_TASK_FAILED', `etcdctl member list failed (exit ${code}): ${fatal ?? lastLine(stderr)}`, {
        hint: fatal ? HINT : 'check that etcd is running on the host and that the client certificate paths are right',
      });
    }
    return parseMemberList(stdout);
  },
  // Identities only: the member that happened to answer is not part of what a plan is made on.
  plan: (v) => ({ clusterId: v.clusterId, members: v.members.map((m) => ({ id: m.id, name: m.name, peerURLs: m.peerURLs, isLearner: m.isLearner, started: m.started })) }),
};

/**
 * The member list as a probe, with health's short timeout: for check mode, where a cluster without quorum (the
 * recovery's forced restart only planned) cannot answer a linearizable list and every planned step would wait out
 * the full command timeout.
 */
export const etcdMembersProbe: Fact<MemberList> = {
  ...etcdMembers,
  name: 'etcd_members_probe',
  command: (vars, endpoints) => etcdctl({ ...etcdctlSettings(vars, endpoints), commandTimeout: healthTimeout(vars) }, 'member', 'list', '-w', 'json'),
};

export function lastLine(text: string): string {
  const lines = text.trim().split('\n').filter((l) => l.trim() !== '');
  const errorLine = [...lines].reverse().find((l) => l.startsWith('Error:'));
  return (errorLine ?? lines[lines.length - 1] ?? '').slice(0, 400);
}
