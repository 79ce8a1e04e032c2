// `file`: makes a path on the host a file, a folder, absent or touched, with mode and owner; idempotent.
import { cmd, raw, type Command } from '../connection/command.js';
import type { FileArgs } from '../generated/schema-types.js';
import { defineModule, type ModuleContext, type ModuleResult } from './define.js';
import { attributeCommands, joinCommands, mustRun } from './place-file.js';
import { normalizeMode, remoteStat, type RemoteStat } from './remote-file.js';

export const fileModule = defineModule<FileArgs>({
  name: 'file',
  description: 'Make sure a path on the host is a file, a folder, absent or present (touch), with the given mode, owner and group.',
  schema: 'modules/file.json',
  supportsCheckMode: true,
  idempotent: true,
  example: `- name: Make the backup folder
  file:
    path: /var/backups/etcd
    state: directory
    mode: "0700"
    owner: root
`,
  async run(ctx, args) {
    const state = args.state ?? 'file';
    const st = await remoteStat(ctx, args.path, false);
    const base = { path: args.path, state };
    if (state === 'absent') return apply(ctx, base, st.exists ? [cmd('rm', '-rf', '--', args.path)] : [], `${args.path} already absent`);
    if (state === 'file' && !st.exists) return { ...base, changed: false, failed: true, msg: `${args.path} does not exist (use state: touch to create it)` };
    if (state === 'directory' && st.exists && !st.isdir) return { ...base, changed: false, failed: true, msg: `${args.path} exists and is not a directory` };
    if ((state === 'file' || state === 'touch') && st.isdir) return { ...base, changed: false, failed: true, msg: `${args.path} is a directory` };
    const create: Command[] = [];
    if (!st.exists) create.push(state === 'directory' ? cmd('mkdir', '-p', '--', args.path) : cmd('touch', '--', args.path));
    const recurse = state === 'directory' && args.recurse === true;
    const fix = recurse ? await recursiveFixes(ctx, args, st) : attributeCommands(args.path, st.exists ? st : undefined, args);
    return apply(ctx, base, [...create, ...fix], `${args.path} already as wanted`);
  },
});

/** Runs the commands as one round trip (a change: in check mode only planned); none means ok and unchanged. */
async function apply(ctx: ModuleContext, base: Record<string, unknown>, commands: Command[], okMsg: string): Promise<ModuleResult> {
  if (commands.length === 0) return { ...base, changed: false, msg: okMsg };
  const all = joinCommands(commands);
  await mustRun(ctx, all, okMsg.replace(/ already (absent|as wanted)$/, (_, w: string) => (w === 'absent' ? ' exists and must go' : ' differs from the wanted state')));
  return { ...base, changed: true, commands: commands.map((c) => c.display()) };
}

/**
 * With recurse, one read-only `find` tells whether anything inside differs, so a second run changes
 * nothing and reports ok (chmod -R / chown -R alone cannot say whether they changed anything).
 */
async function recursiveFixes(ctx: ModuleContext, args: FileArgs, st: RemoteStat): Promise<Command[]> {
  const want = { mode: args.mode, owner: args.owner, group: args.group };
  const all = attributeCommands(args.path, undefined, want, true);
  if (!st.exists || all.length === 0) return all;
  const tests: string[][] = [];
  if (args.mode !== undefined) tests.push(['!', '-perm', normalizeMode(args.mode)]);
  if (args.owner !== undefined) tests.push(['!', '-user', args.owner]);
  if (args.group !== undefined) tests.push(['!', '-group', args.group]);
  const anyDiffers = tests.flatMap((t, i) => (i === 0 ? t : ['-o', ...t]));
  const r = await ctx.exec(cmd('find', args.path, raw('\\('), ...anyDiffers, raw('\\)'), '-print', '-quit'));
  return r.code !== 0 || r.stdout.trim() !== '' ? all : [];
}
