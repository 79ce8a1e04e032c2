// An interrupted or refused run: exit 8 alone, no host blamed for the interrupt, and a closing sentence that says
// what stopped it, which task was running, and what the run had changed by then.
import { expect } from 'chai';
import { RingError } from '../../engine/errors/index.js';
import type { Recap } from '../../engine/report/events.js';
import { describeExit } from '../../engine/report/recap.js';
import { harness, inventory, play, playbook, task } from '../helpers/run-harness.js';

const three = () => inventory({ a: {}, b: {}, c: {} });
const recapOf = (h: ReturnType<typeof harness>) => h.events.find((e): e is Recap => e.type === 'recap') as Recap;
const bad = (h: ReturnType<typeof harness>) => h.events.filter((e) => e.type === 'host_result' && (e.status === 'failed' || e.status === 'unreachable'));

describe('execute: interrupts and refusals say what happened', () => {
  it('an interrupt during a task exits 8 (not 10), blames no host, and names the signal, the task and the changes so far', async () => {
    const h = harness(three(), {
      script: {
        '*': [
          { match: /^change$/ },
          // what a killed remote command looks like: the transport reports the channel/connection gone, or no exit code
          { match: /^long$/, delayMs: 60_000, throws: new RingError('E_UNREACHABLE', 'host a: connection lost (the connection was closed)') },
        ],
        c: [{ match: /^long$/, delayMs: 60_000, result: { code: null, signal: 'TERM' } }],
      },
    });
    h.conns.of('a');
    const pb = playbook(play([
      task('sh', { cmd: 'change' }, { name: 'change things', when: ["inventory_hostname != 'c'"] }),
      task('sh', { cmd: 'long' }, { name: 'long one' }),
      task('echo', {}, { name: 'after' }),
    ]));
    setTimeout(() => h.abort.abort('SIGTERM'), 50);
    const r = await h.run(pb);
    expect(r.exitCode).to.equal(8);
    expect(bad(h)).to.deep.equal([]);
    for (const host of ['a', 'b', 'c']) expect(r.stats[host]).to.include({ failed: 0, unreachable: 0 });
    expect(h.results().some((x) => x.startsWith('after'))).to.equal(false);
    const recap = recapOf(h);
    expect(recap.interrupted).to.deep.equal({ reason: 'SIGTERM', task: 'long one', hosts: ['a', 'b', 'c'] });
    expect(recap.changes).to.deep.equal([{ task: 'change things', hosts: ['a', 'b'] }]);
    const sentence = describeExit(recap);
    expect(sentence).to.equal("exit 8: interrupted by SIGTERM while task 'long one' was running on a, b, c; before it stopped this run changed: 'change things' on a, b (and 'long one' may have partly run)");
    expect(sentence).not.to.match(/fail|unreachable|safety guard/);
    const warning = h.events.find((e) => e.type === 'warning' && /interrupted/.test(e.msg));
    expect(warning).to.deep.include({ msg: "task 'long one' was interrupted on a, b, c (SIGTERM); it may have partly run there" });
  });

  it('a failure that ended before the interrupt is still the host’s own (exit 2|8, the host counted failed)', async () => {
    const h = harness(three(), {
      script: {
        a: [{ match: /^work$/, result: { code: 1 } }],
        '*': [{ match: /^work$/, delayMs: 60_000 }],
      },
    });
    setTimeout(() => h.abort.abort('SIGTERM'), 50);
    const r = await h.run(playbook(play([task('sh', { cmd: 'work' }, { name: 'work' })])));
    expect(r.exitCode).to.equal(10);
    expect(r.stats.a.failed).to.equal(1);
    expect(r.stats.b).to.include({ failed: 0, unreachable: 0 });
    expect(h.results()).to.deep.equal(['work/a/failed']);
    expect(recapOf(h).interrupted).to.deep.equal({ reason: 'SIGTERM', task: 'work', hosts: ['b', 'c'] });
  });

  it('an interrupt in a loop pause names that task, and says nothing was changed when nothing was', async () => {
    const h = harness(three(), { script: { '*': [{ match: /^quick$/, result: {} }] } });
    let n = 0;
    h.ctx.sleep = async () => {
      if (++n === 1) h.abort.abort('SIGINT');
    };
    const pb = playbook(play([task('echo', {}, { name: 'look' }), task('meta', { action: 'noop' }, { name: 'x', loop: [1, 2], loop_control: { pause: 1 } })]));
    const r = await h.run(pb);
    expect(r.exitCode).to.equal(8);
    const recap = recapOf(h);
    expect(recap.changes).to.deep.equal([]);
    expect(describeExit(recap)).to.match(/^exit 8: interrupted by SIGINT while task 'x' was running; this run had changed nothing before it stopped$/);
  });

  it('a guard refusal after changes lists them; it never reads as if nothing was changed', async () => {
    const h = harness(three(), { script: { '*': [{ match: /^stop member$/ }] } });
    const pb = playbook(play([
      task('sh', { cmd: 'stop member' }, { name: 'stop node2', when: ["inventory_hostname == 'b'"] }),
      task('guard', {}, { name: 'quorum guard', run_once: true }),
    ]));
    const r = await h.run(pb);
    expect(r.exitCode).to.equal(8);
    const recap = recapOf(h);
    expect(recap.interrupted).to.equal(undefined);
    expect(recap.changes).to.deep.equal([{ task: 'stop node2', hosts: ['b'] }]);
    expect(describeExit(recap)).to.equal("exit 8: aborted by a safety guard: a: quorum would be lost; before it stopped this run changed: 'stop node2' on b");
  });

  it('a guard refusal before any change says this run changed nothing', async () => {
    const h = harness(three());
    await h.run(playbook(play([task('guard', {}, { name: 'quorum guard', run_once: true })])));
    expect(describeExit(recapOf(h))).to.equal('exit 8: aborted by a safety guard: a: quorum would be lost; this run had changed nothing before it stopped');
  });

  it('check mode changes nothing, so a refusal in check mode lists no changes', async () => {
    const h = harness(three(), { options: { check: true } });
    await h.run(playbook(play([task('echo', { changed: true }, { name: 'would change' }), task('guard', {}, { name: 'g', run_once: true })])));
    expect(recapOf(h).changes).to.deep.equal([]);
  });

  it('a run that ends normally carries no changes list or interrupt in its recap', async () => {
    const h = harness(three(), { script: { '*': [{ match: /^x$/ }] } });
    await h.run(playbook(play([task('sh', { cmd: 'x' }, { name: 'x' })])));
    const recap = recapOf(h);
    expect(recap.exitCode).to.equal(0);
    expect(recap).not.to.have.any.keys('changes', 'interrupted', 'aborted');
  });
});
