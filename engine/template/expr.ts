// STUB (owned by the template room): the safe evaluator for `when`, `until`, `changed_when`, `failed_when`, `assert`.
import type { TemplateOrigin } from './engine.js';

/** Evaluate a bare expression (`etcd_members | length >= 3 and not result.failed`); no JavaScript eval. */
export function evaluate(expr: string, vars: object, origin?: TemplateOrigin): unknown {
  void expr; void vars; void origin;
  throw new Error('expr: not implemented yet');
}

/** Parse only (for validate): throws RingError E_EXPR_SYNTAX with the column. */
export function checkExpr(expr: string, origin?: TemplateOrigin): void {
  void expr; void origin;
}

/** Ansible truthiness: false, 0, '', null/undefined, [] and {} are false. */
export function truthy(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (v && typeof v === 'object') return Object.keys(v).length > 0;
  return Boolean(v);
}
