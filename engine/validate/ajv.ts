// Validators for the schemas under schemas/: compiled at build time (engine/generated/validators.ts);
// a schema that was not (tests' own schemas) is compiled once, on first use, by the one ajv instance.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join, relative, sep } from 'node:path';
import type { Ajv as AjvClass, AnySchemaObject, ErrorObject } from 'ajv';
import { validators } from '../generated/validators.js';
import { schemasDir } from '../paths.js';

/** A compiled schema: returns whether `data` is valid; the errors are then in `.errors`. */
export interface Validator {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

const precompiled = validators as unknown as Record<string, Validator>;

// A process-wide cache, not state: the same schema text always compiles to the same validator.
let instance: AjvClass | undefined;
const compiled = new Map<string, Validator>();

/** The ajv instance (loaded lazily: the build-time validators do not need it). Same options as the build. */
export function ajv(): AjvClass {
  if (!instance) {
    const { Ajv } = createRequire(import.meta.url)('ajv') as typeof import('ajv');
    instance = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, verbose: true });
  }
  return instance;
}

/** Absolute path of a schema given relative to schemas/ (e.g. 'modules/command.json'), or as is. */
export function schemaPath(file: string): string {
  return isAbsolute(file) ? file : join(schemasDir(), file);
}

/** Reads a schema file as JSON. */
export function readSchema(file: string): AnySchemaObject {
  return JSON.parse(readFileSync(schemaPath(file), 'utf8')) as AnySchemaObject;
}

/** The validator of a schema file (relative to schemas/, or absolute), with `#/pointer` for a part of it. */
export function validatorFor(ref: string): Validator {
  const [file, pointer] = ref.split('#');
  const rel = relative(schemasDir(), schemaPath(file)).split(sep).join('/');
  const key = pointer === undefined ? rel : `${rel}#${pointer}`;
  const built = precompiled[key];
  if (built) return built;
  let v = compiled.get(key);
  if (!v) {
    const schema = readSchema(file);
    const id = schema.$id ?? `https://ringmaster.dev/runtime/${compiled.size}/${rel}`;
    if (!ajv().getSchema(id)) ajv().addSchema({ ...schema, $id: id });
    v = ajv().getSchema(pointer === undefined ? id : `${id}#${pointer}`) as Validator;
    compiled.set(key, v);
  }
  return v;
}
