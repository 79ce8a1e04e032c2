// The isolated Handlebars environment: a compiler whose every path lookup goes through our strict, safe lookup.
//
// Why not Handlebars' own `strict: true`: its lookups throw a TypeError on `{{#if a.b}}` when `a` is
// undefined and its error names only the last segment ("b" not defined in undefined); and with
// `assumeObjects` a param like `{{default x.y 'z'}}` crashes too. So we keep `strict` (it makes
// `{{foo}}` resolve as "helper, else strict value" and refuses unknown helpers) but replace the
// compiler's `resolvePath`: every lookup calls LOOKUP_HELPER(base, parts, start, strict, type, loc).
// Handlebars marks a path strict only where its value is printed (`{{a.b}}`); params of helpers and
// blocks (`{{#if a.b}}`, `{{default a.b 'x'}}`, `{{#each xs}}`) are not, so they see `undefined`.
import Handlebars from 'handlebars';
import { getProp } from './lookup.js';
import { HELPERS, HelperUndefinedError, LENIENT_HELPERS, toText } from './helpers.js';

/** The helper name the compiled code calls for lookups; not a valid Handlebars identifier. */
export const LOOKUP_HELPER = 'ring%lookup';

/** The helper every printed value goes through: no HTML escaping, lists and mappings as JSON. */
export const TEXT_HELPER = 'ring%text';

/** Handlebars' 0-based-column source location. */
export interface HbsLoc {
  start: { line: number; column: number };
  end?: { line: number; column: number };
}

/** A printed path had no value: carries the whole path (not only its last segment) and where it was. */
export class UndefinedPathError extends Error {
  constructor(
    readonly path: string,
    readonly loc: HbsLoc | undefined,
    /** The value the missing key was looked up on (for "did you mean"), if it existed. */
    readonly parent: unknown,
    readonly missingKey: string,
  ) {
    super(`undefined variable \`${path}\``);
    this.name = 'UndefinedPathError';
  }
}

type Compiler = { prototype: Record<string, unknown> } & (new () => Record<string, unknown>);

/** A fresh Handlebars environment with our compiler, our helpers and nothing global. */
export function createHbsEnv(): typeof Handlebars {
  const env = Handlebars.create();
  const envAny = env as unknown as { JavaScriptCompiler: Compiler };
  envAny.JavaScriptCompiler = ringCompiler(envAny.JavaScriptCompiler);
  // Handlebars' built-ins stay (each, if, unless, with, lookup, log); ours are added beside them.
  for (const [name, fn] of HELPERS) env.registerHelper(name, fn as Handlebars.HelperDelegate);
  env.registerHelper(LOOKUP_HELPER, lookupPath as unknown as Handlebars.HelperDelegate);
  env.registerHelper(TEXT_HELPER, ((v: unknown) => toText(v)) as Handlebars.HelperDelegate);
  env.registerHelper(STRICT_LOOKUP, lookupStrict as unknown as Handlebars.HelperDelegate);
  return env;
}

function ringCompiler(Base: Compiler): Compiler {
  function RingCompiler(this: unknown) {}
  RingCompiler.prototype = new Base();
  RingCompiler.prototype.compiler = RingCompiler;
  RingCompiler.prototype.resolvePath = function (
    this: Record<string, (...a: unknown[]) => unknown> & { options: { strict?: boolean }; source: { currentLocation?: unknown } },
    type: string,
    parts: string[],
    start: number,
    _falsy: boolean,
    strict?: boolean,
  ) {
    const base = this.popStack();
    if (start >= parts.length && !strict) {
      this.push(base);
      return;
    }
    const loc = JSON.stringify(this.source.currentLocation ?? null);
    const isStrict = Boolean(this.options.strict && strict);
    this.push([
      `container.helpers[${JSON.stringify(LOOKUP_HELPER)}](`,
      base,
      `, ${JSON.stringify(parts)}, ${start}, ${isStrict}, ${JSON.stringify(type)}, ${loc}, {})`,
    ]);
  };
  // The trailing `{}` in these calls is for Handlebars' helper wrapper, which rewrites the last
  // argument into an options object. Both `{{x}}` and `{{{x}}}` print through TEXT_HELPER, so escaping never applies.
  const print = function (this: Record<string, (...a: unknown[]) => unknown>) {
    this.pushSource(this.appendToBuffer([`container.helpers[${JSON.stringify(TEXT_HELPER)}](`, this.popStack(), ', {})']));
  };
  RingCompiler.prototype.append = print;
  RingCompiler.prototype.appendEscaped = print;
  return RingCompiler as unknown as Compiler;
}

/** Walks `parts` from `start` on `base`; a missing printed value throws UndefinedPathError. */
function lookupPath(base: unknown, parts: string[], start: number, strict: boolean, type: string, loc: HbsLoc | null): unknown {
  let cur = base;
  for (let i = start; i < parts.length; i++) {
    const key = parts[i];
    const got = getProp(cur, key);
    if (!got.found) {
      if (!strict) return undefined;
      const shown = (type === 'data' ? '@' : '') + parts.join('.');
      throw new UndefinedPathError(shown, loc ?? undefined, cur, key);
    }
    cur = got.value;
  }
  if (strict && cur === undefined) {
    throw new UndefinedPathError((type === 'data' ? '@' : '') + parts.join('.'), loc ?? undefined, undefined, parts[parts.length - 1] ?? '');
  }
  return cur;
}

type AnyNode = { type: string; [k: string]: any };

/**
 * Marks the path arguments of every helper except the lenient ones (conditionals, `default`) as
 * strict, so `{{quote etcd_name}}` with `etcd_name` undefined is an error naming it, not `''`.
 */
export function markStrictParams(node: AnyNode | null | undefined, unknown: UnknownHelper[] = []): UnknownHelper[] {
  if (!node) return unknown;
  switch (node.type) {
    case 'Program':
      for (const n of node.body) markStrictParams(n, unknown);
      return unknown;
    case 'Decorator':
    case 'DecoratorBlock':
    case 'PartialStatement':
    case 'PartialBlockStatement': {
      // Handlebars would fail at render time ("Missing decorator", "partial could not be found"), without a place.
      const what = node.type.startsWith('Partial') ? 'partials (`{{> name}}`)' : 'decorators (`{{* name}}`)';
      const loc = node.loc ?? node.name?.loc ?? node.path?.loc;
      unknown.push({ name: String(node.path?.original ?? node.name?.original ?? ''), loc, message: `${what} are not supported in templates` });
      return unknown;
    }
    case 'MustacheStatement':
    case 'SubExpression':
    case 'BlockStatement': {
      const name: string | undefined = node.path?.type === 'PathExpression' ? node.path.original : undefined;
      // A printed `{{lookup x 'k'}}` (or the captured native form of it) is as strict as `{{x.k}}`.
      if (name === 'lookup' && node.type === 'MustacheStatement') strictLookup(node);
      if (name === CAPTURE_HELPER && node.params[0]?.type === 'SubExpression' && node.params[0].path?.original === 'lookup') strictLookup(node.params[0]);
      const strict = !(name !== undefined && LENIENT_HELPERS.has(name));
      const args: AnyNode[] = [...(node.params ?? []), ...(node.hash?.pairs ?? []).map((p: AnyNode) => p.value)];
      if (args.length > 0 && name !== undefined && !KNOWN_HELPERS.has(name) && node.path.parts.length === 1 && !node.path.data) {
        unknown.push({ name, loc: node.path.loc });
      }
      for (const a of args) {
        if (a.type === 'PathExpression' && strict) a.strict = true;
        else markStrictParams(a, unknown);
      }
      markStrictParams(node.program, unknown);
      markStrictParams(node.inverse, unknown);
      return unknown;
    }
    default:
      return unknown;
  }
}

/** A call of a helper that does not exist (`{{qoute x}}`), found before anything is rendered. */
export interface UnknownHelper {
  name: string;
  loc: HbsLoc;
  /** Set for constructs that exist in Handlebars but not here (decorators, partials). */
  message?: string;
}

const CAPTURE_HELPER = 'ring%capture';
/** The printed form of `lookup`: a missing key is an error naming it, not an empty string. */
export const STRICT_LOOKUP = 'ring%lookup-strict';

function strictLookup(node: AnyNode): void {
  node.path = { ...node.path, original: STRICT_LOOKUP, parts: [STRICT_LOOKUP], head: STRICT_LOOKUP };
}

/** `{{lookup obj key}}` when printed: the value, or HelperUndefinedError naming the key. */
function lookupStrict(obj: unknown, key: unknown, options: { loc?: HbsLoc }): unknown {
  const got = getProp(obj, key as string);
  if (!got.found || got.value === undefined) throw new HelperUndefinedError(`lookup … '${String(key)}'`, obj, String(key), options?.loc);
  return got.value;
}

/** Every helper a template may call: Handlebars' built-ins and ours. */
export const KNOWN_HELPERS: ReadonlySet<string> = new Set([
  'each', 'if', 'unless', 'with', 'lookup', 'log', 'ring%capture', STRICT_LOOKUP,
  ...HELPERS.map(([name]) => name),
]);
