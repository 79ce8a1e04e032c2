// `etcd_quorum_guard`: refuses (abort, exit code 8) a stop/remove/add that would leave healthy voters below quorum.
import { checkStep, type PlannedStep } from '../etcd/quorum.js';
import type { EtcdQuorumGuardArgs } from '../generated/schema-types.js';
import { defineModule, type ModuleResult } from './define.js';
import { endpointsArg, healthyMembers, label, memberList, resolveMember } from './etcd-common.js';

export const etcdQuorumGuardModule = defineModule<EtcdQuorumGuardArgs>({
  name: 'etcd_quorum_guard',
  description: 'Refuse (abort the run with exit code 8) when stopping, removing or adding a member would leave fewer healthy voters than the quorum.',
  schema: 'modules/etcd_quorum_guard.json',
  supportsCheckMode: true,
  idempotent: true,
  example: `- name: Make sure node3 can be removed without losing quorum
  etcd_quorum_guard:
    action: remove
    member: node3
  delegate_to: node1
`,
  async run(ctx, args) {
    const endpoints = endpointsArg(args.endpoints);
    const list = await memberList(ctx, endpoints);
    const { healthy } = await healthyMembers(ctx, list.members);
    let step: PlannedStep;
    let what: string;
    if (args.action === 'add') {
      step = { kind: 'add', learner: args.learner === true };
      what = `adding ${args.member ?? 'a member'}${args.learner ? ' as a learner' : ' as a voter'}`;
    } else {
      if (!args.member) return { changed: false, failed: true, msg: `etcd_quorum_guard: action ${args.action} needs \`member\` (a name, hex ID or peer URL)` };
      const m = resolveMember(list.members, args.member);
      if (!m) {
        return {
          changed: false,
          safe: true,
          msg: `member ${args.member} is not in the live member list (${list.members.map(label).join(', ')}); ${args.action === 'remove' ? 'removing' : 'stopping'} it cannot change the quorum`,
        };
      }
      step = { kind: args.action, memberId: m.id };
      what = `${args.action === 'stop' ? 'stopping' : 'removing'} ${label(m)}`;
    }
    const verdict = checkStep(list.members, healthy, step, what);
    const numbers: ModuleResult = {
      changed: false,
      safe: verdict.safe,
      voters: verdict.before.voters,
      healthy_voters: verdict.before.healthyVoters,
      learners: verdict.before.learners,
      quorum: verdict.before.quorum,
      fault_tolerance: verdict.before.faultTolerance,
      after: { voters: verdict.after.voters, healthy_voters: verdict.after.healthyVoters, quorum: verdict.after.quorum, fault_tolerance: verdict.after.faultTolerance },
      cluster_id: list.clusterId,
    };
    if (!verdict.safe) return { ...numbers, failed: true, abort: true, msg: `${ctx.host}: quorum guard: ${verdict.explanation}` };
    return { ...numbers, msg: verdict.explanation };
  },
});
