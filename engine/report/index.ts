// Choosing reporters for a run (console, JSON Lines, JUnit) and the bus that fans events out to them.
import { palette, wantsColor } from './color.js';
import { EventBus, REPORT_SECRETS, type ReporterList } from './event-bus.js';
import type { Reporter } from './events.js';
import { JsonReporter } from './json.js';
import { JunitReporter } from './junit.js';
import { ListrReporter, type ListrRendererName } from './listr.js';
import { PlainReporter } from './plain.js';

export { EventBus, REPORT_SECRETS, type ReporterList } from './event-bus.js';
export { SecretMasker, MIN_SECRET_LENGTH } from './mask.js';
export { PlainReporter, type PlainOptions } from './plain.js';
export { ListrReporter, type ListrReporterOptions, type ListrRendererName } from './listr.js';
export { JsonReporter } from './json.js';
export { JunitReporter, xmlEscape } from './junit.js';
export { describeExit, recapLines, recapBlock, formatDuration } from './recap.js';
export { unifiedDiff } from './diff.js';
export { palette, wantsColor, type Palette } from './color.js';
export type * from './events.js';

/** What the run command asks of reporting. */
export interface ReportOptions {
  /** `auto`: listr2 on a TTY, plain lines otherwise; `json` replaces the console reporter. */
  output: 'auto' | 'listr' | 'plain' | 'json';
  /** Also write JUnit XML here (written atomically when the bus closes). */
  junitFile?: string;
  /** -v count: 1 shows commands and stdout/stderr, 2 also the registered result. */
  verbose: number;
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  /** Values (secrets) that must be masked wherever they would appear. */
  secrets: string[];
  /** Environment for NO_COLOR/TERM (the CLI passes its io.env); defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** Show diffs (`--diff`); run_start.diff turns them on as well. */
  diff?: boolean;
  /** listr2 renderer override (tests use `verbose` or `silent`); default `default`. */
  listrRenderer?: ListrRendererName;
}

/**
 * The reporters for these options: the console one (listr, plain or json), plus JUnit when a file is given.
 * The returned array carries `options.secrets`, so `new EventBus(createReporters(o))` masks them.
 */
export function createReporters(options: ReportOptions): Reporter[] {
  const env = options.env ?? process.env;
  const list: ReporterList = [consoleReporter(options, env)];
  if (options.junitFile) list.push(new JunitReporter(options.junitFile));
  Object.defineProperty(list, REPORT_SECRETS, { value: [...options.secrets], enumerable: false });
  return list;
}

/** createReporters + EventBus in one call: what `ringmaster run` needs. */
export function createEventBus(options: ReportOptions): EventBus {
  return new EventBus(createReporters(options), options.secrets);
}

function consoleReporter(o: ReportOptions, env: NodeJS.ProcessEnv): Reporter {
  if (o.output === 'json') return new JsonReporter(o.stdout);
  const p = palette(wantsColor(o.stdout, env));
  const useListr = o.output === 'listr' || (o.output === 'auto' && o.stdout.isTTY === true);
  if (useListr) return new ListrReporter({ stdout: o.stdout, stderr: o.stderr, palette: p, renderer: o.listrRenderer, diff: o.diff, verbose: o.verbose });
  return new PlainReporter({ stdout: o.stdout, stderr: o.stderr, verbose: o.verbose, palette: p, diff: o.diff });
}
