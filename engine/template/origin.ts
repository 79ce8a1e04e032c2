// Turns a TemplateOrigin into the words and the place an error message needs (shared by templates and expressions).
import { RingError, type ErrorCode, type Location } from '../errors/index.js';
import { suggest } from '../validate/suggest.js';
import type { TemplateOrigin } from './engine.js';

/** ` in argument `cmd` of task 'Add member' (host node2, playbooks/x.yml:14)`: empty parts are left out. */
export function originText(origin: TemplateOrigin | undefined, at?: Location): string {
  if (!origin) return '';
  let text = '';
  if (origin.what) text += ` in ${origin.what}`;
  if (origin.task) text += `${origin.what ? ' of' : ' in'} task '${origin.task}'`;
  const where = at ?? origin.location;
  const paren = [origin.host ? `host ${origin.host}` : '', where ? `${where.file}:${where.line}` : ''].filter(Boolean);
  if (paren.length) text += ` (${paren.join(', ')})`;
  return text;
}

/**
 * The place of something found at `line`/`column` (1-based line, 0-based column) inside a template or
 * expression whose text starts at `origin.location`. A template file starts at line 1, column 1, so the
 * result is exact there; inside a YAML scalar the line is exact for single-line values.
 */
export function placeInside(origin: TemplateOrigin | undefined, line: number, column: number): Location | undefined {
  const base = origin?.location;
  if (!base) return undefined;
  return {
    file: base.file,
    line: base.line + line - 1,
    col: line === 1 ? base.col + column : column + 1,
  };
}

/**
 * A RingError at the origin's (refined) location. Host and task are already named in the message, so
 * they are not repeated in `details` (formatError would print them a second time).
 */
export function originError(
  code: ErrorCode,
  message: string,
  origin: TemplateOrigin | undefined,
  extra: { location?: Location; hint?: string; cause?: unknown } = {},
): RingError {
  return new RingError(code, message, {
    location: extra.location ?? origin?.location,
    hint: extra.hint,
    cause: extra.cause,
  });
}

/** The nearest candidate, also catching swapped letters (`qoute` → `quote`), which edit distance counts twice. */
export function nearName(word: string, candidates: Iterable<string>): string | undefined {
  const list = [...candidates];
  const near = suggest(word, list);
  if (near) return near;
  const letters = (s: string) => [...s.toLowerCase()].sort().join('');
  return list.find((c) => c.length === word.length && letters(c) === letters(word));
}
