// The template engine: compiles (once per text) and renders Handlebars strictly, turning failures into RingErrors.
import Handlebars from 'handlebars';
import type { Location } from '../errors/index.js';
import { createHbsEnv, KNOWN_HELPERS, markStrictParams, UndefinedPathError, type HbsLoc, type UnknownHelper } from './hbs-env.js';
import { HelperError, HelperUndefinedError } from './helpers.js';
import { keysOf } from './lookup.js';
import { nearName, originError, originText, placeInside } from './origin.js';

/** Says where a template came from, so an undefined variable can be reported with its place. */
export interface TemplateOrigin {
  task?: string;
  host?: string;
  location?: Location;
  /** e.g. 'argument `cmd`', 'template etcd.yaml.hbs' */
  what?: string;
}

export interface TemplateEngine {
  /** Render text; throws RingError E_UNDEFINED_VAR / E_TEMPLATE_SYNTAX naming the variable and origin. */
  render(text: string, vars: object, origin?: TemplateOrigin): string;
  /** Render every string inside a value (objects, arrays); a string that is exactly `{{ path }}` yields the native value. */
  renderValue(value: unknown, vars: object, origin?: TemplateOrigin): unknown;
  /** Check syntax without rendering (for validate). */
  check(text: string, origin?: TemplateOrigin): void;
}

type Delegate = (vars: object, options?: { helpers?: Record<string, unknown> }) => string;
type Ast = ReturnType<typeof Handlebars.parse>;

/** A compiled template and, when the text is a single `{{ expression }}`, how to get its native value. */
interface Compiled {
  render: Delegate;
  /** Set when the whole text is one mustache: renders `{{ring%capture (expr)}}` instead. */
  native?: Delegate;
}

const CAPTURE = 'ring%capture';

/** A fresh engine: its own Handlebars environment and its own cache of compiled templates. */
export function createTemplateEngine(): TemplateEngine {
  const env = createHbsEnv();
  const cache = new Map<string, Compiled>();

  function compile(text: string, origin?: TemplateOrigin): Compiled {
    const hit = cache.get(text);
    if (hit) return hit;
    checkNesting(text, origin);
    const ast = parse(env, text, origin);
    const unknown = markStrictParams(ast as never);
    if (unknown.length > 0) throw unknownHelper(unknown[0], text, origin);
    const options = { strict: true, noEscape: true, knownHelpersOnly: false };
    const compiled: Compiled = { render: env.compile(ast, options) as Delegate };
    const nativeText = nativeForm(ast, text);
    if (nativeText !== undefined) {
      const nativeAst = parse(env, nativeText, origin);
      markStrictParams(nativeAst as never);
      compiled.native = env.compile(nativeAst, options) as Delegate;
    }
    cache.set(text, compiled);
    return compiled;
  }

  function run(fn: Delegate, text: string, vars: object, origin?: TemplateOrigin, helpers?: Record<string, unknown>): string {
    try {
      return fn(vars, helpers ? { helpers } : undefined);
    } catch (e) {
      if (e instanceof RangeError && /call stack/i.test(e.message)) throw tooDeep(origin, 1, 0);
      throw toRingError(e, text, origin);
    }
  }

  const engine: TemplateEngine = {
    render(text, vars, origin) {
      if (!text.includes('{{')) return text;
      return run(compile(text, origin).render, text, vars, origin);
    },
    renderValue(value, vars, origin) {
      return renderDeep(compile, run, value, vars, origin);
    },
    check(text, origin) {
      compile(text, origin);
    },
  };
  return engine;
}

function renderDeep(
  compile: (text: string, origin?: TemplateOrigin) => Compiled,
  run: (fn: Delegate, text: string, vars: object, origin?: TemplateOrigin, helpers?: Record<string, unknown>) => string,
  value: unknown,
  vars: object,
  origin?: TemplateOrigin,
): unknown {
  if (typeof value === 'string') {
    if (!value.includes('{{')) return value;
    const compiled = compile(value, origin);
    if (!compiled.native) return run(compiled.render, value, vars, origin);
    let captured: unknown;
    const capture = (v: unknown) => {
      captured = v;
      return '';
    };
    run(compiled.native, value, vars, origin, { [CAPTURE]: capture });
    return captured;
  }
  if (Array.isArray(value)) return value.map((v) => renderDeep(compile, run, v, vars, origin));
  if (value && typeof value === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(value))) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = renderDeep(compile, run, v, vars, origin);
    return out;
  }
  return value;
}

/**
 * When the whole text is one `{{ ... }}` (a path or a helper call), the same expression wrapped so its
 * value is captured instead of printed: `{{[ring%capture] (default x 3)}}` or `{{[ring%capture] a.b}}`.
 * A bare path is marked strict by markStrictParams (capture is not lenient), so it stays strict.
 */
function nativeForm(ast: Ast, text: string): string | undefined {
  if (ast.body.length !== 1 || ast.body[0].type !== 'MustacheStatement') return undefined;
  const m = ast.body[0] as hbs.AST.MustacheStatement;
  if (m.path.type !== 'PathExpression') return undefined;
  const inner = text.trim().replace(/^\{\{\{?~?/, '').replace(/~?\}?\}\}$/, '');
  const hasArgs = m.params.length > 0 || (m.hash?.pairs.length ?? 0) > 0;
  return hasArgs ? `{{[${CAPTURE}] (${inner})}}` : `{{[${CAPTURE}] ${inner}}}`;
}

function parse(env: typeof Handlebars, text: string, origin?: TemplateOrigin): Ast {
  try {
    return env.parse(text);
  } catch (e) {
    if (e instanceof RangeError && /call stack/i.test(e.message)) throw tooDeep(origin, 1, 0);
    throw syntaxError(e, text, origin);
  }
}

/** Blocks (`{{#if}}`, `{{else if}}` chains) and sub-expressions inside each other; Handlebars recurses per level. */
export const MAX_TEMPLATE_NESTING = 50;

/** Refuses templates nested past MAX_TEMPLATE_NESTING before Handlebars' recursive parser and compiler see them. */
function checkNesting(text: string, origin?: TemplateOrigin): void {
  const blocks: number[] = [];
  let depth = 0;
  // indexOf, not a regex: a text of 200 000 `{{` without `}}` must stay linear.
  for (let i = text.indexOf('{{'); i >= 0; i = text.indexOf('{{', i)) {
    const end = text.indexOf('}}', i + 2);
    if (end < 0) return; // unclosed: Handlebars' own syntax error says where
    const body = text.slice(i + 2, end).replace(/^[{~]*\s*/, '');
    const kind = body[0];
    const rest = body.slice(1).trim();
    if (kind === '#' || (kind === '^' && rest !== '')) {
      blocks.push(1);
      depth++;
    } else if (kind === '/') {
      depth -= blocks.pop() ?? 0;
    } else if (/^else\s+\S/.test(body) && blocks.length) {
      // `{{else if x}}` opens a block inside the previous one.
      blocks[blocks.length - 1]++;
      depth++;
    }
    let parens = 0;
    let deepest = 0;
    for (const c of body) {
      if (c === '(') deepest = Math.max(deepest, ++parens);
      else if (c === ')') parens--;
    }
    if (depth + deepest > MAX_TEMPLATE_NESTING) {
      const before = text.slice(0, i);
      const line = before.split('\n').length;
      throw tooDeep(origin, line, i - before.lastIndexOf('\n') - 1);
    }
    i = end + 2;
  }
}

function tooDeep(origin: TemplateOrigin | undefined, line: number, column: number) {
  const where = placeInside(origin, line, column);
  return originError('E_TEMPLATE_SYNTAX', `the template nests too deeply (more than ${MAX_TEMPLATE_NESTING} blocks or brackets inside each other)${originText(origin, where)}`, origin, {
    location: where,
    hint: 'flatten it: compute parts in variables (set_fact) or use `and`/`or` instead of nested blocks',
  });
}

/** Handlebars' parse errors say "Parse error on line N:" with a caret excerpt; we keep the excerpt. */
function syntaxError(e: unknown, text: string, origin?: TemplateOrigin) {
  const err = e as { message?: string; lineNumber?: number; column?: number; hash?: { line?: number; loc?: { first_line: number; first_column: number } } };
  const msg = String(err.message ?? e);
  const line = err.lineNumber ?? (err.hash?.loc ? err.hash.loc.first_line : err.hash?.line !== undefined ? err.hash.line + 1 : undefined) ?? lineFromMessage(msg) ?? 1;
  const column = err.column ?? err.hash?.loc?.first_column ?? 0;
  const body = msg.replace(/^Parse error on line \d+:\n?/, '').replace(/ - \d+:\d+$/, '');
  const where = placeInside(origin, line, column);
  const multi = text.includes('\n') ? ` on line ${line} of the template` : '';
  return originError('E_TEMPLATE_SYNTAX', `template syntax error${multi}${originText(origin, where)}:\n${indentBlock(body)}`, origin, {
    location: where,
    cause: e,
  });
}

function unknownHelper(u: UnknownHelper, text: string, origin?: TemplateOrigin) {
  const line = u.loc.start.line;
  const where = placeInside(origin, line, u.loc.start.column);
  const multi = text.includes('\n') ? ` on line ${line} of the template` : '';
  const near = nearName(u.name, [...KNOWN_HELPERS].filter((n) => !n.includes('%')));
  if (u.message) return originError('E_TEMPLATE_SYNTAX', `${u.message}${multi}${originText(origin, where)}`, origin, { location: where });
  return originError('E_TEMPLATE_SYNTAX', `unknown helper \`${u.name}\`${multi}${originText(origin, where)}`, origin, {
    location: where,
    hint: near ? `did you mean \`${near}\`? The helpers are listed under "Conditions and templates" in the README` : 'the helpers are listed under "Conditions and templates" in the README',
  });
}

function lineFromMessage(msg: string): number | undefined {
  const m = /on line (\d+)/.exec(msg);
  return m ? Number(m[1]) : undefined;
}

function indentBlock(s: string): string {
  return s.split('\n').map((l) => `    ${l}`).join('\n');
}

/** Our lookup/helper errors and Handlebars' own (`Must pass iterator to #each`) as RingErrors with the origin. */
function toRingError(e: unknown, text: string, origin?: TemplateOrigin) {
  if (e instanceof UndefinedPathError || e instanceof HelperUndefinedError) {
    const loc = e.loc as HbsLoc | undefined;
    const line = loc?.start.line ?? 1;
    const where = placeInside(origin, line, loc?.start.column ?? 0);
    const multi = text.includes('\n') ? ` on line ${line} of the template` : '';
    const near = nearName(e.missingKey, keysOf(e.parent));
    return originError('E_UNDEFINED_VAR', `undefined variable \`${e.path}\`${multi}${originText(origin, where)}`, origin, {
      location: where,
      hint: near && near !== e.missingKey ? `did you mean \`${e.path.replace(/[^.]*$/, near)}\`?` : undefined,
    });
  }
  const err = e as { message?: string; lineNumber?: number; column?: number; loc?: HbsLoc };
  const loc = e instanceof HelperError ? e.loc : undefined;
  const line = loc?.start.line ?? err.lineNumber;
  if (e instanceof HelperError || e instanceof Handlebars.Exception) {
    const where = line ? placeInside(origin, line, loc?.start.column ?? err.column ?? 0) : origin?.location;
    const multi = line && text.includes('\n') ? ` on line ${line} of the template` : '';
    return originError('E_TEMPLATE_SYNTAX', `${String(err.message).replace(/ - \d+:\d+$/, '')}${multi}${originText(origin, where)}`, origin, { location: where, cause: e });
  }
  return e;
}
