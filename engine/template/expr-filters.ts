// The registry of filters for conditions (`x | length`, `r.stdout | from_json`): an explicit, sorted map.
import { Buffer } from 'node:buffer';
import { posix } from 'node:path';
import YAML from 'yaml';
import { shellQuote } from '../connection/command.js';
import { getProp, isMapping } from './lookup.js';
import { truthy } from './truthy.js';
import { METHODS, TESTS } from './expr-tests.js';
import { asList, asNumber, asString, compareValues, deepEqual, ExprEvalError, need, regexFind, regexSub, text, typeName, Undef } from './expr-values.js';

/** A filter: the value (an Undef only if `undefinedOk`), positional and keyword arguments. */
export interface FilterDef {
  fn: (v: unknown, args: unknown[], kw: Record<string, unknown>) => unknown;
  /** `default` alone may receive an undefined value. */
  undefinedOk?: boolean;
}

function toInt(v: unknown, dflt: unknown): number {
  if (typeof v === 'number') return Math.trunc(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string' && /^\s*[+-]?\d+(\.\d*)?\s*$/.test(v)) return Math.trunc(Number(v));
  return typeof dflt === 'number' ? dflt : 0;
}

function toFloat(v: unknown, dflt: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
  return typeof dflt === 'number' ? dflt : 0;
}

function toBool(v: unknown): boolean {
  if (typeof v === 'string') return ['yes', 'on', '1', 'true', 't', 'y'].includes(v.trim().toLowerCase());
  return truthy(v);
}

/** `attribute` may be dotted (`status.leader`); a missing step gives undefined. */
function attr(item: unknown, path: string): unknown {
  let cur = item;
  for (const part of path.split('.')) {
    const got = getProp(cur, part);
    if (!got.found) return undefined;
    cur = got.value;
  }
  return cur;
}

/** `select`/`reject`/`selectattr`/`rejectattr`: keep items whose (attribute) passes a test (default: truthy). */
function selectBy(list: unknown, want: boolean, attribute: string | undefined, testArgs: unknown[]): unknown[] {
  const [testName, ...rest] = testArgs;
  const test = testName === undefined ? undefined : TESTS.get(asString(testName, 'select'));
  if (testName !== undefined && !test) throw new ExprEvalError(`unknown test \`${String(testName)}\``);
  return asList(list, 'select').filter((item) => {
    const raw = attribute === undefined ? item : attr(item, attribute);
    const v = raw === undefined ? new Undef(attribute ?? '', item, attribute ?? '', 0) : raw;
    const ok = test ? (test.undefinedOk || !(v instanceof Undef) ? test.fn(v, rest) : false) : truthy(raw);
    return ok === want;
  });
}

function mapFilter(list: unknown, args: unknown[], kw: Record<string, unknown>): unknown[] {
  const items = asList(list, 'map');
  if (kw.attribute !== undefined) {
    const path = asString(kw.attribute, 'map(attribute=)');
    return items.map((i) => {
      const v = attr(i, path);
      if (v === undefined && kw.default === undefined) throw new ExprEvalError(`map: an item has no attribute \`${path}\``);
      return v === undefined ? kw.default : v;
    });
  }
  const [name, ...rest] = args;
  const f = FILTERS.get(asString(name, 'map'));
  if (!f) throw new ExprEvalError(`map: unknown filter \`${String(name)}\``);
  return items.map((i) => f.fn(i, rest, {}));
}

function sortFilter(list: unknown, kw: Record<string, unknown>): unknown[] {
  const key = kw.attribute === undefined ? (x: unknown) => x : (x: unknown) => attr(x, asString(kw.attribute, 'sort(attribute=)'));
  const out = [...asList(list, 'sort')].sort((a, b) => compareValues(key(a), key(b)));
  return kw.reverse === true ? out.reverse() : out;
}

function extreme(list: unknown, sign: number, name: string): unknown {
  const items = asList(list, name);
  if (items.length === 0) throw new ExprEvalError(`${name} of an empty list`);
  return items.reduce((best, x) => (compareValues(x, best) * sign > 0 ? x : best));
}

function fromJson(v: unknown): unknown {
  try {
    return JSON.parse(asString(v, 'from_json'));
  } catch (e) {
    if (e instanceof ExprEvalError) throw e;
    throw new ExprEvalError(`from_json: not valid JSON (${(e as Error).message})`);
  }
}

function regexFlags(kw: Record<string, unknown>): string {
  return (kw.ignorecase === true ? 'i' : '') + (kw.multiline === true ? 'm' : '');
}

function lengthOf(v: unknown): number {
  if (Array.isArray(v) || typeof v === 'string') return v.length;
  if (isMapping(v)) return Object.keys(v).length;
  throw new ExprEvalError(`length needs a list, string or mapping, got ${typeName(v)}`);
}

/** `default(x)` and its short name `d(x)`; `default(x, true)` also replaces falsy values, as in Jinja. */
const DEFAULT: FilterDef = { fn: (v, [d, onFalsy]) => (v instanceof Undef || v === undefined || (onFalsy === true && !truthy(v)) ? d : v), undefinedOk: true };

const method = (name: string) => METHODS.get(name)!.fn;

/** Every filter, sorted by name. */
export const FILTERS: ReadonlyMap<string, FilterDef> = new Map<string, FilterDef>([
  ['abs', { fn: (v) => Math.abs(asNumber(v, 'abs')) }],
  ['b64decode', { fn: (v) => Buffer.from(asString(v, 'b64decode'), 'base64').toString('utf8') }],
  ['b64encode', { fn: (v) => Buffer.from(asString(v, 'b64encode'), 'utf8').toString('base64') }],
  ['basename', { fn: (v) => posix.basename(asString(v, 'basename')) }],
  ['bool', { fn: toBool }],
  ['combine', { fn: (v, args) => Object.assign({}, v, ...args.map((a) => (isMapping(a) ? a : {}))) }],
  ['count', { fn: lengthOf }],
  ['d', DEFAULT],
  ['default', DEFAULT],
  ['dirname', { fn: (v) => posix.dirname(asString(v, 'dirname')) }],
  ['first', { fn: (v) => asList(v, 'first')[0] ?? null }],
  ['float', { fn: (v, [d]) => toFloat(v, d) }],
  ['from_json', { fn: fromJson }],
  ['from_yaml', { fn: (v) => YAML.parse(asString(v, 'from_yaml')) as unknown }],
  ['int', { fn: (v, [d]) => toInt(v, d) }],
  ['join', { fn: (v, [sep]) => asList(v, 'join').map(text).join(sep === undefined ? '' : text(sep)) }],
  ['keys', { fn: (v) => (isMapping(v) ? Object.keys(v) : asList(v, 'keys')) }],
  ['last', { fn: (v) => { const l = asList(v, 'last'); return l.length ? l[l.length - 1] : null; } }],
  ['length', { fn: lengthOf }],
  ['list', { fn: (v) => [...asList(v, 'list')] }],
  ['lower', { fn: (v) => asString(v, 'lower').toLowerCase() }],
  ['map', { fn: mapFilter }],
  ['max', { fn: (v) => extreme(v, 1, 'max') }],
  ['min', { fn: (v) => extreme(v, -1, 'min') }],
  ['quote', { fn: (v) => shellQuote(text(v)) }],
  ['regex_replace', { fn: (v, [re, rep], kw) => regexSub(re, asString(v, 'regex_replace'), text(rep ?? '').replace(/\\(\d)/g, '$$$1'), `g${regexFlags(kw)}`) }],
  ['regex_search', { fn: (v, [re], kw) => regexFind(re, asString(v, 'regex_search'), regexFlags(kw))?.text ?? null }],
  ['reject', { fn: (v, args) => selectBy(v, false, undefined, args) }],
  ['rejectattr', { fn: (v, [a, ...args]) => selectBy(v, false, asString(a, 'rejectattr'), args) }],
  ['replace', { fn: (v, [a, b]) => method('replace')(asString(v, 'replace'), [a, b]) }],
  ['round', { fn: (v, [p]) => { const f = 10 ** (typeof p === 'number' ? p : 0); return Math.round(asNumber(v, 'round') * f) / f; } }],
  ['select', { fn: (v, args) => selectBy(v, true, undefined, args) }],
  ['selectattr', { fn: (v, [a, ...args]) => selectBy(v, true, asString(a, 'selectattr'), args) }],
  ['sort', { fn: (v, _a, kw) => sortFilter(v, kw) }],
  ['split', { fn: (v, [sep, max]) => method('split')(asString(v, 'split'), [sep, max]) }],
  ['string', { fn: text }],
  ['sum', { fn: (v) => asList(v, 'sum').reduce<number>((s, x) => s + asNumber(x, 'sum'), 0) }],
  ['ternary', { fn: (v, [a, b]) => (truthy(v) ? a : b) }],
  ['to_json', { fn: (v, _a, kw) => JSON.stringify(v, null, typeof kw.indent === 'number' ? kw.indent : undefined) }],
  ['to_yaml', { fn: (v) => YAML.stringify(v) }],
  ['trim', { fn: (v) => asString(v, 'trim').trim() }],
  ['unique', { fn: (v) => asList(v, 'unique').filter((x, i, all) => all.findIndex((y) => deepEqual(x, y)) === i) }],
  ['upper', { fn: (v) => asString(v, 'upper').toUpperCase() }],
  ['values', { fn: (v) => (isMapping(v) ? Object.values(v) : asList(v, 'values')) }],
]);

/** Applies a filter by name to an evaluated value and arguments (undefined checked here, not by each filter). */
export function applyFilter(name: string, v: unknown, args: unknown[], kw: Record<string, unknown>): unknown {
  const f = FILTERS.get(name)!;
  return f.fn(f.undefinedOk ? v : need(v), args, kw);
}
