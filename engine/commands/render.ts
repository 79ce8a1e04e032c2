// `ringmaster render TEMPLATE -i INVENTORY --host NAME`: renders one template with one host's variables, offline.
import { randomBytes } from 'node:crypto';
import { readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { RingError } from '../errors/index.js';
import { loadInventories } from '../load/inventory.js';
import { parseExtraVars } from '../load/extra-vars.js';
import { createTemplateEngine } from '../template/engine.js';
import { renderVars } from '../template/render-vars.js';
import { suggest } from '../validate/suggest.js';
import { manifestInputProblems, renderManifestText } from '../modules/manifest-template.js';
import type { ManifestInputs } from '../modules/manifest-values.js';
import type { CommandDef } from './types.js';

const HELP = `Usage: ringmaster render TEMPLATE -i INVENTORY... --host NAME [-e k=v|@file]... [-o FILE]

Renders a Handlebars template (e.g. an etcd static-pod manifest) with one host's variables: its
inventory vars, extra vars, and inventory_hostname, groups and hostvars. For an etcd host (one with
etcd_peer_url and etcd_client_url), \`m\` holds what etcd_manifest computes, so the shipped templates
print what a playbook writes on a node with no manifest yet (over an existing one, etcd_manifest edits
its flags instead); -e initial_cluster=..., initial_cluster_state=new|existing and
force_new_cluster=true set its inputs (default: the inventory's etcd hosts, no state flag).
Never connects to any host.
  -i, --inventory PATH   inventory file or folder (repeatable)
      --host NAME        the inventory host whose variables are used
  -e, --extra-vars X     key=value, JSON, or @file.yml (repeatable; highest precedence)
  -o, --output FILE      write atomically to FILE instead of standard output`;

/** The parsed command line. */
interface RenderArgs {
  template: string;
  inventories: string[];
  host: string;
  extra: string[];
  output?: string;
}

function parseArgs(argv: string[]): RenderArgs {
  const inventories: string[] = [];
  const extra: string[] = [];
  const positional: string[] = [];
  let host: string | undefined;
  let output: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    const flag = eq > 0 ? a.slice(0, eq) : a;
    const value = (): string => {
      const v = eq > 0 ? a.slice(eq + 1) : argv[++i];
      if (v === undefined) throw new RingError('E_USAGE', `${flag} needs a value`, { hint: 'run `ringmaster render --help`' });
      return v;
    };
    if (flag === '-i' || flag === '--inventory') inventories.push(value());
    else if (flag === '-e' || flag === '--extra-vars') extra.push(value());
    else if (flag === '--host') host = value();
    else if (flag === '-o' || flag === '--output') output = value();
    else if (a.startsWith('-') && a !== '-') throw new RingError('E_USAGE', `unknown option '${a}' for \`ringmaster render\``, { hint: 'run `ringmaster render --help`' });
    else positional.push(a);
  }
  if (positional.length !== 1) throw new RingError('E_USAGE', `\`ringmaster render\` takes one TEMPLATE (got ${positional.length})`, { hint: 'run `ringmaster render --help`' });
  if (inventories.length === 0) throw new RingError('E_USAGE', '`ringmaster render` needs an inventory (-i)');
  if (!host) throw new RingError('E_USAGE', '`ringmaster render` needs --host NAME (whose variables to use)');
  return { template: positional[0], inventories, host, extra, output };
}

async function readTemplate(path: string, shown: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new RingError('E_FILE_NOT_FOUND', `template '${shown}' not found`);
    throw new RingError('E_FILE_UNREADABLE', `cannot read template '${shown}': ${(e as Error).message}`, { cause: e });
  }
}

/** Temp file in the target's folder, then rename: a reader never sees half a manifest. */
async function writeAtomically(path: string, text: string): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, text, { mode: 0o644 });
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw new RingError('E_FILE_UNREADABLE', `cannot write '${path}': ${(e as Error).message}`, { cause: e });
  }
}

/** etcd_manifest's render inputs given as extra vars (`-e initial_cluster_state=existing`), checked like its arguments. */
function manifestInputs(extra: Record<string, unknown>): ManifestInputs {
  const out: ManifestInputs = {};
  if (typeof extra.initial_cluster === 'string' && extra.initial_cluster) out.initial_cluster = extra.initial_cluster;
  const state = extra.initial_cluster_state;
  if (state !== undefined) {
    if (state !== 'new' && state !== 'existing') throw new RingError('E_USAGE', `-e initial_cluster_state=${String(state)}: must be new or existing`);
    out.initial_cluster_state = state;
  }
  const force = extra.force_new_cluster;
  if (force !== undefined) {
    if (![true, false, 'true', 'false'].includes(force as string | boolean)) throw new RingError('E_USAGE', `-e force_new_cluster=${String(force)}: must be true or false`);
    out.force_new_cluster = force === true || force === 'true';
  }
  return out;
}

export const renderCommand: CommandDef = {
  name: 'render',
  summary: 'render a template with one host\'s variables (offline)',
  help: HELP,
  async run(argv, io) {
    const args = parseArgs(argv);
    const inv = await loadInventories(args.inventories.map((p) => resolve(io.cwd, p)));
    if (!inv.hosts.has(args.host)) {
      const known = [...inv.hosts.keys()];
      const near = suggest(args.host, known);
      const list = known.length > 20 ? `${known.slice(0, 20).join(', ')}, …` : known.join(', ');
      throw new RingError('E_USAGE', `unknown host '${args.host}'${near ? `; did you mean '${near}'?` : ''}`, {
        hint: known.length ? `the inventory's hosts are: ${list}` : 'the inventory has no hosts',
      });
    }
    const extra = await parseExtraVars(args.extra, io.cwd);
    const text = await readTemplate(resolve(io.cwd, args.template), args.template);
    const engine = createTemplateEngine();
    const vars = renderVars(inv, args.host, extra, engine);
    const where = { host: args.host, what: `template ${args.template}`, location: { file: args.template, line: 1, col: 1 } };
    // An etcd host renders with `m` exactly as etcd_manifest computes it (inputs from -e, under its argument names).
    const out = manifestInputProblems(vars).length === 0
      ? renderManifestText(text, vars, args.host, manifestInputs(extra), undefined, where)
      : engine.render(text, vars, where);
    if (args.output) await writeAtomically(resolve(io.cwd, args.output), out);
    else io.stdout.write(out);
    return 0;
  },
};
