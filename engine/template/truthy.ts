// Ansible truthiness, shared by template conditionals and the expression evaluator.

/** false, 0, '', null/undefined, [] and {} are false; everything else is true. */
export function truthy(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof Map) return v.size > 0;
  if (v && typeof v === 'object') return Object.keys(v).length > 0;
  return Boolean(v);
}
