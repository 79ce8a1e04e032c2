// Collapses ajv's oneOf/anyOf error piles into the one error a person needs, and forgives `{{ }}` values.
import type { ErrorObject } from 'ajv';

/** A string holding a template: its type and value are only known after rendering. */
export function isTemplated(v: unknown): boolean {
  return typeof v === 'string' && v.includes('{{');
}

interface Entry {
  e: ErrorObject;
  /** Forgiven: the value is a template (or an alternative it belongs to was satisfied by one). */
  forgiven: boolean;
  removed: boolean;
}

/**
 * ajv reports every failing branch of a oneOf/anyOf plus the oneOf itself. Innermost first, each such
 * group becomes: nothing (a branch failed only on template values), one type error listing the types
 * of all branches (the value fits none of them), "needs one of" (every branch lacks a required key),
 * or the errors of the branch whose type matched (the value was meant as that form).
 */
export function collapseAlternatives(errors: ErrorObject[], forgiven: (e: ErrorObject) => boolean): ErrorObject[] {
  const entries: Entry[] = errors.map((e) => ({ e, forgiven: forgiven(e), removed: false }));
  const composites = entries
    .filter((x) => x.e.keyword === 'oneOf' || x.e.keyword === 'anyOf')
    .sort((a, b) => b.e.schemaPath.length - a.e.schemaPath.length);
  for (const c of composites) {
    if (c.removed) continue;
    const prefix = `${c.e.schemaPath}/`;
    const inside = entries.filter((x) => x !== c && !x.removed && x.e.schemaPath.startsWith(prefix));
    const branches = new Map<string, Entry[]>();
    for (const x of inside) {
      const i = x.e.schemaPath.slice(prefix.length).split('/')[0];
      branches.set(i, [...(branches.get(i) ?? []), x]);
    }
    const remove = (xs: Entry[]) => xs.forEach((x) => (x.removed = true));
    const passing = (c.e.params as { passingSchemas?: number[] | null }).passingSchemas;
    if (passing && passing.length > 1) {
      const branchSchemas = (c.e.schema as Array<{ required?: string[] }>) ?? [];
      const choices = passing.flatMap((i) => branchSchemas[i]?.required ?? []);
      if (choices.length) c.e = synthetic(c.e, 'x-only-one', { choices });
      continue;
    }
    if (!branches.size) continue;
    const groups = [...branches.values()];
    if (groups.some((g) => g.every((x) => x.forgiven))) {
      remove(inside);
      c.forgiven = true;
      continue;
    }
    const live = groups.map((g) => g.filter((x) => !x.forgiven));
    const typeMiss = (g: Entry[]) => g.find((x) => (x.e.keyword === 'type' || x.e.keyword === 'x-type') && x.e.instancePath === c.e.instancePath);
    if (live.every((g) => typeMiss(g))) {
      const types = [...new Set(live.flatMap((g) => [typeMiss(g)!.e.params.type].flat().map(String)))];
      remove(inside);
      c.e = synthetic(c.e, 'x-type', { type: types });
      continue;
    }
    const onlyRequired = live.every((g) => g.length && g.every((x) => x.e.keyword === 'required' && x.e.instancePath === c.e.instancePath));
    if (onlyRequired) {
      const missing = [...new Set(live.flatMap((g) => g.map((x) => String(x.e.params.missingProperty))))];
      remove(inside);
      c.e = synthetic(c.e, 'x-needs-one', { missing });
      continue;
    }
    // The value has the type of some branch: it was meant as that form; report that branch only.
    const best = live.filter((g) => !typeMiss(g)).sort((a, b) => a.length - b.length)[0];
    remove(inside.filter((x) => !best.includes(x)));
    c.removed = true;
  }
  return entries.filter((x) => !x.removed && !x.forgiven).map((x) => x.e);
}

function synthetic(e: ErrorObject, keyword: string, params: Record<string, unknown>): ErrorObject {
  return { ...e, keyword, params };
}
