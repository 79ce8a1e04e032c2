// `assert`: evaluates expressions on the controller for the host; fails naming the first false one.
import type { AssertArgs } from '../generated/schema-types.js';
import { defineModule } from './define.js';

export const assertModule = defineModule<AssertArgs>({
  name: 'assert',
  description: 'Check that expressions are true for the host (evaluated on the controller); fails naming the first false expression.',
  schema: 'modules/assert.json',
  supportsCheckMode: true,
  idempotent: true,
  local: true,
  example: `- name: The cluster has quorum to spare
  assert:
    that:
      - etcd_members.length >= 3
      - etcd_healthy_count > etcd_members.length / 2
    fail_msg: not enough healthy members to touch the ring
`,
  async run(ctx, args) {
    const that = typeof args.that === 'string' ? [args.that] : [...args.that];
    for (const expr of that) {
      const value = ctx.evaluate(expr);
      if (!value) {
        const custom = args.fail_msg ?? args.msg;
        const msg = custom ? `${custom} (assertion failed: ${expr})` : `assertion failed: ${expr}`;
        return { changed: false, failed: true, assertion: expr, evaluated_to: value, msg };
      }
    }
    const msg = args.success_msg ?? (args.quiet ? 'all assertions passed' : `all assertions passed: ${that.join('; ')}`);
    return { changed: false, msg };
  },
});
