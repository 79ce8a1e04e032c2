// `pause`: waits for a time, or for Enter when a person is at a terminal; never waits for input without one.
import { createInterface } from 'node:readline/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PauseArgs } from '../generated/schema-types.js';
import { RingError } from '../errors/index.js';
import { defineModule, type ModuleContext } from './define.js';

export const pauseModule = defineModule<PauseArgs>({
  name: 'pause',
  description: 'Wait for some seconds or minutes, or until Enter is pressed (only when stdin is a terminal; otherwise it does not wait for input).',
  schema: 'modules/pause.json',
  supportsCheckMode: true,
  idempotent: true,
  local: true,
  example: `- name: Let the new member catch up
  pause:
    seconds: 10
`,
  async run(ctx, args) {
    const seconds = (args.seconds ?? 0) + (args.minutes ?? 0) * 60;
    const timed = args.seconds !== undefined || args.minutes !== undefined;
    const start = Date.now();
    if (timed) {
      if (args.prompt) ctx.log(args.prompt);
      await wait(ctx, seconds * 1000);
      return { changed: false, delta_s: (Date.now() - start) / 1000, msg: `paused for ${seconds}s`, user_input: '' };
    }
    if (!ctx.interactive) return { changed: false, user_input: '', msg: 'no terminal on stdin: not waiting for input' };
    const question = `${args.prompt ?? 'Press enter to continue'}: `;
    const answer = ctx.prompt ? await ctx.prompt(question) : await readLine(ctx, question);
    return { changed: false, user_input: answer, delta_s: (Date.now() - start) / 1000, msg: 'continued after input' };
  },
});

async function wait(ctx: ModuleContext, ms: number): Promise<void> {
  try {
    await sleep(ms, undefined, { signal: ctx.signal });
  } catch (e) {
    if (ctx.signal.aborted) throw new RingError('E_ABORTED', 'pause interrupted', { host: ctx.host, task: ctx.taskName });
    throw e;
  }
}

/** Fallback when the executor offers no prompt(): one line from the process's own terminal. */
async function readLine(ctx: ModuleContext, question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await rl.question(question, { signal: ctx.signal });
  } finally {
    rl.close();
  }
}
