// Tests for the bench's arithmetic: summaries, the per-task marginal cost, ratios against the targets, closing notes.
import { expect } from 'chai';
import { closingNotes } from '../../bench/closing.js';
import { caseRatios, caseRows, type BenchResults } from '../../bench/report.js';
import type { RunRecord, SshCase } from '../../bench/ssh-cases.js';
import { perTask, ratio, summarize } from '../../bench/stats.js';

const CASE: SshCase = { id: 'direct', title: '2: direct', hosts: { name: 'direct', count: 1, viaBastion: false }, tasks: 51, shortTasks: 1, forks: 10 };

function run(tool: string, tasks: number, wallMs: number, exitCode = 0): RunRecord {
  return { case: 'direct', tool, tasks, round: 1, wallMs, exitCode, maxRssKb: 102_400, error: exitCode === 0 ? undefined : 'boom' };
}

describe('bench statistics and report', () => {
  it('takes the middle value as the median of an odd sample and the mean of the middle two of an even one', () => {
    expect(summarize([5, 1, 3])).to.deep.equal({ median: 3, min: 1, max: 5, n: 3 });
    expect(summarize([4, 1, 3, 2]).median).to.equal(2.5);
    expect(summarize([]).n).to.equal(0);
  });

  it('computes the per-task cost as the difference of median walls over the difference of task counts', () => {
    expect(perTask([1500, 1600, 1400], [500, 400, 600], 51, 1)).to.equal(20);
    expect(() => perTask([1], [1], 1, 1)).to.throw(/big must exceed small/);
  });

  it('refuses ratios of missing or non-positive figures instead of reporting infinity', () => {
    expect(ratio(10, 2)).to.equal(5);
    expect(ratio(10, 0)).to.be.NaN;
    expect(ratio(NaN, 2)).to.be.NaN;
  });

  it('leaves failed runs out of the medians and counts them', () => {
    const rows = caseRows([CASE], [run('ringmaster', 51, 600), run('ringmaster', 1, 500), run('ringmaster', 51, 9_999, 2)]);
    expect(rows).to.have.length(1);
    expect(rows[0].long.n).to.equal(1);
    expect(rows[0].failures).to.equal(1);
    expect(rows[0].perTaskMs).to.equal(2);
    expect(rows[0].maxRssMb.median).to.equal(100);
  });

  it('compares ringmaster with each Ansible configuration and with the floor of the case', () => {
    const runs = [run('ringmaster', 51, 600), run('ringmaster', 1, 500), run('ansible (pipelining + ControlPersist)', 51, 11_500), run('ansible (pipelining + ControlPersist)', 1, 1500)];
    const floor = { direct: [1, 1, 1], bastion: [3], fanout: {} };
    const [q] = caseRatios([CASE], caseRows([CASE], runs), floor);
    expect(q.rmPerTaskMs).to.equal(2);
    expect(q.vsFloor).to.equal(2);
    expect(q.vsAnsible['ansible (pipelining + ControlPersist)']).to.equal(100);
  });

  it('says by how much a target was missed', () => {
    const runs = [run('ringmaster', 51, 1000), run('ringmaster', 1, 500), run('ansible (pipelining + ControlPersist)', 51, 3000), run('ansible (pipelining + ControlPersist)', 1, 1000)];
    const r: BenchResults = {
      date: 'd', machine: { cores: 2, cpu: 'x', memoryGb: 1, kernel: 'k' }, versions: {}, notes: [], cases: [CASE],
      floor: { direct: [2], bastion: [2], fanout: {} }, runs, replace: [], validate: { wallMs: [600], maxRssKb: [], playbooks: [] }, durationS: 1,
    };
    const notes = closingNotes(r).join('\n');
    expect(notes).to.include('4× below Ansible with pipelining + ControlPersist (target ≥ 20×): missed by 5.0×');
    expect(notes).to.include('5.00× the bare ssh2 floor (10.00 vs 2.00 ms; target ≤ 2×): missed by 2.50×');
    expect(notes).to.include('0.600 s cold (target < 0.5 s): missed by 1.20×');
  });
});
