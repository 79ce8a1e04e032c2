// The closing note's measured sentences: each target, met or missed, and by how much (the why lives in analysis.md).
import { caseRatios, caseRows, fmt, replaceRows, type BenchResults } from './report.js';
import { summarize } from './stats.js';

/** One line per target and case, computed from this run's figures. */
export function closingNotes(r: BenchResults): string[] {
  const rows = caseRows(r.cases, r.runs);
  const lines: string[] = [];
  for (const q of caseRatios(r.cases, rows, r.floor)) {
    const title = r.cases.find((c) => c.id === q.case)?.title ?? q.case;
    const pipe = Object.entries(q.vsAnsible).find(([t]) => t.includes('pipelining'))?.[1] ?? NaN;
    if (Number.isFinite(pipe)) {
      lines.push(`- ${title}: ringmaster's per-task cost is ${fmt(pipe, 0)}× below Ansible with pipelining + ControlPersist (target ≥ 20×): ${pipe >= 20 ? 'met' : `missed by ${fmt(20 / pipe, 1)}×`}.`);
    }
    if (Number.isFinite(q.vsFloor)) {
      lines.push(`- ${title}: ringmaster is ${fmt(q.vsFloor, 2)}× the bare ssh2 floor (${fmt(q.rmPerTaskMs, 2)} vs ${fmt(q.floorMs, 2)} ms; target ≤ 2×): ${q.vsFloor <= 2 ? 'met' : `missed by ${fmt(q.vsFloor / 2, 2)}×`}.`);
    }
  }
  const rm = replaceRows(r.replace).find((x) => x.tool === 'ringmaster');
  if (rm && Number.isFinite(rm.cpuShare)) {
    lines.push(`- replace-member: ringmaster's controller CPU is ${fmt(rm.cpuShare * 100, 1)}% of its wall time (target < 10%): ${rm.cpuShare < 0.1 ? 'met' : `missed by ${fmt(rm.cpuShare * 10, 1)}×`}.`);
  }
  const v = summarize(r.validate.wallMs).median;
  if (Number.isFinite(v)) lines.push(`- validate of all shipped playbooks: ${fmt(v / 1000, 3)} s cold (target < 0.5 s): ${v < 500 ? 'met' : `missed by ${fmt(v / 500, 2)}×`}.`);
  return lines;
}
