// `command`: runs a program on the host without a shell; every word is quoted, nothing is expanded.
import { cmd } from '../connection/command.js';
import type { CommandArgs } from '../generated/schema-types.js';
import { defineModule } from './define.js';
import { runCommand } from './run-command.js';
import { splitWords } from '../connection/split-words.js';

export const commandModule = defineModule<CommandArgs>({
  name: 'command',
  description: 'Run a program on the host without a shell (no pipes, redirections or variable expansion); each word is passed as-is.',
  schema: 'modules/command.json',
  freeForm: 'cmd',
  supportsCheckMode: true,
  idempotent: false,
  example: `- name: List the etcd members
  command: etcdctl member list -w json
  register: members
`,
  async run(ctx, args) {
    const words = args.argv ?? splitWords(args.cmd ?? '');
    if (words.length === 0) return { changed: false, failed: true, msg: 'no command given' };
    return runCommand(ctx, { ...args, command: cmd(...words), reported: words });
  },
});
