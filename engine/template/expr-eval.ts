// Walks a parsed condition over plain data: no JavaScript eval, no property outside the data, undefined kept lazy.
import { applyFilter } from './expr-filters.js';
import type { Args, Node } from './expr-parser.js';
import { METHODS, TESTS } from './expr-tests.js';
import { compareValues, contains, deepEqual, ExprEvalError, need, text, typeName, Undef } from './expr-values.js';
import { FORBIDDEN_NAMES, getProp, isMapping } from './lookup.js';
import { truthy } from './truthy.js';

/** Evaluates a node; the result may be an Undef (the caller decides whether that is an error). */
export function evalNode(n: Node, vars: object): unknown {
  switch (n.t) {
    case 'lit':
      return n.v;
    case 'var': {
      const got = getProp(vars, n.name);
      return got.found ? got.value : new Undef(n.name, vars, n.name, n.at);
    }
    case 'attr':
      return member(evalNode(n.obj, vars), n.name, n, pathOf(n));
    case 'index': {
      const key = need(evalNode(n.index, vars));
      if (typeof key !== 'string' && typeof key !== 'number') throw new ExprEvalError(`an index must be a string or a number, got ${typeName(key)}`, n.index.at);
      if (FORBIDDEN_NAMES.has(String(key))) throw new ExprEvalError(`access to \`${String(key)}\` is not allowed`, n.index.at);
      return member(evalNode(n.obj, vars), String(key), n, pathOf(n));
    }
    case 'call':
      return callMethod(n, vars);
    case 'list':
      return n.items.map((i) => need(evalNode(i, vars)));
    case 'dict': {
      const out: Record<string, unknown> = {};
      for (const [k, v] of n.entries) {
        const key = String(need(evalNode(k, vars)));
        if (FORBIDDEN_NAMES.has(key)) throw new ExprEvalError(`\`${key}\` cannot be a key`, k.at);
        out[key] = need(evalNode(v, vars));
      }
      return out;
    }
    case 'neg': {
      const v = need(evalNode(n.x, vars));
      if (typeof v !== 'number') throw new ExprEvalError(`cannot negate ${typeName(v)}`, n.at);
      return -v;
    }
    case 'not':
      return !truthy(need(evalNode(n.x, vars)));
    case 'and': {
      const a = need(evalNode(n.a, vars));
      return truthy(a) ? need(evalNode(n.b, vars)) : a;
    }
    case 'or': {
      const a = need(evalNode(n.a, vars));
      return truthy(a) ? a : need(evalNode(n.b, vars));
    }
    case 'bin':
      return arithmetic(n.op, need(evalNode(n.a, vars)), need(evalNode(n.b, vars)), n.at);
    case 'cmp':
      return compareChain(n, vars);
    case 'filter':
      return at(n.at, () => applyFilter(n.name, evalNode(n.x, vars), ...evalArgs(n.args, vars)));
    case 'test': {
      const test = TESTS.get(n.name)!;
      const v = evalNode(n.x, vars);
      const [args] = evalArgs(n.args, vars);
      const yes = at(n.at, () => test.fn(test.undefinedOk ? v : need(v), args));
      return n.negate ? !yes : yes;
    }
    case 'cond':
      if (truthy(need(evalNode(n.test, vars)))) return evalNode(n.then, vars);
      return n.else ? evalNode(n.else, vars) : null;
  }
}

/** Attribute or key of a value; missing → Undef (chained, so `a.b.c is defined` works when `a` is missing). */
function member(base: unknown, key: string, n: Node, path: string): unknown {
  if (base instanceof Undef) return new Undef(path, undefined, key, base.at);
  const got = getProp(base, key);
  return got.found ? got.value : new Undef(path, base, key, n.at);
}

/** The source-like text of a path (`hostvars[host].etcd_name`), for messages. */
function pathOf(n: Node): string {
  switch (n.t) {
    case 'var':
      return n.name;
    case 'attr':
      return `${pathOf(n.obj)}.${n.name}`;
    case 'index':
      return `${pathOf(n.obj)}[${n.index.t === 'lit' ? JSON.stringify(n.index.v) : n.index.t === 'var' ? n.index.name : '…'}]`;
    default:
      return '(…)';
  }
}

function evalArgs(args: Args, vars: object): [unknown[], Record<string, unknown>] {
  const kw: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(args.kw)) kw[k] = need(evalNode(v, vars));
  return [args.pos.map((a) => need(evalNode(a, vars))), kw];
}

/** Runs `fn`, giving an evaluation error without a position the position of this node. */
function at<T>(pos: number, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ExprEvalError && e.at === undefined) throw new ExprEvalError(e.message, pos);
    throw e;
  }
}

function callMethod(n: Node & { t: 'call' }, vars: object): unknown {
  const self = need(evalNode(n.obj, vars));
  const m = METHODS.get(n.method)!;
  const ok = m.on === 'string' ? typeof self === 'string' : isMapping(self);
  if (!ok) throw new ExprEvalError(`\`${n.method}()\` is a ${m.on} method; it cannot be called on ${typeName(self)}`, n.at);
  const [args] = evalArgs(n.args, vars);
  return at(n.at, () => m.fn(self, args));
}

function arithmetic(op: string, a: unknown, b: unknown, pos: number): unknown {
  if (op === '~') return text(a) + text(b);
  if (op === '+') {
    if (typeof a === 'string' && typeof b === 'string') return a + b;
    if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
  }
  if (op === '*' && typeof a === 'string' && typeof b === 'number') return a.repeat(Math.max(0, Math.trunc(b)));
  if (typeof a !== 'number' || typeof b !== 'number') {
    throw new ExprEvalError(`cannot apply \`${op}\` to ${typeName(a)} and ${typeName(b)}${op === '+' ? ' (use `~` to join text)' : ''}`, pos);
  }
  if ((op === '/' || op === '//' || op === '%') && b === 0) throw new ExprEvalError('division by zero', pos);
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return a / b;
    case '//':
      return Math.floor(a / b);
    default:
      return a - b * Math.floor(a / b);
  }
}

/** `a < b <= c` means `a < b and b <= c`, as in Jinja and Python. */
function compareChain(n: Node & { t: 'cmp' }, vars: object): boolean {
  let left = need(evalNode(n.operands[0], vars));
  for (let i = 0; i < n.ops.length; i++) {
    const right = need(evalNode(n.operands[i + 1], vars));
    if (!at(n.operands[i + 1].at, () => compare(n.ops[i], left, right))) return false;
    left = right;
  }
  return true;
}

function compare(op: string, a: unknown, b: unknown): boolean {
  switch (op) {
    case '==':
      return deepEqual(a, b);
    case '!=':
      return !deepEqual(a, b);
    case 'in':
      return contains(b, a);
    case 'not in':
      return !contains(b, a);
    case '<':
      return compareValues(a, b) < 0;
    case '<=':
      return compareValues(a, b) <= 0;
    case '>':
      return compareValues(a, b) > 0;
    default:
      return compareValues(a, b) >= 0;
  }
}
