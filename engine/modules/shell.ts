// `shell`: runs a command line through `sh -c` (or `executable`), so pipes and redirections work.
import { cmd } from '../connection/command.js';
import type { ShellArgs } from '../generated/schema-types.js';
import { defineModule } from './define.js';
import { runCommand } from './run-command.js';

export const shellModule = defineModule<ShellArgs>({
  name: 'shell',
  description: 'Run a command line on the host through a shell (`sh -c`, or `executable`): pipes, redirections and variables work.',
  schema: 'modules/shell.json',
  freeForm: 'cmd',
  supportsCheckMode: true,
  idempotent: false,
  example: `- name: Count the manifests
  shell:
    cmd: ls manifests | wc -l
    chdir: /etc/kubernetes
  register: manifest_count
`,
  async run(ctx, args) {
    // The script is one quoted argument of the shell, so the outer (connection) shell never interprets it.
    return runCommand(ctx, { ...args, command: cmd(args.executable ?? '/bin/sh', '-c', args.cmd), reported: args.cmd });
  },
});
