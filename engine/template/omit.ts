// Ansible's `omit`: a module argument whose rendered value is exactly `{{ omit }}`'s placeholder is left out, so a
// playbook can pass an argument only when a condition holds (`dest: "{{#if x}}/a{{else}}{{omit}}{{/if}}"`).

/** The value of the `omit` variable; never a value anyone writes by accident. */
export const OMIT = '__omit_place_holder__ringmaster__';

/** The rendered arguments without the omitted ones (at any depth of mappings; list items are kept as they are). */
export function dropOmitted<T>(value: T): T {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (v === OMIT) continue;
    out[k] = v && typeof v === 'object' && !Array.isArray(v) ? dropOmitted(v) : v;
  }
  return out as T;
}
