// Source files as text and lines, and RingErrors that point into them (file:line:col plus the quoted line).
import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { RingError, type Location } from '../errors/index.js';

/** A file's text split into lines, so errors can quote the offending line. */
export interface SourceText {
  file: string;
  text: string;
  lines: string[];
}


export function sourceText(file: string, text: string): SourceText {
  // A UTF-8 byte-order mark (Windows editors add one) is not content: without this, yaml sees a stray scalar at 1:4.
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  return { file, text: body, lines: body.split(/\r?\n/) };
}


/** Reads a file; a missing or unreadable file is a RingError naming the path. */
export async function readSource(file: string, what = 'file'): Promise<SourceText> {
  try {
    return sourceText(file, await readFile(file, 'utf8'));
  } catch (e) {
    throw fileError(e, file, what);
  }
}

export function fileError(e: unknown, file: string, what = 'file'): RingError {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return new RingError('E_FILE_NOT_FOUND', `${what} not found: ${file}`, { cause: e });
  if (code === 'EISDIR') return new RingError('E_FILE_UNREADABLE', `${what} ${file} is a folder, not a file`, { cause: e });
  return new RingError('E_FILE_UNREADABLE', `cannot read ${what} ${file}: ${(e as Error)?.message ?? e}`, { cause: e });
}

/** A RingError pointing at `loc`, quoting its line from `src` (or from the file itself). */
export function errorAt(code: RingError['code'], message: string, loc: Location | undefined, src?: SourceText, hint?: string): RingError {
  const details: RingError['details'] = {};
  if (loc) {
    details.location = loc;
    const line = src && src.file === loc.file ? src.lines[loc.line - 1] : sourceLine(loc);
    if (line !== undefined) details.sourceLine = line;
  }
  if (hint) details.hint = hint;
  return new RingError(code, message, details);
}

/** File order is kept; inside a file, errors read top to bottom. */
export function sortErrors(errors: RingError[]): void {
  const files = [...new Set(errors.map((e) => e.location?.file ?? ''))];
  errors.sort((a, b) => {
    const fa = files.indexOf(a.location?.file ?? '');
    const fb = files.indexOf(b.location?.file ?? '');
    return fa - fb || (a.location?.line ?? 0) - (b.location?.line ?? 0) || (a.location?.col ?? 0) - (b.location?.col ?? 0);
  });
}

/** The text of the line a location points at, read from disk (error paths only). */
export function sourceLine(loc: Location): string | undefined {
  try {
    return readFileSync(loc.file, 'utf8').split(/\r?\n/)[loc.line - 1];
  } catch {
    return undefined;
  }
}
