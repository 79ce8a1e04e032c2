// `debug`: prints a message or the value of an expression.
import type { DebugArgs } from '../generated/schema-types.js';
import { isRingError } from '../errors/index.js';
import { defineModule } from './define.js';

/** What Ansible prints for an undefined variable, so `debug: var=x` never fails a run. */
export const NOT_DEFINED = 'VARIABLE IS NOT DEFINED!';

export const debugModule = defineModule<DebugArgs>({
  name: 'debug',
  description: "Print a message, or an expression's value under its own name.",
  schema: 'modules/debug.json',
  supportsCheckMode: true,
  idempotent: true,
  local: true,
  example: `- name: Show the member list
  debug:
    var: etcd_members
`,
  async run(ctx, args) {
    if (args.msg !== undefined && args.var !== undefined) return { changed: false, failed: true, msg: '`msg` and `var` cannot be used together' };
    if (args.var === undefined) return { changed: false, msg: args.msg ?? 'Hello world!' };
    let value: unknown;
    try {
      value = ctx.evaluate(args.var);
    } catch (e) {
      if (!isRingError(e) || e.code !== 'E_UNDEFINED_VAR') throw e;
      value = NOT_DEFINED;
    }
    return { changed: false, [args.var]: value, var: args.var, value, msg: `${args.var}: ${formatValue(value)}` };
  },
});

/** Scalars inline, structures as indented JSON (what an operator reads in a log). */
function formatValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return 'undefined';
  return JSON.stringify(value, null, 2);
}
