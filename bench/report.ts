// Turns the raw figures of one bench run into the summary rows, the ratios against the targets, and RESULTS.md.
import type { FloorSamples } from './floor.js';
import type { ReplaceRecord } from './replace-case.js';
import type { RunRecord, SshCase } from './ssh-cases.js';
import { perTask, ratio, summarize, type Summary } from './stats.js';

/** Everything one `npm run bench` measured (written as bench/results.json). */
export interface BenchResults {
  date: string;
  machine: { cores: number; cpu: string; memoryGb: number; kernel: string; loadAverage?: { start: number[]; end?: number[] } };
  versions: Record<string, string>;
  notes: string[];
  cases: SshCase[];
  floor?: FloorSamples;
  runs: RunRecord[];
  replace: ReplaceRecord[];
  validate: { wallMs: number[]; maxRssKb: number[]; playbooks: string[] };
  durationS: number;
}

/** One tool on one case of 1–3: wall times of both playbooks and the per-task cost derived from them. */
export interface CaseRow {
  case: string;
  tool: string;
  long: Summary;
  short: Summary;
  /** Marginal ms per task (per task round over all hosts in case 3); NaN when a size has no good run. */
  perTaskMs: number;
  maxRssMb: Summary;
  failures: number;
}

const ok = (r: RunRecord) => r.exitCode === 0 && r.error === undefined;

/** Summary rows of cases 1–3, one per case and tool, in the order the runs were made. */
export function caseRows(cases: SshCase[], runs: RunRecord[]): CaseRow[] {
  const rows: CaseRow[] = [];
  for (const c of cases) {
    const toolsSeen = [...new Set(runs.filter((r) => r.case === c.id).map((r) => r.tool))];
    for (const tool of toolsSeen) {
      const mine = runs.filter((r) => r.case === c.id && r.tool === tool);
      const wall = (n: number) => mine.filter((r) => r.tasks === n && ok(r)).map((r) => r.wallMs);
      const long = wall(c.tasks);
      const short = wall(c.shortTasks);
      rows.push({
        case: c.id, tool, long: summarize(long), short: summarize(short),
        perTaskMs: long.length && short.length ? perTask(long, short, c.tasks, c.shortTasks) : NaN,
        maxRssMb: summarize(mine.filter(ok).flatMap((r) => (r.maxRssKb === undefined ? [] : [r.maxRssKb / 1024]))),
        failures: mine.filter((r) => !ok(r)).length,
      });
    }
  }
  return rows;
}

/** The floor (median ms) that case `c` is compared with: bastion, direct, or a fan-out round over its hosts. */
export function floorFor(c: SshCase, floor: FloorSamples | undefined): number {
  if (!floor) return NaN;
  if (c.hosts.count > 1) return summarize(floor.fanout[String(c.hosts.count)] ?? []).median;
  return summarize(c.hosts.viaBastion ? floor.bastion : floor.direct).median;
}

/** Ratios per case: how many times ringmaster's per-task cost is below each Ansible's, and its multiple of the floor. */
export function caseRatios(cases: SshCase[], rows: CaseRow[], floor: FloorSamples | undefined): Array<{ case: string; floorMs: number; rmPerTaskMs: number; vsFloor: number; vsAnsible: Record<string, number> }> {
  return cases.map((c) => {
    const rm = rows.find((r) => r.case === c.id && r.tool === 'ringmaster');
    const rmPer = rm?.perTaskMs ?? NaN;
    const vsAnsible: Record<string, number> = {};
    for (const r of rows) if (r.case === c.id && r.tool !== 'ringmaster') vsAnsible[r.tool] = ratio(r.perTaskMs, rmPer);
    const floorMs = floorFor(c, floor);
    return { case: c.id, floorMs, rmPerTaskMs: rmPer, vsFloor: ratio(rmPer, floorMs), vsAnsible };
  });
}

/** Replace-member per tool: wall and controller CPU (median, min–max), the CPU share of wall, and the checks. */
export function replaceRows(records: ReplaceRecord[]): Array<{ tool: string; wall: Summary; cpu: Summary; cpuShare: number; failures: number; problems: string[] }> {
  const tools = [...new Set(records.map((r) => r.tool))];
  return tools.map((tool) => {
    const mine = records.filter((r) => r.tool === tool);
    const good = mine.filter((r) => r.exitCode === 0 && r.problems.length === 0);
    const wall = summarize(good.map((r) => r.wallMs));
    const cpu = summarize(good.flatMap((r) => (r.cpuMs === undefined ? [] : [r.cpuMs])));
    return { tool, wall, cpu, cpuShare: ratio(cpu.median, wall.median), failures: mine.length - good.length, problems: mine.flatMap((r) => r.problems) };
  });
}

/** `1.23` style numbers; "n/a" for NaN. */
export function fmt(n: number, digits = 2): string {
  return Number.isFinite(n) ? n.toFixed(digits) : 'n/a';
}

/** `median (min–max)` of a summary in seconds or ms. */
export function range(s: Summary, scale = 1, digits = 2): string {
  return s.n === 0 ? 'n/a' : `${fmt(s.median / scale, digits)} (${fmt(s.min / scale, digits)}–${fmt(s.max / scale, digits)}), n=${s.n}`;
}
