// `wait_for`: waits on the host, in one remote polling loop, for a TCP port or a path to reach a state.
import { cmd } from '../connection/command.js';
import type { WaitForArgs } from '../generated/schema-types.js';
import { defineModule } from './define.js';
import { TIMED_OUT, WAIT_SCRIPT } from './wait-for-script.js';

/** Seconds of slack the connection gets beyond the loop's own deadline before it is killed. */
const SLACK_S = 30;

export const waitForModule = defineModule<WaitForArgs>({
  name: 'wait_for',
  description: 'Wait on the host, in one remote polling loop, until a TCP port accepts connections (or stops), or a path appears (or goes).',
  schema: 'modules/wait_for.json',
  supportsCheckMode: true,
  idempotent: true,
  example: `- name: Wait for etcd's client port
  wait_for:
    port: 2379
    timeout: 60
`,
  async run(ctx, args) {
    const host = args.host ?? '127.0.0.1';
    const state = args.state ?? 'started';
    const timeout = args.timeout ?? 300;
    const delay = args.delay ?? 0;
    const what = args.port !== undefined ? `port ${args.port} on ${host}` : args.path !== undefined ? `path ${args.path}` : `${timeout}s`;
    const command = cmd('bash', '-c', WAIT_SCRIPT, 'wait_for', host, args.port ?? '', args.path ?? '', state, timeout, delay, args.sleep ?? 1);
    const deadlineMs = (delay + timeout + SLACK_S) * 1000;
    const r = await ctx.exec(command, { timeoutMs: Math.min(ctx.timeoutMs ?? deadlineMs, deadlineMs) });
    const elapsed = Number(/elapsed=(\d+)/.exec(r.stdout)?.[1] ?? NaN);
    const base = { changed: false, state, port: args.port, path: args.path, commands: [`wait for ${what} to be ${state} (timeout ${timeout}s)`] };
    if (r.code === 0) return { ...base, elapsed, msg: `${what} is ${state}` };
    if (r.code === TIMED_OUT || r.timedOut) return { ...base, failed: true, elapsed: timeout, msg: args.msg ?? `timed out after ${timeout}s waiting for ${what} to be ${state}` };
    return { ...base, failed: true, rc: r.code, stderr: r.stderr, msg: `wait_for could not run on ${ctx.host}: ${r.stderr.trim() || `exit code ${r.code}`}` };
  },
});
