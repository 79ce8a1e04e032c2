// argv → command: the only place that prints fatal errors and turns them into an exit code.
import { allCommands, COMMANDS } from './commands/registry.js';
import type { CliIO, CommandDef } from './commands/types.js';
import { writeDebugLog } from './debug-log.js';
import { EXIT, RingError, RingErrors } from './errors/index.js';
import { formatError, formatErrors } from './errors/format.js';
import { suggest } from './validate/suggest.js';

const VERSION = '0.1.0';

async function usage(): Promise<string> {
  const names = (await allCommands()).map((c) => `  ${c.name.padEnd(10)} ${c.summary}`).join('\n');
  return `ringmaster ${VERSION}: declarative, quorum-safe playbooks for etcd rings

Usage: ringmaster <command> [options]

Commands:
${names}

Run 'ringmaster <command> --help' for a command's options.
Exit codes (bit flags): 0 ok, 1 usage/validation, 2 task failed, 4 host unreachable, 8 aborted by a safety guard or interrupted, 255 internal error.
`;
}

/** Runs one CLI invocation and returns its exit code (never throws). */
export async function main(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(await usage());
    return name ? EXIT.ok : EXIT.usage;
  }
  if (name === '--version' || name === '-V') {
    io.stdout.write(`${VERSION}\n`);
    return EXIT.ok;
  }
  const load = COMMANDS.get(name);
  if (!load) {
    const near = suggest(name, [...COMMANDS.keys()]);
    io.stderr.write(`error[E_USAGE]: unknown command '${name}'${near ? `; did you mean '${near}'?` : ''}\n${await usage()}`);
    return EXIT.usage;
  }
  let command: CommandDef;
  try {
    command = await load();
  } catch (e) {
    return reportFatal(e, io, argv);
  }
  // Only flags before `--` are ringmaster's: `lab run -- ssh node1 --help` passes --help along.
  const own = rest.includes('--') ? rest.slice(0, rest.indexOf('--')) : rest;
  if (own.includes('--help') || own.includes('-h')) {
    io.stdout.write(`${command.help.trimEnd()}\n`);
    return EXIT.ok;
  }
  try {
    return await command.run(rest, io);
  } catch (e) {
    return reportFatal(e, io, argv);
  }
}

function reportFatal(e: unknown, io: CliIO, argv: readonly string[]): number {
  if (e instanceof RingErrors) {
    io.stderr.write(`${formatErrors(e)}\n`);
    return e.exitCode;
  }
  if (e instanceof RingError) {
    io.stderr.write(`${formatError(e)}\n`);
    return e.exitCode;
  }
  const log = writeDebugLog(e, argv, VERSION);
  io.stderr.write(`error[E_INTERNAL]: ringmaster hit an internal error: ${(e as Error)?.message ?? String(e)}\n  the stack trace is in ${log}\n  hint: this is a bug in ringmaster: please report it with that file (extra vars are left out of it; check its message for anything private first)\n`);
  return EXIT.internal;
}
