// The plain line reporter for logs and CI: Ansible-like `TASK [..]` / `ok: [host]` lines and the recap.
import type { Palette } from './color.js';
import { unifiedDiff } from './diff.js';
import type { HostResult, Reporter, RunEvent, Warning } from './events.js';
import { showsMessage } from './output-modules.js';
import { header, recapBlock } from './recap.js';

type Stream = NodeJS.WritableStream;

/** How the plain reporter writes. */
export interface PlainOptions {
  stdout: Stream;
  /** Warnings go here (stderr), so a log of stdout stays the run's story. */
  stderr: Stream;
  /** -v: commands, stdout/stderr and messages of successful results; -vv: the registered result too. */
  verbose: number;
  palette: Palette;
  /** Show diffs even if run_start did not ask for them. */
  diff?: boolean;
}

const LABEL: Record<HostResult['status'], string> = {
  ok: 'ok',
  changed: 'changed',
  failed: 'failed',
  skipped: 'skipping',
  unreachable: 'unreachable',
};

export class PlainReporter implements Reporter {
  readonly name = 'plain';
  private showDiff: boolean;
  /** The running task's module: debug's message is shown at every verbosity. */
  private module: string | undefined;

  constructor(private readonly o: PlainOptions) {
    this.showDiff = o.diff === true;
  }

  handle(e: RunEvent): void {
    const p = this.o.palette;
    switch (e.type) {
      case 'run_start':
        this.showDiff = this.showDiff || e.diff;
        if (e.check) this.out(p.dim('check mode: nothing will be changed; the plan is shown instead'));
        for (const w of e.warnings ?? []) this.warn({ type: 'warning', ts: e.ts, msg: w });
        return;
      case 'play_start':
        this.out('', p.bold(header(`PLAY [${e.play}]`)));
        return;
      case 'task_start':
        this.module = e.module;
        this.out('', p.bold(header(`${e.handler ? 'RUNNING HANDLER' : 'TASK'} [${e.task}]`)));
        if (this.o.verbose > 0 && e.loc) this.out(p.dim(`task path: ${e.loc.file}:${e.loc.line}:${e.loc.col}`));
        return;
      case 'host_result':
        this.out(...this.result(e));
        return;
      case 'warning':
        this.warn(e);
        return;
      case 'recap':
        this.out('', ...recapBlock(e, p));
        return;
      default:
        return; // task_end, play_end: nothing to say between banners
    }
  }

  /** The status line, then the details the verbosity and --diff ask for. */
  private result(e: HostResult): string[] {
    const p = this.o.palette;
    const paint = e.status === 'ok' ? p.ok : e.status === 'changed' ? p.changed : e.status === 'skipped' ? p.skipped : p.failed;
    const target = e.delegatedTo ? `${e.host} -> ${e.delegatedTo}` : e.host;
    let line = `${LABEL[e.status]}: [${target}]`;
    if (e.item !== undefined) line += ` => (item=${e.item})`;
    const bad = e.status === 'failed' || e.status === 'unreachable';
    if (bad && e.msg) line += `: ${e.msg}`;
    if (e.attempts !== undefined && e.attempts > 1) line += ` (attempts=${e.attempts})`;
    if ((this.o.verbose > 0 || showsMessage(this.module)) && !bad && e.msg) line += ` => ${e.msg}`;
    const lines = [paint(line)];
    lines.push(...this.details(e, bad));
    if (this.showDiff && e.diff) for (const d of e.diff) lines.push(...unifiedDiff(d).map((l) => this.paintDiff(l)));
    if (e.ignored) lines.push(p.skipped('...ignoring'));
    return lines;
  }

  /** A failure always shows its commands and stderr (what to rerun and why it broke); -v adds stdout. */
  private details(e: HostResult, bad: boolean): string[] {
    const out: string[] = [];
    if (this.o.verbose === 0 && !bad) return out;
    for (const c of e.commands ?? []) out.push(`  $ ${c}`);
    const r = e.result ?? {};
    const streams = this.o.verbose > 0 ? (['stdout', 'stderr'] as const) : (['stderr'] as const);
    for (const key of streams) {
      const text = r[key];
      if (typeof text === 'string' && text.trim() !== '' && text.trim() !== e.msg?.trim()) out.push(`  ${key}:`, ...indent(text, '    '));
    }
    if (this.o.verbose > 1 && e.result) out.push('  result:', ...indent(JSON.stringify(e.result, null, 2), '    '));
    return out;
  }

  private paintDiff(line: string): string {
    const p = this.o.palette;
    if (line.startsWith('+') && !line.startsWith('+++')) return p.ok(line);
    if (line.startsWith('-') && !line.startsWith('---')) return p.failed(line);
    if (line.startsWith('@@')) return p.skipped(line);
    return line;
  }

  private warn(e: Warning): void {
    const where = [e.host && `host ${e.host}`, e.task && `task '${e.task}'`].filter(Boolean).join(', ');
    this.o.stderr.write(`${this.o.palette.warn(`[WARNING]: ${e.msg}${where ? ` (${where})` : ''}`)}\n`);
  }

  private out(...lines: string[]): void {
    this.o.stdout.write(`${lines.join('\n')}\n`);
  }
}

function indent(text: string, pad: string): string[] {
  return text.replace(/\n$/, '').split('\n').map((l) => pad + l);
}
