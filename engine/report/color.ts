// ANSI colours for console reporters: on only for a TTY, and never when NO_COLOR is set.

/** Paints text; the identity painter when colours are off. */
export interface Palette {
  ok(s: string): string;
  changed(s: string): string;
  failed(s: string): string;
  skipped(s: string): string;
  warn(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

/** https://no-color.org: any non-empty NO_COLOR turns colours off; FORCE_COLOR does not override it. */
export function wantsColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

const sgr = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;
const plain = (s: string) => s;

export function palette(on: boolean): Palette {
  if (!on) return { ok: plain, changed: plain, failed: plain, skipped: plain, warn: plain, dim: plain, bold: plain };
  return {
    ok: sgr(32, 39),
    changed: sgr(33, 39),
    failed: sgr(31, 39),
    skipped: sgr(36, 39),
    warn: sgr(35, 39),
    dim: sgr(2, 22),
    bold: sgr(1, 22),
  };
}
