// Values in the evaluator: the lazy Undefined, the errors raised while evaluating, equality and type checks.
import { REGEX_BUDGET_MS, RegexInvalid, RegexTimeout, regexExec, regexReplace } from './safe-regex.js';
import { getProp, isMapping } from './lookup.js';

/**
 * A variable (or attribute) that does not exist. It is a value, not an error, so `is defined`,
 * `| default(...)` and `x.y is defined` (when `x` is missing too) can look at it; anything else that
 * touches it raises E_UNDEFINED_VAR naming the whole path.
 */
export class Undef {
  constructor(
    readonly path: string,
    /** The value the missing key was looked up on (for "did you mean"). */
    readonly parent: unknown,
    readonly key: string,
    readonly at: number,
  ) {}
}

/** Raised when an Undef is used; expr.ts turns it into E_UNDEFINED_VAR. */
export class UndefinedUse extends Error {
  constructor(readonly undef: Undef) {
    super(`\`${undef.path}\` is undefined`);
    this.name = 'UndefinedUse';
  }
}

/** A type or value problem at an offset of the expression; expr.ts turns it into E_EXPR_EVAL. */
export class ExprEvalError extends Error {
  constructor(message: string, readonly at?: number) {
    super(message);
    this.name = 'ExprEvalError';
  }
}

/** The value itself, or an UndefinedUse error if it is undefined. */
export function need(v: unknown): unknown {
  if (v instanceof Undef) throw new UndefinedUse(v);
  return v;
}

/** Structural equality (lists and mappings by content), as Jinja compares them. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isMapping(a) && isMapping(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => getProp(b, k).found && deepEqual(a[k], b[k]));
  }
  return false;
}

/** A short name for a value's type in error messages. */
export function typeName(v: unknown): string {
  if (v === null || v === undefined) return 'none';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'object') return 'mapping';
  if (typeof v === 'boolean') return 'boolean';
  return typeof v;
}

/** Text of a value for `~`, `string` and `join`: lists and mappings as JSON. */
export function text(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export function asList(v: unknown, what: string): unknown[] {
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') return [...v];
  if (isMapping(v)) return Object.keys(v);
  throw new ExprEvalError(`${what} needs a list, got ${typeName(v)}`);
}

export function asString(v: unknown, what: string): string {
  if (typeof v === 'string') return v;
  throw new ExprEvalError(`${what} needs a string, got ${typeName(v)}`);
}

export function asNumber(v: unknown, what: string): number {
  if (typeof v === 'number') return v;
  throw new ExprEvalError(`${what} needs a number, got ${typeName(v)}`);
}

/** Orders two numbers or two strings; anything else is a type error. */
export function compareValues(a: unknown, b: unknown): number {
  if ((typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string')) {
    return a < b ? -1 : a > b ? 1 : 0;
  }
  throw new ExprEvalError(`cannot order ${typeName(a)} and ${typeName(b)}`);
}

/** `needle in haystack`: substring, list membership or key of a mapping. */
export function contains(haystack: unknown, needle: unknown): boolean {
  if (typeof haystack === 'string') return haystack.includes(asString(needle, '`in` on a string'));
  if (Array.isArray(haystack)) return haystack.some((x) => deepEqual(x, needle));
  if (isMapping(haystack)) return getProp(haystack, String(needle)).found;
  throw new ExprEvalError(`\`in\` needs a string, list or mapping on its right, got ${typeName(haystack)}`);
}

/** The first match of a user regex in `input` (run with a time budget: see safe-regex.ts), or null. */
export function regexFind(pattern: unknown, input: string, flags = ''): { index: number; text: string } | null {
  const re = regex(pattern, flags);
  return bounded(re, input, () => regexExec(re.source, re.flags, input));
}

/** `input` with every match of a user regex replaced (time budget as regexFind). */
export function regexSub(pattern: unknown, input: string, replacement: string, flags = ''): string {
  const re = regex(pattern, flags);
  return bounded(re, input, () => regexReplace(re.source, re.flags, input, replacement));
}

function bounded<T>(re: RegExp, input: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof RegexTimeout) {
      throw new ExprEvalError(`the regular expression /${re.source}/ took longer than ${REGEX_BUDGET_MS} ms on a ${input.length}-character text and was stopped: it backtracks catastrophically`, undefined);
    }
    if (e instanceof RegexInvalid) throw new ExprEvalError(`invalid regular expression: ${e.message}`);
    throw e;
  }
}

/** A user regular expression (Python syntax is mostly JavaScript's); a bad one is an evaluation error. */
export function regex(pattern: unknown, flags = ''): RegExp {
  try {
    return new RegExp(asString(pattern, 'a regular expression'), flags);
  } catch (e) {
    throw new ExprEvalError(`invalid regular expression: ${(e as Error).message}`);
  }
}
