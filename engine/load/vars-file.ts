// A YAML (or JSON) vars file — vars_files, group_vars/, host_vars/, -e @file — → a located mapping.
import { RingErrors, type RingError } from '../errors/index.js';
import { validatorFor } from '../validate/ajv.js';
import { translateErrors } from '../validate/translate.js';
import { sourceOf } from './located.js';
import { errorAt, loadYamlFile, type ParsedYaml } from './yaml.js';

/** The variables of a file and the problems found in it (the variables only when there are none). */
export interface VarsCheck {
  vars?: Record<string, unknown>;
  errors: RingError[];
}

/** Reads a vars file: a mapping of variable names to values (an empty file is an empty mapping). */
export async function loadVarsFile(file: string): Promise<Record<string, unknown>> {
  const { vars, errors } = await checkVarsFile(file);
  if (!vars) throw new RingErrors(errors);
  return vars;
}

/** Like loadVarsFile, but returns the errors instead of throwing. */
export async function checkVarsFile(file: string, what = 'vars file'): Promise<VarsCheck> {
  let parsed: ParsedYaml;
  try {
    parsed = await loadYamlFile(file, what);
  } catch (e) {
    return { errors: [e as RingError] };
  }
  return checkVars(parsed, what);
}

/** Checks parsed YAML as variables: a mapping whose keys are valid variable names. */
export function checkVars(parsed: ParsedYaml, what: string): VarsCheck {
  if (parsed.errors.length) return { errors: parsed.errors };
  const v = parsed.value;
  if (v === null || v === undefined) return { vars: {}, errors: [] };
  if (typeof v !== 'object' || Array.isArray(v)) {
    const kind = Array.isArray(v) ? 'a list' : `the ${typeof v} ${String(v)}`;
    const loc = sourceOf(v)?.loc ?? { file: parsed.source.file, line: 1, col: 1 };
    return { errors: [errorAt('E_SCHEMA', `the ${what} must be a mapping of variable names to values, got ${kind}`, loc, parsed.source, 'write one `name: value` per line')] };
  }
  const validate = validatorFor('vars.json');
  if (validate(v)) return { vars: v as Record<string, unknown>, errors: [] };
  const errors = translateErrors(validate.errors, { root: v, src: parsed.source, context: (segs) => ({ label: `the ${what}`, rel: segs }) });
  return { errors };
}
