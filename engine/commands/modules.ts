// `ringmaster modules [NAME]`: the module list, or one module's arguments, flags and example (from its schema).
import { RingError } from '../errors/index.js';
import type { ModuleDefinition } from '../modules/define.js';
import { argumentDocs, exclusiveGroups, loadModuleSchema } from '../modules/describe.js';
import { MODULES } from '../modules/registry.js';
import { suggest } from '../validate/suggest.js';
import type { CommandDef } from './types.js';

const HELP = `Usage: ringmaster modules [NAME] [--output text|json]

Without NAME: every module with its one-line description.
With NAME: the module's description, whether it supports check mode and is idempotent, each argument
(type, required, default, allowed values, description) and an example task.
  --output json   print the module's JSON Schema (without NAME: the list as JSON)`;

function parseArgs(argv: string[]): { name?: string; json: boolean } {
  let name: string | undefined;
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--output' || a === '-o' || a.startsWith('--output=')) {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      if (v !== 'json' && v !== 'text') throw new RingError('E_USAGE', `--output takes text or json, not '${v ?? ''}'`);
      json = v === 'json';
    } else if (a.startsWith('-')) {
      throw new RingError('E_USAGE', `unknown option '${a}' for \`ringmaster modules\``, { hint: 'run `ringmaster modules --help`' });
    } else if (name === undefined) {
      name = a;
    } else {
      throw new RingError('E_USAGE', `\`ringmaster modules\` takes at most one module name (got '${name}' and '${a}')`);
    }
  }
  return { name, json };
}

/** The module named `name`, or E_UNKNOWN_MODULE with the nearest name. */
export function findModule(name: string): ModuleDefinition<unknown> {
  const def = MODULES.get(name);
  if (def) return def;
  const near = suggest(name, [...MODULES.keys()]);
  throw new RingError('E_UNKNOWN_MODULE', `unknown module '${name}'${near ? `; did you mean '${near}'?` : ''}`);
}

/** The table of all modules. */
export function listText(): string {
  const width = Math.max(...[...MODULES.keys()].map((n) => n.length));
  return [...MODULES.values()].map((m) => `${m.name.padEnd(width)}  ${m.description}`).join('\n');
}

/** Everything about one module, for a person. */
export function moduleText(def: ModuleDefinition<unknown>): string {
  const schema = loadModuleSchema(def);
  const flags = [
    `check mode: ${def.supportsCheckMode ? 'supported' : 'not supported'}`,
    `idempotent: ${def.idempotent ? 'yes' : 'no'}`,
    def.local ? 'runs on the controller' : 'runs on the host',
    ...(def.freeForm ? [`free-form value: ${def.freeForm}`] : []),
  ];
  const lines = [`${def.name}: ${def.description}`, '', flags.join('; '), '', 'Arguments:'];
  for (const a of argumentDocs(schema)) {
    const facts = [a.type, a.required ? 'required' : 'optional'];
    if (a.default !== undefined) facts.push(`default ${JSON.stringify(a.default)}`);
    if (a.enum) facts.push(`one of ${a.enum.map((v) => JSON.stringify(v)).join(', ')}`);
    lines.push(`  ${a.name} (${facts.join(', ')})`, `      ${a.description}`);
  }
  for (const g of exclusiveGroups(schema)) lines.push(`  (${g})`);
  lines.push('', 'Example:', ...def.example.trimEnd().split('\n').map((l) => `  ${l}`));
  return lines.join('\n');
}

export const modulesCommand: CommandDef = {
  name: 'modules',
  summary: 'list the modules, or show one module\'s arguments and an example',
  help: HELP,
  async run(argv, io) {
    const { name, json } = parseArgs(argv);
    if (name === undefined) {
      const list = [...MODULES.values()].map((m) => ({ name: m.name, description: m.description }));
      io.stdout.write(json ? `${JSON.stringify(list, null, 2)}\n` : `${listText()}\n`);
      return 0;
    }
    const def = findModule(name);
    io.stdout.write(json ? `${JSON.stringify(loadModuleSchema(def), null, 2)}\n` : `${moduleText(def)}\n`);
    return 0;
  },
};
