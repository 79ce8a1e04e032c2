// Reads a module's schema and turns it into the argument rows that `ringmaster modules NAME` shows.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { schemasDir } from '../paths.js';
import type { ModuleDefinition } from './define.js';

/** A JSON Schema node, as far as the docs need it. */
export interface SchemaNode {
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  items?: SchemaNode;
  anyOf?: SchemaNode[];
  oneOf?: SchemaNode[];
  properties?: Record<string, SchemaNode>;
  patternProperties?: Record<string, SchemaNode>;
  required?: string[];
  [key: string]: unknown;
}

/** One documented argument. */
export interface ArgumentDoc {
  name: string;
  type: string;
  required: boolean;
  default?: unknown;
  enum?: unknown[];
  description: string;
}

/** The module's JSON Schema, read from schemas/. */
export function loadModuleSchema(def: Pick<ModuleDefinition, 'schema'>): SchemaNode {
  return JSON.parse(readFileSync(join(schemasDir(), def.schema), 'utf8')) as SchemaNode;
}

/** 'string', 'string[]', 'string | string[]', 'any'. */
export function typeName(node: SchemaNode): string {
  const alts = node.anyOf ?? node.oneOf;
  if (alts) return alts.map(typeName).join(' | ');
  if (node.type === 'array') return `${node.items ? typeName(node.items) : 'any'}[]`;
  if (Array.isArray(node.type)) return node.type.join(' | ');
  return node.type ?? 'any';
}

/** The arguments in schema order; "one of" groups (cmd | argv) are named in the description. */
export function argumentDocs(schema: SchemaNode): ArgumentDoc[] {
  const required = new Set(schema.required ?? []);
  const rows: ArgumentDoc[] = Object.entries(schema.properties ?? {}).map(([name, node]) => ({
    name,
    type: typeName(node),
    required: required.has(name),
    ...(node.default !== undefined ? { default: node.default } : {}),
    ...(node.enum ? { enum: node.enum } : {}),
    description: node.description ?? '',
  }));
  for (const [pattern, node] of Object.entries(schema.patternProperties ?? {})) {
    rows.push({ name: `<${pattern}>`, type: typeName(node), required: false, description: node.description ?? '' });
  }
  return rows;
}

/** "exactly one of cmd, argv" lines from a top-level oneOf of `required` groups. */
export function exclusiveGroups(schema: SchemaNode): string[] {
  if (!schema.oneOf) return [];
  const names = schema.oneOf.flatMap((s) => s.required ?? []);
  return names.length ? [`exactly one of: ${names.join(', ')}`] : [];
}
