// `etcd_member_check`: fails unless the live member list holds exactly the expected voters and no learner but the allowed ones.
import { membershipProblems } from '../etcd/expected-members.js';
import type { InventoryMember } from '../etcd/drift.js';
import type { EtcdMemberCheckArgs } from '../generated/schema-types.js';
import { defineModule, type ModuleContext } from './define.js';
import { endpointsArg, memberList, varStr } from './etcd-common.js';

export const etcdMemberCheckModule = defineModule<EtcdMemberCheckArgs>({
  name: 'etcd_member_check',
  description: 'Fail unless the live member list holds exactly the given voters (inventory hosts, matched by peer URL) and no learner other than the allowed ones; each problem names the member by ID and peer URL.',
  schema: 'modules/etcd_member_check.json',
  supportsCheckMode: true,
  idempotent: true,
  example: `- name: The forced start left no learner of the old cluster behind
  etcd_member_check:
    voters: ["{{ survey.survivor }}"]
    learners: []
  when: inventory_hostname == survey.survivor
`,
  async run(ctx, args) {
    const unknown = [...args.voters, ...(args.learners ?? [])].filter((h) => !inventoryHost(ctx, h));
    if (unknown.length > 0) return { changed: false, failed: true, msg: `etcd_member_check: ${unknown.join(', ')} ${unknown.length === 1 ? 'is not a host' : 'are not hosts'} of the inventory` };
    const list = await memberList(ctx, endpointsArg(args.endpoints));
    const problems = membershipProblems(list.members, args.voters.map((h) => inventoryMember(ctx, h)), (args.learners ?? []).map((h) => inventoryMember(ctx, h)));
    const facts = {
      changed: false,
      cluster_id: list.clusterId,
      members: list.members.map((m) => ({ id: m.id, name: m.name, peer_urls: m.peerURLs, learner: m.isLearner })),
      problems,
    };
    const shown = list.members.map((m) => `${m.id} (${m.peerURLs.join(',')})${m.isLearner ? ' learner' : ''}`).join(', ');
    if (problems.length > 0) return { ...facts, failed: true, msg: `${ctx.host}: the member list is not what it should be (${shown}):\n- ${problems.join('\n- ')}` };
    return { ...facts, msg: `member list as expected: ${args.voters.length} voter(s), ${list.members.filter((m) => m.isLearner).length} learner(s) being added (${shown})` };
  },
});

function inventoryHost(ctx: ModuleContext, host: string): Record<string, unknown> | undefined {
  return (ctx.vars.hostvars as Record<string, Record<string, unknown>> | undefined)?.[host];
}

function inventoryMember(ctx: ModuleContext, host: string): InventoryMember {
  const hv = inventoryHost(ctx, host) ?? {};
  return { host, name: varStr(hv, 'etcd_name', host), peer: varStr(hv, 'etcd_peer_url', '') };
}
