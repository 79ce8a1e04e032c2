// The listr2 reporter for a TTY: each task a listr2 task with a subtask per host, driven by pushed events.
//
// listr2 runs functions it is given and fixes its task list once `run()` starts, while the executor pushes
// events. So each ringmaster task is one short Listr run: task_start builds it (one subtask per target host,
// each awaiting a promise), host_result settles that host's promise, task_end settles the rest and waits for
// the run to finish. Only one Listr is ever active, so play banners, diffs and the recap are written between
// runs, never under listr2's live-updating region.
import { Listr, ListrLogger, ProcessOutput, type ListrTask, type ListrTaskWrapper } from 'listr2';
import type { Palette } from './color.js';
import { unifiedDiff } from './diff.js';
import type { HostResult, HostStatus, Reporter, RunEvent, TaskEnd, TaskStart, Warning } from './events.js';
import { showsMessage } from './output-modules.js';
import { formatDuration, header, recapBlock } from './recap.js';

/** Which listr2 renderer draws: `default` on a TTY; tests use `verbose` (line per state change) or `silent`. */
export type ListrRendererName = 'default' | 'simple' | 'verbose' | 'silent';

/** How the listr reporter writes. */
export interface ListrReporterOptions {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  palette: Palette;
  renderer?: ListrRendererName;
  /** Show diffs even if run_start did not ask for them. */
  diff?: boolean;
  /** -v: after each task, its commands and stdout/stderr per host. */
  verbose?: number;
}

type Outcome = { kind: 'done' | 'skip' | 'fail'; title: string };

interface HostSlot {
  host: string;
  results: HostResult[];
  settled: boolean;
  settle: (o: Outcome) => void;
  outcome: Promise<Outcome>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  wrapper?: ListrTaskWrapper<any, any, any>;
}

interface Running {
  start: TaskStart;
  hosts: Map<string, HostSlot>;
  /** Results for hosts the task did not announce (they cannot become listr2 subtasks any more). */
  extra: HostResult[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  parent?: ListrTaskWrapper<any, any, any>;
  /** The title with counts, once task_end came (listr2 may not have started the task by then). */
  finalTitle?: string;
  done: Promise<unknown>;
}

/** Worst first: the status a host shows when a looping task gave it several results. */
const RANK: HostStatus[] = ['unreachable', 'failed', 'changed', 'ok', 'skipped'];
/** The order of the per-task counts in a finished task's title, as in the recap. */
const SUMMARY_ORDER = ['ok', 'changed', 'unreachable', 'failed', 'skipped', 'ignored'];

export class ListrReporter implements Reporter {
  readonly name = 'listr';
  private running: Running | undefined;
  /** Module of the task just finished (details are written after `running` is cleared). */
  private lastModule: string | undefined;
  private showDiff: boolean;

  constructor(private readonly o: ListrReporterOptions) {
    this.showDiff = o.diff === true;
  }

  async handle(e: RunEvent): Promise<void> {
    switch (e.type) {
      case 'run_start':
        this.showDiff = this.showDiff || e.diff;
        if (e.check) this.out(this.o.palette.dim('check mode: nothing will be changed; the plan is shown instead'));
        for (const w of e.warnings ?? []) this.warn({ type: 'warning', ts: e.ts, msg: w });
        return;
      case 'play_start':
        this.out('', this.o.palette.bold(header(`PLAY [${e.play}]`)));
        return;
      case 'task_start':
        await this.finish(undefined); // a task that never ended (should not happen) must not overlap
        this.lastModule = e.module;
        this.running = this.begin(e);
        return;
      case 'host_result':
        this.result(e);
        return;
      case 'task_end':
        await this.finish(e);
        return;
      case 'warning':
        this.warn(e);
        return;
      case 'recap':
        await this.finish(undefined);
        this.out('', ...recapBlock(e, this.o.palette));
        return;
      default:
        return;
    }
  }

  async close(): Promise<void> {
    await this.finish(undefined);
  }

  private begin(start: TaskStart): Running {
    const hosts = new Map<string, HostSlot>();
    for (const host of start.hosts) hosts.set(host, slot(host));
    const running: Running = { start, hosts, extra: [], done: Promise.resolve() };
    const subtasks: ListrTask[] = [...hosts.values()].map((s) => ({
      title: s.host,
      task: async (_ctx, wrapper) => {
        s.wrapper = wrapper;
        const outcome = await s.outcome;
        wrapper.title = outcome.title;
        if (outcome.kind === 'skip') wrapper.skip(outcome.title);
        if (outcome.kind === 'fail') throw new Error(outcome.title);
      },
    }));
    const title = `${start.handler ? 'RUNNING HANDLER ' : ''}${start.task}`;
    const listr = new Listr(
      [
        {
          title,
          task: (_ctx, wrapper) => {
            running.parent = wrapper;
            if (running.finalTitle) wrapper.title = running.finalTitle;
            return wrapper.newListr(subtasks, { concurrent: true, exitOnError: false });
          },
          rendererOptions: { persistentOutput: true },
        },
      ],
      this.listrOptions(),
    );
    running.done = listr.run();
    return running;
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private listrOptions(): any {
    const renderer = this.o.renderer ?? 'default';
    const logger = new ListrLogger({
      processOutput: new ProcessOutput(this.o.stdout as NodeJS.WriteStream, this.o.stderr as NodeJS.WriteStream),
      useIcons: renderer !== 'verbose',
    });
    const rendererOptions =
      renderer === 'default'
        ? { logger, collapseSubtasks: true, collapseErrors: true, showErrorMessage: true, collapseSkips: true, formatOutput: 'wrap' }
        : { logger, logTitleChange: true };
    return {
      renderer,
      rendererOptions,
      fallbackRenderer: 'simple',
      // listr2 wraps to process.stdout.columns; a pseudo-terminal with no size (0 columns) would get one
      // character per line, so such a terminal gets the line-based renderer instead.
      fallbackRendererCondition: renderer === 'default' && !(Number(process.stdout.columns) > 0),
      fallbackRendererOptions: { logger },
      exitOnError: false,
      registerSignalListeners: false,
      ctx: {},
    };
  }

  private result(e: HostResult): void {
    const r = this.running;
    if (!r || r.start.task !== e.task) {
      this.out(this.hostTitle(e.host, [e])); // a result outside any task: still say it
      return;
    }
    const s = r.hosts.get(e.host);
    if (!s || s.settled) {
      r.extra.push(e); // printed as lines once the task's run has finished
      return;
    }
    s.results.push(e);
    // A looping task sends one result per item: the host stays open until task_end.
    if (e.item === undefined) s.settle(this.outcome(s));
    else if (s.wrapper) s.wrapper.title = this.hostTitle(s.host, s.results);
  }

  /** Settles every host, titles the task with its counts, waits for listr2, then prints diffs. */
  private async finish(end: TaskEnd | undefined): Promise<void> {
    const r = this.running;
    if (!r) return;
    for (const s of r.hosts.values()) if (!s.settled) s.settle(this.outcome(s));
    r.finalTitle = this.taskTitle(r, end);
    if (r.parent) r.parent.title = r.finalTitle;
    this.running = undefined;
    await r.done;
    for (const x of r.extra) this.out(`  ${this.hostTitle(x.host, [x])}`);
    const all = [...[...r.hosts.values()].flatMap((s) => s.results), ...r.extra];
    for (const res of all) this.out(...this.details(res));
  }

  /** What -v and --diff add under a finished task, written after listr2 has drawn it. */
  private details(res: HostResult): string[] {
    const lines: string[] = [];
    if (showsMessage(this.running?.start.module ?? this.lastModule) && res.msg) lines.push(`[${res.host}] ${res.msg}`);
    if ((this.o.verbose ?? 0) > 0) {
      const label = `[${res.host}${res.item !== undefined ? ` (item=${res.item})` : ''}]`;
      for (const c of res.commands ?? []) lines.push(`${label} $ ${c}`);
      for (const key of ['stdout', 'stderr'] as const) {
        const text = res.result?.[key];
        if (typeof text === 'string' && text.trim() !== '') lines.push(`${label} ${key}:`, ...text.replace(/\n$/, '').split('\n').map((l) => `    ${l}`));
      }
    }
    if (this.showDiff) {
      for (const d of res.diff ?? []) {
        const diff = unifiedDiff(d);
        if (diff.length) lines.push(`diff [${res.host}]:`, ...diff);
      }
    }
    return lines;
  }

  private outcome(s: HostSlot): Outcome {
    if (s.results.length === 0) return { kind: 'skip', title: `${s.host}: no result` };
    const worst = worstOf(s.results);
    const title = this.hostTitle(s.host, s.results);
    if (worst === 'skipped') return { kind: 'skip', title };
    const hardFailure = s.results.some((x) => (x.status === 'failed' && !x.ignored) || x.status === 'unreachable');
    return { kind: hardFailure ? 'fail' : 'done', title };
  }

  /** `node3 failed: msg (0.4s)`; loops add the item count. */
  private hostTitle(host: string, results: HostResult[]): string {
    const p = this.o.palette;
    const worst = worstOf(results);
    const paint = worst === 'ok' ? p.ok : worst === 'changed' ? p.changed : worst === 'skipped' ? p.skipped : p.failed;
    const ignored = results.some((x) => x.ignored) ? ' (ignored)' : '';
    const items = results.filter((x) => x.item !== undefined).length;
    const msg = results.find((x) => x.status === worst && x.msg)?.msg;
    const showMsg = msg && (worst === 'failed' || worst === 'unreachable') ? `: ${msg}` : '';
    const ms = results.reduce((t, x) => t + x.durationMs, 0);
    return `${host} ${paint(worst)}${ignored}${items ? ` (${items} items)` : ''}${showMsg} ${p.dim(formatDuration(ms))}`;
  }

  private taskTitle(r: Running, end: TaskEnd | undefined): string {
    const counts = new Map<string, number>();
    const groups = [...[...r.hosts.values()].map((s) => s.results), ...r.extra.map((x) => [x])].filter((g) => g.length > 0);
    for (const g of groups) {
      const worst = worstOf(g);
      const label = worst === 'failed' && g.every((x) => x.status !== 'failed' || x.ignored) ? 'ignored' : worst;
      counts.set(label, (counts.get(label) ?? 0) + 1);
    }
    const summary = SUMMARY_ORDER.filter((st) => counts.has(st)).map((st) => `${st}=${counts.get(st)}`).join(' ');
    const base = `${r.start.handler ? 'RUNNING HANDLER ' : ''}${r.start.task}`;
    return `${base}${summary ? ` [${summary}]` : ''}${end ? ` ${this.o.palette.dim(formatDuration(end.durationMs))}` : ''}`;
  }

  /** Written to stderr; while listr2 draws, its output capture holds the line and prints it after. */
  private warn(e: Warning): void {
    const where = [e.host && `host ${e.host}`, e.task && `task '${e.task}'`].filter(Boolean).join(', ');
    this.o.stderr.write(`${this.o.palette.warn(`[WARNING]: ${e.msg}${where ? ` (${where})` : ''}`)}\n`);
  }

  private out(...lines: string[]): void {
    if (lines.length === 0) return;
    this.o.stdout.write(`${lines.join('\n')}\n`);
  }
}

function slot(host: string): HostSlot {
  let settle!: (o: Outcome) => void;
  const outcome = new Promise<Outcome>((resolve) => (settle = resolve));
  const s: HostSlot = { host, results: [], settled: false, outcome, settle: () => undefined };
  s.settle = (o) => {
    s.settled = true;
    settle(o);
  };
  return s;
}

function worstOf(results: HostResult[]): HostStatus {
  return RANK.find((st) => results.some((x) => x.status === st)) ?? 'ok';
}
