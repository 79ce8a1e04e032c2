// ajv errors → RingErrors: each points at the offending key or value and says what is wrong in a sentence.
import type { ErrorObject } from 'ajv';
import type { ErrorCode, Location, RingError } from '../errors/index.js';
import { keyLocationOf, locationOf, sourceOf } from '../load/located.js';
import { errorAt, sortErrors, type SourceText } from '../load/yaml.js';
import { collapseAlternatives, isTemplated } from './alternatives.js';
import { suggest } from './suggest.js';

/** A path inside the validated value, as unescaped JSON-pointer segments. */
export type Segs = string[];

/** What a translated error says; `loc` overrides the computed location. */
export interface Issue {
  code: ErrorCode;
  message: string;
  hint?: string;
  loc?: Location;
}

/** How to speak about the validated value: where things are and what to call them. */
export interface Phrasing {
  root: unknown;
  src?: SourceText;
  /** Location when the value carries none (e.g. arguments after rendering). */
  fallback?: Location;
  /** The label of the nearest named thing around `segs` ("task 'Add member'") and the path left inside it. */
  context(segs: Segs): { label: string; rel: Segs };
  /** Set for module arguments: keys are then "`file` argument `state`". */
  module?: string;
  /** Accept `{{ template }}` strings wherever another type or value is expected (load time). */
  templates?: boolean;
  /** A better hint for an error at `segs` (e.g. the classic "a list where a mapping belongs"). */
  hint?(segs: Segs, keyword: string): string | undefined;
  /** Special wording for an unknown key (undefined: the generic one; null: drop the error). */
  unknownKey?(objSegs: Segs, key: string, candidates: string[]): Issue | null | undefined;
}

export const VAR_NAME = '^[A-Za-z_][A-Za-z0-9_]*$';

export function pointerSegs(pointer: string): Segs {
  return pointer === '' ? [] : pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export function getAt(root: unknown, segs: Segs): unknown {
  let v = root;
  for (const s of segs) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[s] : undefined;
  return v;
}

/** `a.b[0].c` for a path inside `base`. */
export function formatPath(base: unknown, rel: Segs): string {
  let out = '';
  let v = base;
  for (const s of rel) {
    out += Array.isArray(v) ? `[${s}]` : out ? `.${s}` : s;
    v = v && typeof v === 'object' ? (v as Record<string, unknown>)[s] : undefined;
  }
  return out;
}

/** Where the value at `segs` sits (its own location, else its key's, else its parent's). */
export function locate(root: unknown, segs: Segs): Location | undefined {
  for (let n = segs.length; n >= 0; n--) {
    const here = getAt(root, segs.slice(0, n));
    if (n === segs.length && sourceOf(here)) return sourceOf(here)!.loc;
    if (n < segs.length) {
      const loc = locationOf(here, segs[n]);
      if (loc) return loc;
    }
  }
  return undefined;
}

/** Translates ajv's errors for one value into RingErrors, one per real problem. */
export function translateErrors(errors: ErrorObject[] | null | undefined, p: Phrasing): RingError[] {
  if (!errors?.length) return [];
  const live = collapseAlternatives(errors, (e) => Boolean(p.templates && isTemplated(getAt(p.root, pointerSegs(e.instancePath)))));
  const out: RingError[] = [];
  const seen = new Set<string>();
  for (const e of live) {
    const issue = issueFor(e, p);
    if (!issue) continue;
    const segs = pointerSegs(e.instancePath);
    issue.hint = p.hint?.(segs, e.keyword) ?? issue.hint;
    const loc = issue.loc ?? locate(p.root, segs) ?? p.fallback;
    const key = `${loc?.file}:${loc?.line}:${loc?.col}:${issue.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(errorAt(issue.code, issue.message, loc, p.src, issue.hint));
  }
  sortErrors(out);
  return out;
}

/** "`retries` in task 'x'", or the context itself when the path is the context. */
export function subject(p: Phrasing, segs: Segs): string {
  const { label, rel } = p.context(segs);
  if (!rel.length) return p.module ? `the arguments of \`${p.module}\` in ${label}` : label;
  const path = formatPath(getAt(p.root, segs.slice(0, segs.length - rel.length)), rel);
  return p.module ? `\`${p.module}\` argument \`${path}\` in ${label}` : `\`${path}\` in ${label}`;
}

function issueFor(e: ErrorObject, p: Phrasing): Issue | undefined {
  const segs = pointerSegs(e.instancePath);
  const data = getAt(p.root, segs);
  const what = () => subject(p, segs);
  const desc = (e.parentSchema as { description?: string } | undefined)?.description;
  const noun = p.module ? 'argument' : 'key';
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'if':
      return undefined;
    case 'type':
    case 'x-type':
      return { code: 'E_SCHEMA', message: `${what()} must be ${typeWords(params.type)}, got ${got(data)}`, hint: templateHint(p, data) ?? quoteHint(params.type, data, locate(p.root, segs), p) ?? desc };
    case 'enum': {
      const allowed = params.allowedValues as unknown[];
      const near = typeof data === 'string' ? suggest(data, allowed.map(String)) : undefined;
      return { code: 'E_SCHEMA', message: `${what()} must be one of ${allowed.map((v) => `\`${String(v)}\``).join(', ')}, got ${got(data)}${near ? `; did you mean \`${near}\`?` : ''}`, hint: desc };
    }
    case 'const':
      return { code: 'E_SCHEMA', message: `${what()} must be \`${String(params.allowedValue)}\`, got ${got(data)}` };
    case 'required':
      return { code: 'E_SCHEMA', message: missing(p, segs, [String(params.missingProperty)], noun) };
    case 'x-needs-one':
      return { code: 'E_SCHEMA', message: missing(p, segs, params.missing as string[], noun) };
    case 'x-only-one': {
      const { label, rel } = p.context(segs);
      const choices = orList(params.choices as string[]).replace(/ or /, ' and ');
      if (p.module && !rel.length) return { code: 'E_SCHEMA', message: `module \`${p.module}\` in ${label} takes either ${orList(params.choices as string[])}, not ${choices}` };
      return { code: 'E_SCHEMA', message: `${what()} takes either ${orList(params.choices as string[])}, not ${choices}` };
    }
    case 'additionalProperties':
      return unknownKey(e, p, segs, String(params.additionalProperty), noun);
    case 'propertyNames': {
      const name = String(params.propertyName);
      const loc = keyLocationOf(data, name);
      const pattern = (e.schema as { pattern?: string } | undefined)?.pattern;
      const msg = pattern === VAR_NAME ? 'is not a valid variable name: use letters, digits and `_`, not starting with a digit' : `is not an allowed name${pattern ? ` (it must match \`${pattern}\`)` : ''}`;
      return { code: 'E_SCHEMA', message: `\`${name}\` in ${what()} ${msg}`, loc };
    }
    case 'pattern':
      if (e.propertyName !== undefined) return undefined; // reported by its propertyNames error
      if (params.pattern === VAR_NAME) return { code: 'E_SCHEMA', message: `${what()} must be a valid variable name (letters, digits and \`_\`, not starting with a digit), got ${got(data)}` };
      return { code: 'E_SCHEMA', message: `${what()} has the wrong form: got ${got(data)}`, hint: `${desc ? `${desc} ` : ''}(it must match \`${String(params.pattern)}\`)` };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      const words = { minimum: 'at least', maximum: 'at most', exclusiveMinimum: 'more than', exclusiveMaximum: 'less than' }[e.keyword];
      return { code: 'E_SCHEMA', message: `${what()} must be ${words} ${String(params.limit)}, got ${String(data)}`, hint: desc };
    }
    case 'minLength':
      return { code: 'E_SCHEMA', message: params.limit === 1 ? `${what()} must not be empty` : `${what()} must be at least ${String(params.limit)} characters long`, hint: desc };
    case 'maxLength':
      return { code: 'E_SCHEMA', message: `${what()} must be at most ${String(params.limit)} characters long` };
    case 'minItems':
      return { code: 'E_SCHEMA', message: params.limit === 1 ? `${what()} must not be an empty list` : `${what()} must have at least ${String(params.limit)} items`, hint: desc };
    case 'maxItems':
      return { code: 'E_SCHEMA', message: `${what()} must have at most ${String(params.limit)} items` };
    case 'minProperties':
      return { code: 'E_SCHEMA', message: params.limit === 1 ? `${what()} must not be an empty mapping` : `${what()} must have at least ${String(params.limit)} keys` };
    case 'uniqueItems':
      return { code: 'E_SCHEMA', message: `${what()} must not repeat items (items ${Number(params.j) + 1} and ${Number(params.i) + 1} are the same)` };
    case 'dependencies':
    case 'dependentRequired':
      return { code: 'E_SCHEMA', message: `${what()} has \`${String(params.property)}\` but lacks \`${String(params.missingProperty)}\`, which goes with it` };
    case 'false schema':
      return { code: 'E_SCHEMA', message: `${what()} is not allowed here` };
    case 'oneOf':
    case 'anyOf':
      return { code: 'E_SCHEMA', message: `${what()} does not match any of its allowed forms`, hint: desc };
    default:
      return { code: 'E_SCHEMA', message: `${what()} ${e.message ?? `fails \`${e.keyword}\``}` };
  }
}

function missing(p: Phrasing, segs: Segs, keys: string[], noun: string): string {
  const { label, rel } = p.context(segs);
  const which = keys.length === 1 ? `the required ${noun} \`${keys[0]}\`` : `one of the ${noun}s ${orList(keys)}`;
  if (p.module && !rel.length) return `module \`${p.module}\` in ${label} needs ${which}`;
  return `${subject(p, segs)} is missing ${which}`;
}

function unknownKey(e: ErrorObject, p: Phrasing, segs: Segs, key: string, noun: string): Issue | undefined {
  const obj = getAt(p.root, segs);
  const loc = keyLocationOf(obj, key);
  const candidates = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
  const special = p.unknownKey?.(segs, key, candidates);
  if (special === null) return undefined;
  if (special) return { loc, ...special };
  const near = suggest(key, candidates);
  const where = p.module ? `for module \`${p.module}\`${p.context(segs).rel.length ? ` (in ${subject(p, segs)})` : ` in ${p.context(segs).label}`}` : `in ${subject(p, segs)}`;
  const allowed = candidates.length && candidates.length <= 12 ? `allowed ${noun}s: ${candidates.join(', ')}` : undefined;
  return { code: 'E_UNKNOWN_KEY', message: `unknown ${noun} \`${key}\` ${where}${near ? `; did you mean \`${near}\`?` : ''}`, hint: allowed, loc };
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'a boolean',
  array: 'a list',
  object: 'a mapping',
  null: 'empty',
};

export function typeWords(t: unknown): string {
  const list = [...new Set((Array.isArray(t) ? t : String(t).split(',')).map(String))];
  if (list.includes('integer') && list.includes('number')) list.splice(list.indexOf('integer'), 1);
  if (list.length === 1 && list[0] === 'boolean') return 'true or false';
  return orList(list.map((x) => TYPE_WORDS[x] ?? x), false);
}

function orList(items: string[], tick = true): string {
  const q = tick ? items.map((i) => `\`${i}\``) : items;
  return q.length <= 1 ? (q[0] ?? '') : `${q.slice(0, -1).join(', ')} or ${q[q.length - 1]}`;
}

/** "the string 'three'", "a list", "the number 3"… */
export function got(v: unknown): string {
  if (v === null || v === undefined) return 'an empty value';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `the string '${v.length > 60 ? `${v.slice(0, 57)}...` : v}'`;
  return `the ${typeof v} ${String(v)}`;
}

/** Keywords are literal: a `{{ }}` there is a mistake worth explaining. */
function templateHint(p: Phrasing, data: unknown): string | undefined {
  return !p.module && isTemplated(data) ? 'only module arguments may be `{{ }}` templates; this keyword takes a literal value' : undefined;
}

/** A string was expected but YAML read a number or boolean: say how to quote it. */
function quoteHint(type: unknown, data: unknown, loc: Location | undefined, p: Phrasing): string | undefined {
  const types = Array.isArray(type) ? type.map(String) : String(type).split(',');
  // Only where a string is the one thing expected: for `serial: true`, quoting is not the fix.
  if (types.join() !== 'string' || (typeof data !== 'number' && typeof data !== 'boolean')) return undefined;
  const line = loc && p.src?.file === loc.file ? p.src.lines[loc.line - 1] : undefined;
  const written = line?.slice((loc?.col ?? 1) - 1).replace(/\s+#.*$/, '').trim() || String(data);
  return `YAML reads the unquoted \`${written}\` as the ${typeof data} ${String(data)}; quote it ('${written}') to pass a string`;
}
