// Recursive-descent parser for conditions: tokens → a small AST; unknown filters, tests and methods are syntax errors.
import { FILTERS } from './expr-filters.js';
import { checkDepth } from './expr-depth.js';
import { ExprSyntaxError, tokenize, type Token } from './expr-lexer.js';
import { METHODS, TESTS } from './expr-tests.js';
import { FORBIDDEN_NAMES } from './lookup.js';
import { nearName } from './origin.js';

/** Arguments of a filter, test or method call: positional and `name=value`. */
export interface Args {
  pos: Node[];
  kw: Record<string, Node>;
}

/** The expression tree; `at` is the 0-based offset of the node's operator or first token. */
export type Node =
  | { t: 'lit'; v: unknown; at: number }
  | { t: 'var'; name: string; at: number }
  | { t: 'attr'; obj: Node; name: string; at: number }
  | { t: 'index'; obj: Node; index: Node; at: number }
  | { t: 'call'; obj: Node; method: string; args: Args; at: number }
  | { t: 'list'; items: Node[]; at: number }
  | { t: 'dict'; entries: Array<[Node, Node]>; at: number }
  | { t: 'neg'; x: Node; at: number }
  | { t: 'not'; x: Node; at: number }
  | { t: 'and' | 'or'; a: Node; b: Node; at: number }
  | { t: 'bin'; op: string; a: Node; b: Node; at: number }
  | { t: 'cmp'; ops: string[]; operands: Node[]; at: number }
  | { t: 'filter'; x: Node; name: string; args: Args; at: number }
  | { t: 'test'; x: Node; name: string; negate: boolean; args: Args; at: number }
  | { t: 'cond'; then: Node; test: Node; else: Node | undefined; at: number };

const KEYWORDS = new Set(['and', 'or', 'not', 'in', 'is', 'if', 'else']);
const LITERALS: Record<string, unknown> = { true: true, True: true, false: false, False: false, null: null, none: null, None: null };
const CMP = new Set(['==', '!=', '<', '<=', '>', '>=']);

/** Brackets, `not`s and signs inside each other: each level costs stack in the parser and the evaluator. */
export const MAX_EXPR_NESTING = 100;

/** Parses a whole expression; throws ExprSyntaxError at the first problem. */
export function parseExpr(src: string): Node {
  const p = new Parser(tokenize(src));
  const node = p.ternary();
  const rest = p.peek();
  if (rest.kind !== 'eof') throw new ExprSyntaxError(`unexpected ${show(rest)} after a complete expression`, rest.pos, 'join conditions with `and` / `or`');
  checkDepth(node);
  return node;
}

function show(t: Token): string {
  if (t.kind === 'eof') return 'end of expression';
  if (t.kind === 'str') return 'string';
  return `\`${t.value}\``;
}

class Parser {
  private i = 0;
  private nesting = 0;
  constructor(private readonly toks: Token[]) {}

  /** Runs `f` one nesting level deeper; past MAX_EXPR_NESTING it is a syntax error at the current token. */
  private nested<T>(f: () => T): T {
    if (++this.nesting > MAX_EXPR_NESTING) {
      throw new ExprSyntaxError(`the expression nests too deeply (more than ${MAX_EXPR_NESTING} levels of brackets, \`not\` or signs)`, this.peek().pos, 'remove redundant brackets, or split the expression into several variables');
    }
    try {
      return f();
    } finally {
      this.nesting--;
    }
  }

  peek(ahead = 0): Token {
    return this.toks[Math.min(this.i + ahead, this.toks.length - 1)];
  }
  private next(): Token {
    return this.toks[this.i < this.toks.length - 1 ? this.i++ : this.i];
  }
  private isOp(v: string, ahead = 0): boolean {
    const t = this.peek(ahead);
    return t.kind === 'op' && t.value === v;
  }
  private isWord(v: string, ahead = 0): boolean {
    const t = this.peek(ahead);
    return t.kind === 'name' && t.value === v;
  }
  private expectOp(v: string): Token {
    const t = this.next();
    if (t.kind !== 'op' || t.value !== v) throw new ExprSyntaxError(`expected \`${v}\` but found ${show(t)}`, t.pos);
    return t;
  }
  private name(what: string): Token & { kind: 'name' } {
    const t = this.next();
    if (t.kind !== 'name') throw new ExprSyntaxError(`expected ${what} but found ${show(t)}`, t.pos);
    return t;
  }

  ternary(): Node {
    return this.nested(() => this.ternaryLevel());
  }
  private ternaryLevel(): Node {
    const then = this.or();
    if (!this.isWord('if')) return then;
    const at = this.next().pos;
    const test = this.or();
    let otherwise: Node | undefined;
    if (this.isWord('else')) {
      this.next();
      otherwise = this.ternary();
    }
    return { t: 'cond', then, test, else: otherwise, at };
  }
  private or(): Node {
    let a = this.and();
    while (this.isWord('or') || this.isOp('||')) {
      const at = this.next().pos;
      a = { t: 'or', a, b: this.and(), at };
    }
    return a;
  }
  private and(): Node {
    let a = this.not();
    while (this.isWord('and') || this.isOp('&&')) {
      const at = this.next().pos;
      a = { t: 'and', a, b: this.not(), at };
    }
    return a;
  }
  private not(): Node {
    if (this.isWord('not') || this.isOp('!')) {
      const at = this.next().pos;
      return { t: 'not', x: this.nested(() => this.not()), at };
    }
    return this.compare();
  }
  private compare(): Node {
    const first = this.concat();
    const ops: string[] = [];
    const operands = [first];
    let at = first.at;
    for (;;) {
      const t = this.peek();
      let op: string | undefined;
      if (t.kind === 'op' && CMP.has(t.value)) op = t.value;
      else if (this.isWord('in')) op = 'in';
      else if (this.isWord('not') && this.isWord('in', 1)) op = 'not in';
      if (!op) break;
      if (ops.length === 0) at = t.pos;
      this.next();
      if (op === 'not in') this.next();
      ops.push(op);
      operands.push(this.concat());
    }
    return ops.length ? { t: 'cmp', ops, operands, at } : first;
  }
  private concat(): Node {
    let a = this.additive();
    while (this.isOp('~')) {
      const at = this.next().pos;
      a = { t: 'bin', op: '~', a, b: this.additive(), at };
    }
    return a;
  }
  private additive(): Node {
    let a = this.multiplicative();
    while (this.isOp('+') || this.isOp('-')) {
      const tok = this.next();
      a = { t: 'bin', op: tok.value as string, a, b: this.multiplicative(), at: tok.pos };
    }
    return a;
  }
  private multiplicative(): Node {
    let a = this.unary();
    while (this.isOp('*') || this.isOp('/') || this.isOp('//') || this.isOp('%')) {
      const tok = this.next();
      a = { t: 'bin', op: tok.value as string, a, b: this.unary(), at: tok.pos };
    }
    return a;
  }
  /** As in Jinja, `-x | abs` is `(-x) | abs`: the sign binds tighter than filters and tests. */
  private unary(withFilters = true): Node {
    let node: Node;
    if (this.isOp('-') || this.isOp('+')) {
      const tok = this.next();
      const x = this.nested(() => this.unary(false));
      node = tok.value === '-' ? { t: 'neg', x, at: tok.pos } : x;
    } else {
      node = this.accessors(this.primary());
    }
    return withFilters ? this.filters(node) : node;
  }

  /** `.name`, `.method(...)`, `[index]`. */
  private accessors(node: Node): Node {
    for (;;) {
      if (this.isOp('.')) {
        this.next();
        const t = this.next();
        if (t.kind !== 'name' && t.kind !== 'num') throw new ExprSyntaxError(`expected an attribute name after \`.\` but found ${show(t)}`, t.pos);
        const name = String(t.value);
        if (FORBIDDEN_NAMES.has(name)) throw new ExprSyntaxError(`access to \`${name}\` is not allowed`, t.pos);
        if (this.isOp('(')) node = this.method(node, name, t.pos);
        else node = t.kind === 'num' ? { t: 'index', obj: node, index: { t: 'lit', v: t.value, at: t.pos }, at: t.pos } : { t: 'attr', obj: node, name, at: t.pos };
      } else if (this.isOp('[')) {
        const at = this.next().pos;
        const index = this.ternary();
        this.expectOp(']');
        if (index.t === 'lit' && FORBIDDEN_NAMES.has(String(index.v))) throw new ExprSyntaxError(`access to \`${String(index.v)}\` is not allowed`, index.at);
        node = { t: 'index', obj: node, index, at };
      } else if (this.isOp('(')) {
        throw new ExprSyntaxError('only methods can be called (`x.startswith(\'a\')`); use a filter (`x | length`) otherwise', this.peek().pos);
      } else {
        return node;
      }
    }
  }

  /** `| filter(...)` and `is [not] test(...)`, left to right. */
  private filters(node: Node): Node {
    for (;;) {
      if (this.isOp('|')) {
        this.next();
        const t = this.name('a filter name');
        if (!FILTERS.has(t.value)) throw unknownName('filter', t, FILTERS.keys());
        node = { t: 'filter', x: node, name: t.value, args: this.isOp('(') ? this.args() : { pos: [], kw: {} }, at: t.pos };
      } else if (this.isWord('is')) {
        this.next();
        const negate = this.isWord('not');
        if (negate) this.next();
        const t = this.name('a test name');
        const name = t.value;
        if (!TESTS.has(name)) throw unknownName('test', t, TESTS.keys());
        node = { t: 'test', x: node, name, negate, args: this.isOp('(') ? this.args() : { pos: [], kw: {} }, at: t.pos };
      } else {
        return node;
      }
    }
  }
  private method(obj: Node, name: string, at: number): Node {
    if (!METHODS.has(name)) throw unknownName('method', { kind: 'name', value: name, pos: at }, METHODS.keys());
    return { t: 'call', obj, method: name, args: this.args(), at };
  }
  private args(): Args {
    this.expectOp('(');
    const args: Args = { pos: [], kw: {} };
    while (!this.isOp(')')) {
      if (this.peek().kind === 'name' && this.isOp('=', 1)) {
        const key = this.next().value as string;
        this.next();
        args.kw[key] = this.ternary();
      } else {
        if (Object.keys(args.kw).length) throw new ExprSyntaxError('a positional argument cannot follow a `name=value` one', this.peek().pos);
        args.pos.push(this.ternary());
      }
      if (!this.isOp(',')) break;
      this.next();
    }
    this.expectOp(')');
    return args;
  }

  private primary(): Node {
    const t = this.next();
    if (t.kind === 'num' || t.kind === 'str') return { t: 'lit', v: t.value, at: t.pos };
    if (t.kind === 'name') {
      if (Object.prototype.hasOwnProperty.call(LITERALS, t.value)) return { t: 'lit', v: LITERALS[t.value], at: t.pos };
      if (KEYWORDS.has(t.value)) throw new ExprSyntaxError(`unexpected \`${t.value}\`; a value was expected`, t.pos);
      if (FORBIDDEN_NAMES.has(t.value)) throw new ExprSyntaxError(`access to \`${t.value}\` is not allowed`, t.pos);
      return { t: 'var', name: t.value, at: t.pos };
    }
    if (t.kind === 'op' && t.value === '(') {
      const inner = this.ternary();
      this.expectOp(')');
      return inner;
    }
    if (t.kind === 'op' && t.value === '[') return { t: 'list', items: this.items(']', () => this.ternary()), at: t.pos };
    if (t.kind === 'op' && t.value === '{') {
      const entries = this.items('}', (): [Node, Node] => {
        const k = this.ternary();
        this.expectOp(':');
        return [k, this.ternary()];
      });
      return { t: 'dict', entries, at: t.pos };
    }
    throw new ExprSyntaxError(t.kind === 'eof' ? 'the expression ends too early; a value was expected' : `unexpected ${show(t)}; a value was expected`, t.pos);
  }
  private items<T>(close: string, item: () => T): T[] {
    const out: T[] = [];
    while (!this.isOp(close)) {
      out.push(item());
      if (!this.isOp(',')) break;
      this.next();
    }
    this.expectOp(close);
    return out;
  }
}

function unknownName(kind: string, t: Token, names: Iterable<string>): ExprSyntaxError {
  const near = nearName(String(t.value), names);
  return new ExprSyntaxError(`unknown ${kind} \`${String(t.value)}\``, t.pos, near ? `did you mean \`${near}\`?` : undefined);
}
