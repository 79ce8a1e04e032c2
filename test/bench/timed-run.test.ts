// Tests for timed runs: GNU time's figures are split off stderr, and a run past its limit is killed with its children.
import { expect } from 'chai';
import { splitRss, timedRun } from '../../bench/timed-run.js';

describe('bench timed runs', () => {
  it('splits the peak memory and CPU line off the end of stderr', () => {
    const r = splitRss('warning: x\n__bench_rss_kb=2048 0.50 0.25\n');
    expect(r).to.deep.equal({ maxRssKb: 2048, cpuMs: 750, rest: 'warning: x\n' });
    expect(splitRss('no figures')).to.deep.equal({ rest: 'no figures' });
  });

  it('reports the exit code, output and peak memory of a finished command', async () => {
    const r = await timedRun(['sh', '-c', 'echo out; echo err >&2; exit 3'], { timeoutMs: 10_000 });
    expect(r.exitCode).to.equal(3);
    expect(r.stdout).to.equal('out\n');
    expect(r.stderr).to.include('err');
    expect(r.stderr).not.to.include('__bench_rss_kb');
    expect(r.maxRssKb).to.be.greaterThan(0);
    expect(r.timedOut).to.equal(false);
  });

  it('kills a command and its children when the time limit passes', async () => {
    const t0 = Date.now();
    const r = await timedRun(['sh', '-c', 'sleep 30 & sleep 30; wait'], { timeoutMs: 300 });
    expect(r.timedOut).to.equal(true);
    expect(Date.now() - t0).to.be.lessThan(5_000);
  });
});
