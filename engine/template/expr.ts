// The safe evaluator for `when`, `until`, `changed_when`, `failed_when`, `assert`: parse, evaluate, explain failures.
import { RingError } from '../errors/index.js';
import { excerpt } from '../errors/format.js';
import type { TemplateOrigin } from './engine.js';
import { evalNode } from './expr-eval.js';
import { ExprSyntaxError } from './expr-lexer.js';
import { parseExpr, type Node } from './expr-parser.js';
import { ExprEvalError, need, Undef, UndefinedUse } from './expr-values.js';
import { keysOf } from './lookup.js';
import { nearName, originError, originText } from './origin.js';

import { truthy } from './truthy.js';

export { truthy };

/** Evaluate a bare expression (`etcd_members | length >= 3 and not result.failed`); no JavaScript eval. */
export function evaluate(expr: string, vars: object, origin?: TemplateOrigin): unknown {
  // YAML turns `when: true` / `retries: 3`-like values into booleans and numbers: they are their own value.
  if (typeof expr === 'boolean' || typeof expr === 'number') return expr;
  const { node, src, offset } = parse(expr, origin);
  try {
    return need(evalNode(node, vars));
  } catch (e) {
    throw explain(e, expr, src, offset, origin);
  }
}

/** Parse only (for validate): throws RingError E_EXPR_SYNTAX with the column. */
export function checkExpr(expr: string, origin?: TemplateOrigin): void {
  if (typeof expr === 'boolean' || typeof expr === 'number') return;
  parse(expr, origin);
}

/** Evaluate and reduce to Ansible truthiness (what `when` and `failed_when` need). */
export function evaluateCondition(expr: string, vars: object, origin?: TemplateOrigin): boolean {
  return truthy(evaluate(expr, vars, origin));
}

/** `{{ x }}` around a whole condition is tolerated (Ansible warns; we simply strip it). */
function unwrap(expr: string): { src: string; offset: number } {
  const m = /^(\s*\{\{)([\s\S]*)\}\}\s*$/.exec(expr);
  if (!m || m[2].includes('{{') || m[2].includes('}}')) return { src: expr, offset: 0 };
  return { src: m[2], offset: m[1].length };
}

function parse(expr: string, origin?: TemplateOrigin): { node: Node; src: string; offset: number } {
  if (typeof expr !== 'string') {
    throw originError('E_EXPR_SYNTAX', `a condition must be text, got ${expr === null ? 'null' : typeof expr}${originText(origin)}`, origin);
  }
  const { src, offset } = unwrap(expr);
  if (src.trim() === '') throw originError('E_EXPR_SYNTAX', `empty expression${originText(origin)}`, origin);
  try {
    return { node: parseExpr(src), src, offset };
  } catch (e) {
    throw explain(e, expr, src, offset, origin);
  }
}

/** The expression with a caret under `column` (1-based), indented under the message. */
function caret(expr: string, column: number): string {
  const { text, col } = excerpt(expr.replace(/\n/g, ' '), column);
  return `\n    ${text}\n    ${' '.repeat(Math.max(0, col - 1))}^`;
}

/** Internal evaluator errors → RingErrors that name the expression, the column and the origin. */
function explain(e: unknown, expr: string, _src: string, offset: number, origin?: TemplateOrigin): unknown {
  if (e instanceof ExprSyntaxError) {
    const column = e.pos + offset + 1;
    return originError('E_EXPR_SYNTAX', `${e.message} at column ${column} of the expression${originText(origin)}:${caret(expr, column)}`, origin, {
      hint: e.hint,
      cause: e,
    });
  }
  if (e instanceof UndefinedUse) return undefinedError(e.undef, expr, offset, origin);
  if (e instanceof ExprEvalError) {
    const column = (e.at ?? 0) + offset + 1;
    return originError('E_EXPR_EVAL', `${e.message} at column ${column} of \`${expr.trim()}\`${originText(origin)}:${caret(expr, column)}`, origin, { cause: e });
  }
  if (e instanceof RingError) return e;
  return e;
}

function undefinedError(u: Undef, expr: string, offset: number, origin?: TemplateOrigin): RingError {
  const near = u.parent === undefined ? undefined : nearName(u.key, keysOf(u.parent));
  const better = near && near !== u.key ? `did you mean \`${u.path.slice(0, u.path.length - u.key.length)}${near}\`? ` : '';
  const column = u.at + offset + 1;
  return originError('E_UNDEFINED_VAR', `\`${u.path}\` is undefined${originText(origin)}:${caret(expr, column)}`, origin, {
    hint: `${better}guard it with \`${u.path} is defined\` or \`${u.path} | default(...)\``,
  });
}
