// `ringmaster inventory --list | --host NAME`: the merged inventory as ansible-inventory prints it.
import { RingError } from '../errors/index.js';
import { maskSecretVars } from '../inventory/mask-vars.js';
import { groupMembers, hostVars } from '../inventory/vars.js';
import { parseExtraVars } from '../load/extra-vars.js';
import { loadInventories } from '../load/inventory.js';
import type { Inventory } from '../load/model.js';
import { suggest } from '../validate/suggest.js';
import { parseFlags } from './flags.js';
import type { CliIO, CommandDef } from './types.js';

const HELP = `Usage: ringmaster inventory -i INVENTORY... (--list | --host NAME) [-e VARS]... [--export]

Shows the inventory after merging every -i source, group_vars/ and host_vars/, as JSON shaped like
\`ansible-inventory\`.

Options:
  -i, --inventory FILE|DIR   inventory source (repeatable; YAML, INI, folders)
      --list                 every group ({hosts, children}) and, under _meta.hostvars, each host's merged vars
      --host NAME            one host's merged variables (all < parent groups < child groups < host < -e)
      --export               with --list: each group's own vars, and hosts' own vars only (not merged)
  -e, --extra-vars VARS      key=value, '{"json": 1}' or @file.yml (repeatable; they win over the inventory)
      --show-secrets         print the values of password/secret/token variables (masked as *** by default;
                             ansible-inventory prints them)`;

const OPTIONS = {
  inventory: { type: 'string', short: 'i', multiple: true },
  list: { type: 'boolean' },
  host: { type: 'string' },
  export: { type: 'boolean' },
  'extra-vars': { type: 'string', short: 'e', multiple: true },
  'show-secrets': { type: 'boolean' },
} as const;

export const inventoryCommand: CommandDef = {
  name: 'inventory',
  summary: 'show the merged inventory (--list) or one host\'s variables (--host NAME) as JSON',
  help: HELP,
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseFlags(argv, OPTIONS, 'inventory');
    if (positionals.length) throw new RingError('E_USAGE', `unexpected argument '${positionals[0]}'`, { hint: 'inventory sources go after -i: ringmaster inventory -i hosts.yml --list' });
    if (!values.inventory?.length) throw new RingError('E_USAGE', 'give an inventory with -i FILE|DIR');
    if (Number(values.list === true) + Number(values.host !== undefined) !== 1) throw new RingError('E_USAGE', 'give exactly one of --list or --host NAME');
    const inv = await loadInventories(values.inventory);
    const extra = await parseExtraVars(values['extra-vars'] ?? [], io.cwd);
    if (values.host !== undefined) {
      if (!inv.hosts.has(values.host)) {
        const near = suggest(values.host, inv.hosts.keys());
        throw new RingError('E_USAGE', `no host named '${values.host}' in the inventory${near ? `; did you mean '${near}'?` : ''}`, { hint: 'list the hosts with `ringmaster inventory -i ... --list`' });
      }
      print(io, { ...hostVars(inv, values.host), ...extra }, values['show-secrets'] === true);
      return 0;
    }
    print(io, listing(inv, extra, values.export === true), values['show-secrets'] === true);
    return 0;
  },
};

/** The JSON on stdout; secret-named values masked unless asked for, with a note on stderr saying how to see them. */
function print(io: CliIO, data: Record<string, unknown>, showSecrets: boolean): void {
  const hidden = { count: 0 };
  const shown = showSecrets ? data : maskSecretVars(data, hidden);
  io.stdout.write(`${JSON.stringify(shown, null, 2)}\n`);
  if (hidden.count > 0) io.stderr.write(`note: ${hidden.count} value(s) of password/secret/token variables are shown as ***; --show-secrets prints them\n`);
}

/** ansible-inventory --list: `_meta.hostvars`, then each group with its hosts and children. */
export function listing(inv: Inventory, extra: Record<string, unknown>, exportVars: boolean): Record<string, unknown> {
  const hostvars: Record<string, unknown> = {};
  for (const name of inv.hosts.keys()) {
    const own = exportVars ? inv.hosts.get(name)!.vars : hostVars(inv, name);
    const vars = { ...own, ...extra };
    if (Object.keys(vars).length) hostvars[name] = vars;
  }
  const out: Record<string, unknown> = { _meta: { hostvars } };
  const members = groupMembers(inv);
  for (const g of inv.groups.values()) {
    const entry: Record<string, unknown> = {};
    if (g.hosts.length) entry.hosts = [...g.hosts];
    if (g.children.length) entry.children = [...g.children];
    if (exportVars && Object.keys(g.vars).length) entry.vars = g.vars;
    if (g.name === 'ungrouped' && !members.ungrouped.length) continue;
    out[g.name] = entry;
  }
  return out;
}
