// The template helpers: an explicit, sorted list of small, Ansible-flavoured functions for manifests and commands.
import { Buffer } from 'node:buffer';
import { posix } from 'node:path';
import YAML from 'yaml';
import { shellQuote } from '../connection/command.js';
import { getProp, keysOf } from './lookup.js';
import { truthy } from './truthy.js';

/** What Handlebars passes as the last argument of a helper (the part we use). */
interface Options {
  hash: Record<string, unknown>;
  data?: { root?: unknown };
  loc?: { start: { line: number; column: number } };
}

type Helper = (...args: unknown[]) => unknown;

/** Thrown by a helper for bad input; engine.ts turns it into a RingError with the template's origin. */
export class HelperError extends Error {
  constructor(message: string, readonly loc?: Options['loc']) {
    super(message);
    this.name = 'HelperError';
  }
}

/** Thrown by `hostvar`/`hostattr` when a host's variable is missing (as strict as `{{hostvars.h.k}}`). */
export class HelperUndefinedError extends Error {
  constructor(readonly path: string, readonly parent: unknown, readonly missingKey: string, readonly loc?: Options['loc']) {
    super(`undefined variable \`${path}\``);
    this.name = 'HelperUndefinedError';
  }
}

/** Helpers whose arguments may be undefined (conditionals and fallbacks); every other helper refuses them. */
export const LENIENT_HELPERS: ReadonlySet<string> = new Set(['and', 'default', 'if', 'lookup', 'not', 'or', 'unless', 'with']);

/** Splits Handlebars' trailing options argument from the positional ones. */
function split(args: unknown[]): [unknown[], Options] {
  return [args.slice(0, -1), args[args.length - 1] as Options];
}

/** A helper taking exactly its positional arguments (options are dropped). */
function plain(fn: (...a: any[]) => unknown): Helper {
  return (...args: unknown[]) => fn(...split(args)[0]);
}

function str(v: unknown, helper: string, o?: Options): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new HelperError(`\`${helper}\` needs a string, got ${describe(v)}`, o?.loc);
}

function list(v: unknown, helper: string, o?: Options): unknown[] {
  if (Array.isArray(v)) return v;
  throw new HelperError(`\`${helper}\` needs a list, got ${describe(v)}`, o?.loc);
}

/** A short description of a value's type for error messages. */
export function describe(v: unknown): string {
  if (v === undefined) return 'nothing (undefined)';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'a mapping' : `a ${typeof v}`;
}

/** Text of a value as printed by `{{x}}`: lists and mappings as compact JSON, never `[object Object]`. */
export function toText(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** `hostvars[host][key]` from the root variables, strictly. */
function hostvar(host: unknown, key: unknown, o: Options): unknown {
  const h = str(host, 'hostvar', o);
  const k = str(key, 'hostvar', o);
  const hostvars = getProp(o.data?.root, 'hostvars');
  if (!hostvars.found) throw new HelperUndefinedError('hostvars', o.data?.root, 'hostvars', o.loc);
  const vars = getProp(hostvars.value, h);
  if (!vars.found) throw new HelperUndefinedError(`hostvars.${h}`, hostvars.value, h, o.loc);
  const got = getProp(vars.value, k);
  if (!got.found) throw new HelperUndefinedError(`hostvars.${h}.${k}`, vars.value, k, o.loc);
  return got.value;
}

/** Follows a dotted path (`a.b.0`) leniently: undefined when any step is missing. */
function getPath(obj: unknown, path: unknown): unknown {
  let cur = obj;
  for (const part of String(path).split('.')) {
    const got = getProp(cur, part);
    if (!got.found) return undefined;
    cur = got.value;
  }
  return cur;
}

/** Ansible's indent: every line but the first (unless first=true) gets N spaces; blank lines stay blank. */
function indent(text: unknown, width: unknown, o: Options): string {
  const n = width === undefined || typeof width === 'object' ? 4 : Number(width);
  if (!Number.isInteger(n) || n < 0) throw new HelperError('`indent` needs a whole number of spaces', o.loc);
  const pad = ' '.repeat(n);
  const first = o.hash.first === true;
  return str(text, 'indent', o)
    .split('\n')
    .map((line, i) => ((i > 0 || first) && line !== '' ? pad + line : line))
    .join('\n');
}

function lengthOf(v: unknown, o: Options): number {
  if (Array.isArray(v) || typeof v === 'string') return v.length;
  if (v && typeof v === 'object') return keysOf(v).length;
  throw new HelperError(`\`length\` needs a list, a string or a mapping, got ${describe(v)}`, o.loc);
}

/** Every helper, sorted by name; the single place to add one. */
export const HELPERS: ReadonlyArray<readonly [string, Helper]> = [
  ['and', plain((...a: unknown[]) => a.every(truthy))],
  ['b64decode', (...a) => { const [[v], o] = split(a); return Buffer.from(str(v, 'b64decode', o), 'base64').toString('utf8'); }],
  ['b64encode', (...a) => { const [[v], o] = split(a); return Buffer.from(str(v, 'b64encode', o), 'utf8').toString('base64'); }],
  ['basename', (...a) => { const [[v], o] = split(a); return posix.basename(str(v, 'basename', o)); }],
  ['concat', plain((...a: unknown[]) => a.map(toText).join(''))],
  ['default', plain((v: unknown, fallback: unknown) => (v === undefined || v === null ? fallback : v))],
  ['dirname', (...a) => { const [[v], o] = split(a); return posix.dirname(str(v, 'dirname', o)); }],
  ['eq', plain((x: unknown, y: unknown) => x === y)],
  ['first', (...a) => { const [[v], o] = split(a); return list(v, 'first', o)[0]; }],
  ['get', plain(getPath)],
  ['hostattr', (...a) => { const [[hosts, key], o] = split(a); return list(hosts, 'hostattr', o).map((h) => hostvar(h, key, o)); }],
  ['hostvar', (...a) => { const [[host, key], o] = split(a); return hostvar(host, key, o); }],
  ['indent', (...a) => { const [[text, width], o] = split(a); return indent(text, width, o); }],
  ['join', (...a) => { const [[v, sep], o] = split(a); return list(v, 'join', o).map(toText).join(sep === undefined ? ',' : toText(sep)); }],
  ['json', (...a) => { const [[v, sp]] = split(a); return JSON.stringify(v, null, typeof sp === 'number' ? sp : undefined); }],
  ['keys', plain((v: unknown) => keysOf(v))],
  ['last', (...a) => { const [[v], o] = split(a); const l = list(v, 'last', o); return l[l.length - 1]; }],
  ['length', (...a) => { const [[v], o] = split(a); return lengthOf(v, o); }],
  ['lower', (...a) => { const [[v], o] = split(a); return str(v, 'lower', o).toLowerCase(); }],
  ['ne', plain((x: unknown, y: unknown) => x !== y)],
  ['not', plain((v: unknown) => !truthy(v))],
  ['or', plain((...a: unknown[]) => a.some(truthy))],
  ['pluck', (...a) => { const [[v, key], o] = split(a); return list(v, 'pluck', o).map((item) => getPath(item, key)); }],
  ['quote', (...a) => { const [[v], o] = split(a); return shellQuote(str(v, 'quote', o)); }],
  ['replace', (...a) => { const [[v, from, to], o] = split(a); return str(v, 'replace', o).split(str(from, 'replace', o)).join(toText(to)); }],
  // `-e targets=node3,node4` arrives as text: split it into a list (items trimmed, empty ones dropped).
  ['split', (...a) => { const [[v, sep], o] = split(a); return str(v, 'split', o).split(sep === undefined ? ',' : toText(sep)).map((x) => x.trim()).filter((x) => x !== ''); }],
  ['trim', (...a) => { const [[v], o] = split(a); return str(v, 'trim', o).trim(); }],
  ['upper', (...a) => { const [[v], o] = split(a); return str(v, 'upper', o).toUpperCase(); }],
  // List difference, e.g. the targets whose member is not a healthy voter: `without targets live.voting_hosts`.
  ['without', (...a) => { const [[v, drop], o] = split(a); const gone = new Set(list(drop, 'without', o)); return list(v, 'without', o).filter((x) => !gone.has(x)); }],
  ['yaml', plain((v: unknown) => YAML.stringify(v).replace(/\n$/, ''))],
];
