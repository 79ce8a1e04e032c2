// `ringmaster run`: flags → loaded playbooks and inventory → the executor with reporters, SSH and signal handling.
import { createInterface } from 'node:readline/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { HostConnections } from '../connection/factory.js';
import { SshConnector } from '../connection/ssh/connector.js';
import { RingError, RingErrors } from '../errors/index.js';
import type { StepAnswer } from '../execute/context.js';
import { createRunContext } from '../execute/defaults.js';
import { runPlaybooks } from '../execute/run.js';
import { envSecrets } from '../inventory/secret-names.js';
import { runHostVars } from '../inventory/vars.js';
import { enterLabIfNeeded } from '../lab/enter.js';
import { parseExtraVars } from '../load/extra-vars.js';
import { loadInventories } from '../load/inventory.js';
import type { Inventory, Playbook } from '../load/model.js';
import { checkTemplates } from '../load/check-templates.js';
import { checkPlaybookFiles } from '../load/check-files.js';
import { checkInventoryTemplates } from '../load/check-inventory-templates.js';
import { createTemplateEngine } from '../template/engine.js';
import { loadPlaybook } from '../load/playbook.js';
import { createEventBus } from '../report/index.js';
import { checkHostPatterns } from '../validate/host-patterns.js';
import { suggest } from '../validate/suggest.js';
import { watchInterrupts } from './interrupt.js';
import type { CliIO, CommandDef } from './types.js';

const HELP = `Usage: ringmaster run PLAYBOOK... [-i INVENTORY]... [options]

Runs the playbooks in order, each task on all targeted hosts (up to --forks at once) before the next.

Options:
  -i, --inventory FILE|DIR     inventory source (repeatable; YAML, INI, group_vars/, host_vars/)
  -e, --extra-vars VARS        key=value, '{"json": 1}' or @file.yml (repeatable; always win)
  -C, --check                  change nothing; report what would change
  -D, --diff                   show file differences
  -l, --limit PATTERN          only these hosts (intersected with every play's hosts)
  -t, --tags TAGS              only tasks with these tags (comma-separated, repeatable)
      --skip-tags TAGS         skip tasks with these tags
      --start-at-task NAME     start at the task with this exact name
  -f, --forks N                hosts in parallel per task (default 10)
      --step                   ask before each task (needs a terminal)
      --break-lock             break the cluster lock (etcd_lock) of another run, with a warning: only when
                               that run is dead (its holder record is shown when a run is refused)
  -v, --verbose                more output (-vv, -vvv)
      --output MODE            auto | listr | plain | json (default auto: listr on a terminal)
      --junit FILE             also write a JUnit XML report
      --host-key-checking MODE strict | accept-new | off (default strict)
      --ssh-config FILE        OpenSSH client config (default ~/.ssh/config)
      --known-hosts FILE       known_hosts file read first; accept-new records new keys in it
      --connect-timeout SEC    SSH connect timeout (default 10)

A playbook that changes the cluster takes its lock first; another run holding it refuses at once (exit 8), naming
its holder. The lock is released when the run ends, also on failure and on Ctrl-C / SIGTERM / SIGHUP: the first
signal ends the running remote commands and stops the run (its cleanups still release the lock); a second one, a
second or more later, drops the connections at once, without releasing (the lock then expires after its TTL).

Exit codes (bit flags): 0 ok, 1 usage/validation, 2 a task failed, 4 a host was unreachable, 8 aborted by a safety guard or interrupted
(no host is blamed for the interrupt).`;

const OPTIONS = {
  inventory: { type: 'string', short: 'i', multiple: true },
  'extra-vars': { type: 'string', short: 'e', multiple: true },
  check: { type: 'boolean', short: 'C' },
  diff: { type: 'boolean', short: 'D' },
  limit: { type: 'string', short: 'l' },
  tags: { type: 'string', short: 't', multiple: true },
  'skip-tags': { type: 'string', multiple: true },
  'start-at-task': { type: 'string' },
  forks: { type: 'string', short: 'f' },
  step: { type: 'boolean' },
  'break-lock': { type: 'boolean' },
  verbose: { type: 'boolean', short: 'v', multiple: true },
  output: { type: 'string' },
  junit: { type: 'string' },
  'host-key-checking': { type: 'string' },
  'ssh-config': { type: 'string' },
  'known-hosts': { type: 'string' },
  'connect-timeout': { type: 'string' },
} as const;

type Parsed = ReturnType<typeof parse>;

function parse(argv: string[]) {
  try {
    return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    const msg = (e as Error).message;
    const flag = /'(-{1,2}[^'\s]+)'/.exec(msg)?.[1];
    const near = flag?.startsWith('--') ? suggest(flag.slice(2), Object.keys(OPTIONS)) : undefined;
    throw new RingError('E_USAGE', `${msg.split('.')[0]}${near ? `; did you mean '--${near}'?` : ''}`);
  }
}

function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[], dflt: T): T {
  if (value === undefined) return dflt;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  const near = suggest(value, allowed);
  throw new RingError('E_USAGE', `--${flag} must be one of ${allowed.join(', ')}, not '${value}'${near ? `; did you mean '${near}'?` : ''}`);
}

function positiveNumber(flag: string, value: string | undefined, integer: boolean): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) throw new RingError('E_USAGE', `--${flag} must be a ${integer ? 'whole ' : ''}number above 0, not '${value}'`);
  return n;
}

const list = (values: string[] | undefined) => (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);

/**
 * Loads every playbook and checks all that `validate` checks (schemas, template and condition syntax, host
 * patterns), collecting every error into one RingErrors: nothing runs unless everything validates.
 */
async function loadAll(files: string[], cwd: string, inventory: Inventory): Promise<Playbook[]> {
  const errors: RingError[] = [];
  const books: Playbook[] = [];
  const engine = createTemplateEngine();
  for (const f of files) {
    try {
      const book = await loadPlaybook(resolve(cwd, f));
      errors.push(...(await checkTemplates(book)), ...(await checkPlaybookFiles(book, engine)));
      books.push(book);
    } catch (e) {
      if (e instanceof RingErrors) errors.push(...e.errors);
      else if (e instanceof RingError) errors.push(e);
      else throw e;
    }
  }
  if (inventory.hosts.size > 0) checkHostPatterns(books, inventory, errors);
  errors.push(...checkInventoryTemplates(inventory, engine));
  if (errors.length) throw new RingErrors(errors);
  return books;
}

function emptyInventory(): Inventory {
  const group = (name: string) => ({ name, hosts: [], children: [], vars: {} });
  return { hosts: new Map(), groups: new Map([['all', group('all')], ['ungrouped', group('ungrouped')]]), sources: [] };
}

/** `--step`'s question, answered on the terminal. */
function stepPrompt(io: CliIO, flush: () => Promise<void>): (task: string) => Promise<StepAnswer> {
  const ask = linePrompt(io, flush);
  return async (task) => {
    for (;;) {
      const a = (await ask(`Perform task: ${task} (N)o/(y)es/(c)ontinue: `)).trim().toLowerCase();
      if (a === 'y' || a === 'yes') return 'yes';
      if (a === 'c' || a === 'continue') return 'continue';
      if (a === '' || a === 'n' || a === 'no') return 'no';
    }
  };
}

/** One question on the terminal, after the console reporter has drawn everything before it. */
function linePrompt(io: CliIO, flush: () => Promise<void>): (question: string) => Promise<string> {
  return async (question) => {
    await flush();
    const rl = createInterface({ input: io.stdin, output: io.stderr });
    try {
      return await rl.question(question);
    } finally {
      rl.close();
    }
  };
}

async function run(argv: string[], io: CliIO): Promise<number> {
  const a: Parsed = parse(argv);
  const v = a.values;
  if (a.positionals.length === 0) throw new RingError('E_USAGE', 'give at least one playbook: ringmaster run PLAYBOOK... -i INVENTORY');
  if (v.step && !io.stdin.isTTY) throw new RingError('E_USAGE', '--step asks before each task and needs a terminal on stdin');
  const output = oneOf('output', v.output, ['auto', 'listr', 'plain', 'json'] as const, 'auto');
  const hostKeyChecking = oneOf('host-key-checking', v['host-key-checking'], ['strict', 'accept-new', 'off'] as const, 'strict');
  const forks = positiveNumber('forks', v.forks, true) ?? 10;
  const connectTimeout = positiveNumber('connect-timeout', v['connect-timeout'], false);
  const inventory = v.inventory?.length ? await loadInventories(v.inventory.map((p) => resolve(io.cwd, p))) : emptyInventory();
  const playbooks = await loadAll(a.positionals, io.cwd, inventory);
  const extraVars = v['extra-vars']?.length ? await parseExtraVars(v['extra-vars'], io.cwd) : {};
  const lab = inventory.groups.get('all')?.vars.ringmaster_lab;
  if (typeof lab === 'string' && lab) {
    const code = await enterLabIfNeeded(lab, ['run', ...argv], io);
    if (code !== undefined) return code;
  }
  const verbose = v.verbose?.length ?? 0;
  const bus = createEventBus({ output, junitFile: v.junit ? resolve(io.cwd, v.junit) : undefined, verbose, stdout: io.stdout, stderr: io.stderr, secrets: envSecrets(inventory, io.env, [extraVars, ...playbooks.flatMap((pb) => pb.plays.map((p) => p.vars))]), env: io.env, diff: v.diff === true });
  const interrupt = watchInterrupts(io.env);
  const interactive = io.stdin.isTTY === true;
  const ssh = new SshConnector({
    hostKeyChecking,
    hostKeyCheckingExplicit: v['host-key-checking'] !== undefined,
    sshConfigFile: v['ssh-config'] ? resolve(io.cwd, v['ssh-config']) : undefined,
    knownHostsFile: v['known-hosts'] ? resolve(io.cwd, v['known-hosts']) : undefined,
    connectTimeoutMs: connectTimeout === undefined ? undefined : connectTimeout * 1000,
    verbose: verbose > 0 ? (line) => io.stderr.write(`${bus.maskText(line)}\n`) : undefined,
    env: io.env,
    interactive,
    lookupHost: (name) => (inventory.hosts.has(name) ? runHostVars(inventory, name) : undefined),
    notice: (msg) => bus.emit({ type: 'warning', ts: new Date().toISOString(), msg }),
    // The first signal ends running commands; the run-end cleanups (releasing the lock) still need the
    // connections, so only a later, second signal drops them.
    signal: interrupt.signal,
    hardSignal: interrupt.hard,
  });
  try {
    const ctx = createRunContext({
      inventory,
      bus,
      connections: new HostConnections({ ssh }),
      signal: interrupt.signal,
      interactive,
      confirmStep: v.step ? stepPrompt(io, () => bus.flush()) : undefined,
      prompt: interactive ? linePrompt(io, () => bus.flush()) : undefined,
      warnings: hostKeyChecking === 'off' ? ['host key checking is off (--host-key-checking off): a man in the middle would not be noticed'] : undefined,
      log: verbose > 0 ? (line) => io.stderr.write(`${bus.maskText(line)}\n`) : undefined,
      options: {
        check: v.check === true, diff: v.diff === true, limit: v.limit, tags: list(v.tags), skipTags: list(v['skip-tags']),
        startAtTask: v['start-at-task'], forks, step: v.step === true, extraVars, verbose, breakLock: v['break-lock'] === true,
      },
    });
    const result = await runPlaybooks(playbooks, ctx);
    return result.exitCode;
  } finally {
    interrupt.dispose();
    await bus.close();
  }
}

export const runCommand: CommandDef = {
  name: 'run',
  summary: 'run playbooks against the inventory (check mode with -C)',
  help: HELP,
  run,
};
