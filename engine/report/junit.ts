// The JUnit XML reporter: a testsuite per play, a testcase per task × host, written atomically on close.
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { HostResult, Reporter, RunEvent } from './events.js';

interface Case {
  name: string;
  classname: string;
  seconds: number;
  status: HostResult['status'];
  ignored: boolean;
  msg: string;
  commands: string[];
}

interface Suite {
  name: string;
  timestamp: string;
  seconds: number;
  cases: Case[];
}

/** XML text with the five special characters escaped and characters XML 1.0 forbids removed. */
export function xmlEscape(s: string): string {
  return s
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const secs = (ms: number) => (ms / 1000).toFixed(3);

export class JunitReporter implements Reporter {
  readonly name = 'junit';
  private readonly suites: Suite[] = [];
  private runMs = 0;

  constructor(private readonly file: string) {}

  handle(e: RunEvent): void {
    if (e.type === 'play_start') this.suites.push({ name: e.play, timestamp: e.ts, seconds: 0, cases: [] });
    else if (e.type === 'host_result') this.current(e.play).cases.push(toCase(e));
    else if (e.type === 'play_end') this.current(e.play).seconds = e.durationMs / 1000;
    else if (e.type === 'recap') this.runMs = e.durationMs;
  }

  /** Writes to a temporary file beside the target, then renames: a reader never sees half a report. */
  async close(): Promise<void> {
    await mkdir(dirname(this.file), { recursive: true });
    const tmp = join(dirname(this.file), `.${basename(this.file)}.${randomBytes(4).toString('hex')}.tmp`);
    try {
      await writeFile(tmp, this.render());
      await rename(tmp, this.file);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
  }

  /** The document (exported through close; public for tests that do not want a file). */
  render(): string {
    const all = this.suites.flatMap((s) => s.cases);
    const totals = counts(all);
    const time = this.runMs ? this.runMs / 1000 : this.suites.reduce((t, s) => t + s.seconds, 0);
    const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
    lines.push(`<testsuites name="ringmaster" tests="${all.length}" failures="${totals.failures}" errors="${totals.errors}" skipped="${totals.skipped}" time="${time.toFixed(3)}">`);
    this.suites.forEach((s, id) => lines.push(...renderSuite(s, id)));
    lines.push('</testsuites>', '');
    return lines.join('\n');
  }

  /** Results for a play that never announced itself still land somewhere. */
  private current(play: string): Suite {
    const last = this.suites[this.suites.length - 1];
    if (last && last.name === play) return last;
    const suite = { name: play, timestamp: new Date().toISOString(), seconds: 0, cases: [] };
    this.suites.push(suite);
    return suite;
  }
}

function toCase(e: HostResult): Case {
  const name = `${e.task} [${e.host}]${e.item !== undefined ? ` (item=${e.item})` : ''}`;
  return { name, classname: e.play, seconds: e.durationMs / 1000, status: e.status, ignored: e.ignored === true, msg: e.msg ?? '', commands: e.commands ?? [] };
}

function counts(cases: Case[]): { failures: number; errors: number; skipped: number } {
  return {
    failures: cases.filter((c) => c.status === 'failed' && !c.ignored).length,
    errors: cases.filter((c) => c.status === 'unreachable').length,
    skipped: cases.filter((c) => c.status === 'skipped').length,
  };
}

function renderSuite(s: Suite, id: number): string[] {
  const c = counts(s.cases);
  const seconds = s.seconds || s.cases.reduce((t, k) => t + k.seconds, 0);
  const lines = [`  <testsuite id="${id}" name="${xmlEscape(s.name)}" tests="${s.cases.length}" failures="${c.failures}" errors="${c.errors}" skipped="${c.skipped}" time="${seconds.toFixed(3)}" timestamp="${xmlEscape(s.timestamp)}">`];
  for (const k of s.cases) lines.push(...renderCase(k));
  lines.push('  </testsuite>');
  return lines;
}

function renderCase(k: Case): string[] {
  const open = `    <testcase classname="${xmlEscape(k.classname)}" name="${xmlEscape(k.name)}" time="${secs(k.seconds * 1000)}"`;
  const detail = xmlEscape([k.msg, ...k.commands.map((c) => `$ ${c}`)].filter(Boolean).join('\n'));
  const message = xmlEscape(k.msg || k.status);
  if (k.status === 'failed' && !k.ignored) return [`${open}>`, `      <failure message="${message}" type="failed">${detail}</failure>`, '    </testcase>'];
  if (k.status === 'unreachable') return [`${open}>`, `      <error message="${message}" type="unreachable">${detail}</error>`, '    </testcase>'];
  if (k.status === 'skipped') return [`${open}>`, `      <skipped${k.msg ? ` message="${message}"` : ''}/>`, '    </testcase>'];
  if (k.ignored) return [`${open}>`, `      <system-out>failed, ignored: ${detail}</system-out>`, '    </testcase>'];
  return [`${open}/>`];
}
