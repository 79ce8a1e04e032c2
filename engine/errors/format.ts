// Turns errors into the text a person reads: place, message, the source line with a caret, and the fix.
import { RingError, RingErrors } from './ring-error.js';

/** `file:line:col: error[E_X]: message` + source line + caret + hint. */
export function formatError(e: RingError): string {
  const d = e.details;
  const where = d.location ? `${d.location.file}:${d.location.line}:${d.location.col}: ` : '';
  const who = [d.host ? `host ${d.host}` : '', d.task ? `task '${d.task}'` : ''].filter(Boolean).join(', ');
  const lines = [`${where}error[${e.code}]: ${clipLines(e.message)}${who ? ` (${who})` : ''}`];
  if (d.sourceLine !== undefined && d.location) {
    const gutter = `${d.location.line} | `;
    const { text, col } = excerpt(d.sourceLine, d.location.col);
    lines.push(`  ${gutter}${text}`);
    lines.push(`  ${' '.repeat(gutter.length)}${caretPad(text, col)}^`);
  }
  const hint = e.hint;
  if (hint) lines.push(`  hint: ${hint}`);
  return lines.join('\n');
}

/** Longest source line quoted whole; longer ones are cut around the caret (a 1 MB line must not be echoed). */
export const EXCERPT_WIDTH = 120;

/** The part of `line` around `col` that fits EXCERPT_WIDTH, with `…` where it was cut, and the caret's column in it. */
export function excerpt(line: string, col: number): { text: string; col: number } {
  if (line.length <= EXCERPT_WIDTH) return { text: line, col };
  const start = Math.max(0, Math.min(col - 1 - EXCERPT_WIDTH / 2, line.length - EXCERPT_WIDTH));
  const end = start + EXCERPT_WIDTH;
  const head = start > 0 ? '…' : '';
  const tail = end < line.length ? '…' : '';
  return { text: `${head}${line.slice(start, end)}${tail}`, col: col - start + head.length };
}

/** Message lines longer than this (a quoted 1 MB value) are cut in the middle. */
export const MESSAGE_LINE_MAX = 400;

/** Every line of `text` at most MESSAGE_LINE_MAX characters, saying how much was left out. */
export function clipLines(text: string): string {
  return text
    .split('\n')
    .map((l) => (l.length <= MESSAGE_LINE_MAX ? l : `${l.slice(0, MESSAGE_LINE_MAX / 2)}… (${l.length - MESSAGE_LINE_MAX} characters left out) …${l.slice(-MESSAGE_LINE_MAX / 4)}`))
    .join('\n');
}

/** Keep tabs so the caret lines up under the same column. */
function caretPad(line: string, col: number): string {
  return line
    .slice(0, Math.max(0, col - 1))
    .replace(/[^\t]/g, ' ');
}

export function formatErrors(e: RingErrors): string {
  const body = e.errors.map(formatError).join('\n\n');
  return `${body}\n\n${e.errors.length} error${e.errors.length === 1 ? '' : 's'} found; nothing was run.`;
}
