// `ringmaster validate`: loads and checks playbooks, inventories and extra vars without touching a host.
import { relative } from 'node:path';
import { RingError, RingErrors } from '../errors/index.js';
import { parseExtraVars } from '../load/extra-vars.js';
import { loadInventories } from '../load/inventory.js';
import { createRunContext } from '../execute/defaults.js';
import { preflight } from '../execute/preflight.js';
import { RunState } from '../execute/state.js';
import type { Inventory, Node, Playbook } from '../load/model.js';
import { checkPlaybook } from '../load/playbook.js';
import { checkTemplates } from '../load/check-templates.js';
import { checkPlaybookFiles } from '../load/check-files.js';
import { checkInventoryTemplates } from '../load/check-inventory-templates.js';
import { createTemplateEngine } from '../template/engine.js';
import { sortErrors } from '../load/yaml.js';
import { checkHostPatterns } from '../validate/host-patterns.js';
import { parseFlags } from './flags.js';
import type { CliIO, CommandDef } from './types.js';

const HELP = `Usage: ringmaster validate PLAYBOOK... [-i INVENTORY]... [-e VARS]...

Checks everything a run would read, without connecting to any host: each playbook against its schema
(keywords, one module per task, the module's arguments, notify targets, imported task files), template
and condition syntax, its vars_files and template files, the inventories (YAML, INI, group_vars/, host_vars/,
template syntax of their values) and the extra vars.
Every problem of every file is reported in one go, each with file:line:col.

Options:
  -i, --inventory FILE|DIR   inventory source (repeatable); plays' host patterns are checked against it
  -e, --extra-vars VARS      key=value, '{"json": 1}' or @file.yml (repeatable)

Prints "ok: N plays, M tasks in FILE" per playbook and exits 0; exits 1 when anything is invalid.`;

const OPTIONS = {
  inventory: { type: 'string', short: 'i', multiple: true },
  'extra-vars': { type: 'string', short: 'e', multiple: true },
} as const;

export const validateCommand: CommandDef = {
  name: 'validate',
  summary: 'check playbooks, inventories and extra vars (all errors, with file:line:col)',
  help: HELP,
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseFlags(argv, OPTIONS, 'validate');
    const inventories = values.inventory ?? [];
    if (!positionals.length && !inventories.length) throw new RingError('E_USAGE', 'give at least one playbook (or -i INVENTORY) to validate', { hint: 'ringmaster validate playbooks/replace-member.yml -i inventories/lab.yml' });
    const errors: RingError[] = [];
    const collect = async <T>(work: () => Promise<T>): Promise<T | undefined> => {
      try {
        return await work();
      } catch (e) {
        if (e instanceof RingErrors) errors.push(...e.errors);
        else if (e instanceof RingError) errors.push(e);
        else throw e;
        return undefined;
      }
    };
    const playbooks: Playbook[] = [];
    const engine = createTemplateEngine();
    for (const file of positionals) {
      const { playbook, errors: found } = await checkPlaybook(file);
      errors.push(...found);
      if (playbook) {
        const syntax = [...(await checkTemplates(playbook)), ...(await checkPlaybookFiles(playbook, engine))];
        errors.push(...syntax);
        if (!syntax.length) playbooks.push(playbook);
      }
    }
    const inv = inventories.length ? await collect(() => loadInventories(inventories)) : undefined;
    if (inv) errors.push(...checkInventoryTemplates(inv, engine));
    const extraVars = await collect(() => parseExtraVars(values['extra-vars'] ?? [], io.cwd));
    const warnings = inv ? checkHostPatterns(playbooks, inv, errors) : [];
    // With an inventory, what `run` would refuse before its first task: every task rendered for its hosts.
    if (inv && extraVars && !errors.length) errors.push(...(await preflight(new RunState(offlineContext(inv, extraVars)), playbooks)));
    if (errors.length) {
      sortErrors(errors);
      throw new RingErrors(errors);
    }
    for (const w of warnings) io.stderr.write(`warning: ${w}\n`);
    for (const pb of playbooks) {
      const tasks = pb.plays.reduce((n, p) => n + count(p.pre_tasks) + count(p.tasks) + count(p.post_tasks) + p.handlers.length, 0);
      io.stdout.write(`ok: ${pb.plays.length} play${pb.plays.length === 1 ? '' : 's'}, ${tasks} task${tasks === 1 ? '' : 's'} in ${display(pb.file, io.cwd)}\n`);
    }
    if (inv) {
      const groups = [...inv.groups.keys()].filter((g) => g !== 'all' && g !== 'ungrouped').length;
      io.stdout.write(`ok: ${inv.hosts.size} host${inv.hosts.size === 1 ? '' : 's'} in ${groups} group${groups === 1 ? '' : 's'} in ${inv.sources.map((s) => display(s, io.cwd)).join(', ')}\n`);
    }
    return 0;
  },
};

/** A run context that can render but never connects (validate touches no host). */
function offlineContext(inventory: Inventory, extraVars: Record<string, unknown>) {
  return createRunContext({
    inventory,
    bus: { emit: () => undefined, addSecrets: () => undefined },
    connections: { connect: (host) => Promise.reject(new RingError('E_INTERNAL', `validate must not connect (to ${host})`)), closeAll: () => Promise.resolve() },
    options: { extraVars },
  });
}

/** Tasks, counting those inside blocks (not the blocks themselves). */
function count(nodes: Node[]): number {
  return nodes.reduce((n, x) => n + (x.kind === 'block' ? count(x.block) + count(x.rescue) + count(x.always) : 1), 0);
}

function display(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return rel.startsWith('..') ? file : rel;
}
