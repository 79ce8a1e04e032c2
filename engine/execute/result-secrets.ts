// Which strings of a task result are secrets to mask from then on (a `no_log` task, a secret-named register).
import type { ModuleResult } from '../modules/define.js';
import { collectStrings } from './vars.js';

/**
 * Keys that describe the call rather than carry its data: the engine's own words (`non-zero return code`,
 * `base64`, `item`) and the command as written. Masking them would turn every later mention of those words,
 * task names included, into `***`.
 */
const METADATA = new Set([
  'changed', 'failed', 'skipped', 'unreachable', 'rc', 'cmd', 'commands', 'planned', 'start', 'end', 'delta', 'delta_ms',
  'attempts', 'encoding', 'source', 'ansible_loop_var', 'skip_reason', 'false_condition', 'var', 'invocation', 'diff', 'meta', 'abort',
]);

/** The data strings of a result (stdout, content, facts, debug values, loop items), for masking. */
export function resultSecrets(r: ModuleResult, into: string[] = []): string[] {
  for (const [k, v] of Object.entries(r)) {
    if (METADATA.has(k)) continue;
    // a failure's or a loop's msg is the engine's sentence, not the module's output
    if (k === 'msg' && (r.failed || Array.isArray(r.results))) continue;
    if (k === 'results' && Array.isArray(v)) {
      for (const item of v) if (item && typeof item === 'object') resultSecrets(item as ModuleResult, into);
      continue;
    }
    collectStrings(v, into);
  }
  return into;
}
