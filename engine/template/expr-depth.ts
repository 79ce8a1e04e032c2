// A parsed condition's depth, checked without recursion: the evaluator recurses once per level, so a
// 5 000-operation chain (`1 and 1 and ...`) must be refused before it is evaluated.
import { ExprSyntaxError } from './expr-lexer.js';
import type { Args, Node } from './expr-parser.js';

/** Operations chained in one expression tree (`a and a and ...`). */
export const MAX_EXPR_DEPTH = 1000;

/** Refuses a tree deeper than MAX_EXPR_DEPTH, walking it without recursion (it may be that deep). */
export function checkDepth(root: Node): void {
  const stack: Array<[Node, number]> = [[root, 1]];
  while (stack.length) {
    const [n, d] = stack.pop()!;
    if (d > MAX_EXPR_DEPTH) throw new ExprSyntaxError(`the expression is too deep to evaluate (more than ${MAX_EXPR_DEPTH} operations inside each other)`, n.at, 'split it into several variables or conditions (a `when:` list is joined with `and`)');
    for (const c of children(n)) stack.push([c, d + 1]);
  }
}

function children(n: Node): Node[] {
  const out: Node[] = [];
  const add = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(add);
    else if (v && typeof v === 'object') {
      if ('t' in v && 'at' in v) out.push(v as Node);
      else if ('pos' in v && 'kw' in v) {
        add((v as Args).pos);
        add(Object.values((v as Args).kw));
      }
    }
  };
  for (const [k, v] of Object.entries(n)) if (k !== 'v') add(v);
  return out;
}
