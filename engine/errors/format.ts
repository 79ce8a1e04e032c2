// Turns errors into the text a person reads: place, message, the source line with a caret, and the fix.
import { RingError, RingErrors } from './ring-error.js';

/** `file:line:col: error[E_X]: message` + source line + caret + hint. */
export function formatError(e: RingError): string {
  const d = e.details;
  const where = d.location ? `${d.location.file}:${d.location.line}:${d.location.col}: ` : '';
  const who = [d.host ? `host ${d.host}` : '', d.task ? `task '${d.task}'` : ''].filter(Boolean).join(', ');
  const lines = [`${where}error[${e.code}]: ${e.message}${who ? ` (${who})` : ''}`];
  if (d.sourceLine !== undefined && d.location) {
    const gutter = `${d.location.line} | `;
    lines.push(`  ${gutter}${d.sourceLine}`);
    lines.push(`  ${' '.repeat(gutter.length)}${caretPad(d.sourceLine, d.location.col)}^`);
  }
  const hint = e.hint;
  if (hint) lines.push(`  hint: ${hint}`);
  return lines.join('\n');
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
