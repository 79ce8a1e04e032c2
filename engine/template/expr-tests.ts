// The registry of tests (`x is defined`, `r is failed`) and of the few methods callable on values (`s.startswith('a')`).
import { getProp, isMapping } from './lookup.js';
import { truthy } from './truthy.js';
import { asList, asString, compareValues, contains, deepEqual, ExprEvalError, regexFind, typeName, Undef } from './expr-values.js';

/** A test: takes the (possibly undefined, if `undefinedOk`) value and its arguments, answers yes or no. */
export interface TestDef {
  fn: (v: unknown, args: unknown[]) => boolean;
  /** Only `defined`/`undefined` may look at an undefined value; every other test needs a value. */
  undefinedOk?: boolean;
}

/** A registered result's boolean field (`failed`, `changed`, `skipped`). */
function resultFlag(field: string) {
  return (v: unknown): boolean => {
    if (!isMapping(v)) throw new ExprEvalError(`the \`${field}\` test needs a registered result (a mapping), got ${typeName(v)}`);
    return truthy(getProp(v, field).value);
  };
}

const succeeded = (v: unknown) => !resultFlag('failed')(v);
const eq = (v: unknown, [x]: unknown[]) => deepEqual(v, x);
const isNumber = (v: unknown) => typeof v === 'number';

/** Every test, sorted by name. */
export const TESTS: ReadonlyMap<string, TestDef> = new Map<string, TestDef>([
  ['boolean', { fn: (v) => typeof v === 'boolean' }],
  ['changed', { fn: resultFlag('changed') }],
  ['contains', { fn: (v, [x]) => Array.isArray(v) && v.some((i) => deepEqual(i, x)) }],
  ['defined', { fn: (v) => !(v instanceof Undef), undefinedOk: true }],
  ['empty', { fn: (v) => !truthy(v) && (Array.isArray(v) || isMapping(v) || v === '') }],
  ['eq', { fn: eq }],
  ['equalto', { fn: eq }],
  ['even', { fn: (v) => isNumber(v) && (v as number) % 2 === 0 }],
  ['failed', { fn: resultFlag('failed') }],
  ['false', { fn: (v) => v === false }],
  ['float', { fn: (v) => isNumber(v) && !Number.isInteger(v) }],
  ['ge', { fn: (v, [x]) => compareValues(v, x) >= 0 }],
  ['gt', { fn: (v, [x]) => compareValues(v, x) > 0 }],
  ['in', { fn: (v, [x]) => contains(x, v) }],
  ['integer', { fn: (v) => Number.isInteger(v) }],
  ['iterable', { fn: (v) => Array.isArray(v) || typeof v === 'string' || isMapping(v) }],
  ['le', { fn: (v, [x]) => compareValues(v, x) <= 0 }],
  ['lt', { fn: (v, [x]) => compareValues(v, x) < 0 }],
  ['mapping', { fn: isMapping }],
  ['match', { fn: (v, [re]) => regexFind(re, asString(v, 'the `match` test'))?.index === 0 }],
  ['ne', { fn: (v, a) => !eq(v, a) }],
  ['none', { fn: (v) => v === null }],
  ['number', { fn: isNumber }],
  ['odd', { fn: (v) => isNumber(v) && Math.abs((v as number) % 2) === 1 }],
  ['search', { fn: (v, [re]) => regexFind(re, asString(v, 'the `search` test')) !== null }],
  ['sequence', { fn: (v) => Array.isArray(v) || typeof v === 'string' }],
  ['skipped', { fn: resultFlag('skipped') }],
  ['string', { fn: (v) => typeof v === 'string' }],
  ['succeeded', { fn: succeeded }],
  ['success', { fn: succeeded }],
  ['true', { fn: (v) => v === true }],
  ['undefined', { fn: (v) => v instanceof Undef, undefinedOk: true }],
]);

/** A method callable on a value; `on` says which kind of value offers it. */
export interface MethodDef {
  on: 'string' | 'mapping';
  fn: (self: any, args: unknown[]) => unknown;
}

const strip = (s: string, chars: unknown, where: 'both' | 'start' | 'end'): string => {
  const set = chars === undefined || chars === null ? ' \t\n\r\f\v' : asString(chars, 'strip');
  let a = 0;
  let b = s.length;
  if (where !== 'end') while (a < b && set.includes(s[a])) a++;
  if (where !== 'start') while (b > a && set.includes(s[b - 1])) b--;
  return s.slice(a, b);
};

const prefixes = (x: unknown): string[] => (Array.isArray(x) ? x.map((p) => asString(p, 'startswith/endswith')) : [asString(x, 'startswith/endswith')]);

function splitString(s: string, sep: unknown, max: unknown): string[] {
  const parts = sep === undefined || sep === null ? s.trim().split(/\s+/).filter(Boolean) : s.split(asString(sep, 'split'));
  if (typeof max !== 'number' || max < 0 || parts.length <= max + 1) return parts;
  const sepText = sep === undefined || sep === null ? ' ' : (sep as string);
  return [...parts.slice(0, max), parts.slice(max).join(sepText)];
}

/** The allow-list of methods (Python's names); nothing else is ever called on a value. */
export const METHODS: ReadonlyMap<string, MethodDef> = new Map<string, MethodDef>([
  ['endswith', { on: 'string', fn: (s: string, [x]) => prefixes(x).some((p) => s.endsWith(p)) }],
  ['get', { on: 'mapping', fn: (m, [k, d]) => { const got = getProp(m, String(k)); return got.found ? got.value : (d ?? null); } }],
  ['items', { on: 'mapping', fn: (m: Record<string, unknown>) => Object.entries(m) }],
  ['join', { on: 'string', fn: (s: string, [l]) => asList(l, 'join').map(String).join(s) }],
  ['keys', { on: 'mapping', fn: (m: Record<string, unknown>) => Object.keys(m) }],
  ['lower', { on: 'string', fn: (s: string) => s.toLowerCase() }],
  ['lstrip', { on: 'string', fn: (s: string, [c]) => strip(s, c, 'start') }],
  ['replace', { on: 'string', fn: (s: string, [a, b]) => s.split(asString(a, 'replace')).join(asString(b, 'replace')) }],
  ['rstrip', { on: 'string', fn: (s: string, [c]) => strip(s, c, 'end') }],
  ['split', { on: 'string', fn: (s: string, [sep, max]) => splitString(s, sep, max) }],
  ['splitlines', { on: 'string', fn: (s: string) => s.split(/\r?\n/).filter((l, i, all) => i < all.length - 1 || l !== '') }],
  ['startswith', { on: 'string', fn: (s: string, [x]) => prefixes(x).some((p) => s.startsWith(p)) }],
  ['strip', { on: 'string', fn: (s: string, [c]) => strip(s, c, 'both') }],
  ['upper', { on: 'string', fn: (s: string) => s.toUpperCase() }],
  ['values', { on: 'mapping', fn: (m: Record<string, unknown>) => Object.values(m) }],
]);
