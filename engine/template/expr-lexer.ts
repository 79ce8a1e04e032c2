// Splits a condition expression into tokens, each with its 0-based offset for error carets.

/** One token: a number, a string, a name (identifier or keyword), an operator/punctuation, or the end. */
export type Token =
  | { kind: 'num'; value: number; pos: number }
  | { kind: 'str'; value: string; pos: number }
  | { kind: 'name'; value: string; pos: number }
  | { kind: 'op'; value: string; pos: number }
  | { kind: 'eof'; value: ''; pos: number };

/** A syntax problem at an offset of the expression; expr.ts turns it into E_EXPR_SYNTAX with a caret. */
export class ExprSyntaxError extends Error {
  constructor(message: string, readonly pos: number, readonly hint?: string) {
    super(message);
    this.name = 'ExprSyntaxError';
  }
}

// Longest first, so `//` wins over `/` and `==` over `=`.
const OPS = ['==', '!=', '<=', '>=', '&&', '||', '//', '<', '>', '!', '+', '-', '*', '/', '%', '~', '|', '(', ')', '[', ']', '{', '}', ',', ':', '.', '='];

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '0': '\0' };

export function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (/[0-9]/.test(c)) {
      const m = /^\d+(\.\d+)?([eE][+-]?\d+)?/.exec(src.slice(i))!;
      tokens.push({ kind: 'num', value: Number(m[0]), pos: i });
      i += m[0].length;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i))!;
      tokens.push({ kind: 'name', value: m[0], pos: i });
      i += m[0].length;
      continue;
    }
    if (c === "'" || c === '"') {
      const [value, end] = readString(src, i);
      tokens.push({ kind: 'str', value, pos: i });
      i = end;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (!op) throw new ExprSyntaxError(`unexpected character \`${c}\``, i);
    tokens.push({ kind: 'op', value: op, pos: i });
    i += op.length;
  }
  tokens.push({ kind: 'eof', value: '', pos: src.length });
  return tokens;
}

/** A quoted string starting at `start`; returns its value and the offset after the closing quote. */
function readString(src: string, start: number): [string, number] {
  const quote = src[start];
  let out = '';
  let i = start + 1;
  while (i < src.length) {
    const c = src[i];
    if (c === quote) return [out, i + 1];
    if (c === '\\' && i + 1 < src.length) {
      const e = src[i + 1];
      out += ESCAPES[e] ?? `\\${e}`;
      i += 2;
      continue;
    }
    out += c;
    i++;
  }
  throw new ExprSyntaxError('unterminated string', start, `close the string with ${quote}`);
}
