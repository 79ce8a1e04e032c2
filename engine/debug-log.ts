// The file an internal error leaves for its bug report: the stack and the command line, never a secret, mode 0600.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const EXTRA_VARS = new Set(['-e', '--extra-vars']);

/**
 * argv with every extra-vars value replaced: `-e db_password=…` or `-e '{"token": …}'` is where users put
 * secrets on the command line, and the file is meant to be sent to someone. `@file` references are kept.
 */
export function redactArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (EXTRA_VARS.has(a) && i + 1 < argv.length) {
      out.push(a, hide(argv[++i]));
      continue;
    }
    const joined = /^(--extra-vars=|-e)(.+)$/.exec(a);
    out.push(joined ? `${joined[1]}${hide(joined[2])}` : a);
  }
  return out;
}

function hide(value: string): string {
  return value.startsWith('@') ? value : '<extra vars hidden>';
}

/** Writes the debug log (0600, in a fresh 0700 folder) and returns its path. */
export function writeDebugLog(e: unknown, argv: readonly string[], version: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ringmaster-debug-'));
  const file = join(dir, 'debug.log');
  const text = e instanceof Error ? `${e.stack ?? e.message}\n${e.cause ? `cause: ${String((e.cause as Error)?.stack ?? e.cause)}` : ''}` : String(e);
  writeFileSync(file, `${new Date().toISOString()} ringmaster ${version}\nargv: ${redactArgv(argv).join(' ')}\n${text}\n`, { mode: 0o600 });
  return file;
}
