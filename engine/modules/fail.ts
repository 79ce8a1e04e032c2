// `fail`: fails the task for this host with a message.
import type { FailArgs } from '../generated/schema-types.js';
import { defineModule } from './define.js';

export const failModule = defineModule<FailArgs>({
  name: 'fail',
  description: 'Fail the task for this host with a message (usually guarded by `when`).',
  schema: 'modules/fail.json',
  supportsCheckMode: true,
  idempotent: true,
  local: true,
  example: `- name: Refuse to run on a single-member ring
  fail:
    msg: this playbook needs at least 3 etcd members
  when: etcd_members.length < 3
`,
  async run(_ctx, args) {
    return { changed: false, failed: true, msg: args.msg ?? 'Failed as requested from task' };
  },
});
