// The linear strategy: forks, host patterns and --limit, serial, run_once, delegate_to, failures and exit codes.
import { expect } from 'chai';
import { RingError } from '../../engine/errors/index.js';
import type { TaskStart } from '../../engine/report/events.js';
import { harness, inventory, play, playbook, task } from '../helpers/run-harness.js';

const three = () => inventory({ a: {}, b: {}, c: {} }, { etcd: { hosts: ['a', 'b', 'c'] } });

describe('execute: linear strategy', () => {
  it('runs each task on every host before the next task starts', async () => {
    const h = harness(three(), { script: { '*': [{ match: /^step/ }] } });
    const r = await h.run(playbook(play([task('sh', { cmd: 'step1' }, { name: 'one' }), task('sh', { cmd: 'step2' }, { name: 'two' })])));
    expect(r.exitCode).to.equal(0);
    expect(h.results()).to.deep.equal(['one/a/changed', 'one/b/changed', 'one/c/changed', 'two/a/changed', 'two/b/changed', 'two/c/changed']);
    const order = h.events.filter((e) => e.type === 'task_start' || e.type === 'task_end').map((e) => `${e.type}:${(e as TaskStart).task}`);
    expect(order).to.deep.equal(['task_start:one', 'task_end:one', 'task_start:two', 'task_end:two']);
    expect(h.conns.unexpected()).to.deep.equal([]);
  });

  it('never runs more hosts at once than --forks', async () => {
    const h = harness(inventory({ a: {}, b: {}, c: {}, d: {}, e: {} }), { options: { forks: 2 }, script: { '*': [{ match: /^work$/, delayMs: 20 }] } });
    let running = 0;
    let peak = 0;
    for (const name of ['a', 'b', 'c', 'd', 'e']) {
      const c = h.conns.of(name);
      const exec = c.exec.bind(c);
      c.exec = async (cmd, opts) => {
        running++;
        peak = Math.max(peak, running);
        try {
          return await exec(cmd, opts);
        } finally {
          running--;
        }
      };
    }
    await h.run(playbook(play([task('sh', { cmd: 'work' })])));
    expect(peak).to.equal(2);
    expect(h.conns.conns.size).to.equal(5);
  });

  it('intersects the play pattern with --limit', async () => {
    const h = harness(three(), { options: { limit: 'b:c' } });
    await h.run(playbook(play([task('echo', {}, { name: 't' })], { hosts: 'etcd:!c' })));
    expect(h.results()).to.deep.equal(['t/b/ok']);
  });

  it('refuses a --limit that matches no host, naming the pattern, before anything runs', async () => {
    const h = harness(three(), { options: { limit: 'nosuch' } });
    const err = await h.run(playbook(play([task('echo')]))).catch((e) => e);
    expect(err).to.be.instanceOf(RingError);
    expect(err.code).to.equal('E_LIMIT_NO_MATCH');
    expect(err.message).to.contain("'nosuch'");
    expect(h.events).to.deep.equal([]);
  });

  it('runs serial batches one after the other, each through the whole play', async () => {
    const h = harness(inventory({ a: {}, b: {}, c: {}, d: {}, e: {} }));
    await h.run(playbook(play([task('echo', {}, { name: 'x' }), task('echo', {}, { name: 'y' })], { serial: [1, '50%'] })));
    expect(h.results()).to.deep.equal(['x/a/ok', 'y/a/ok', 'x/b/ok', 'x/c/ok', 'y/b/ok', 'y/c/ok', 'x/d/ok', 'x/e/ok', 'y/d/ok', 'y/e/ok']);
  });

  it('runs a run_once task on the first host and registers its result for every host', async () => {
    const h = harness(three());
    await h.run(playbook(play([
      task('echo', { msg: '{{ inventory_hostname }}' }, { name: 'once', run_once: true, register: 'r' }),
      task('echo', { msg: '{{ r.msg }}' }, { name: 'show' }),
    ])));
    expect(h.results().filter((x) => x.startsWith('once/'))).to.deep.equal(['once/a/ok']);
    expect(['a', 'b', 'c'].map((x) => h.result('show', x)?.msg)).to.deep.equal(['a', 'a', 'a']);
  });

  it('runs a delegated task on the delegate connection with the original host variables', async () => {
    const inv = inventory({ a: { who: 'A' }, b: { who: 'B' }, bastion: { who: 'BASTION' } });
    const h = harness(inv, { script: { bastion: [{ match: /^echo (A|B)$/ }] } });
    await h.run(playbook(play([task('sh', { cmd: 'echo {{ who }}' }, { name: 'd', delegate_to: 'bastion' })], { hosts: 'a:b' })));
    expect(h.conns.of('bastion').commands()).to.have.members(['echo A', 'echo B']);
    expect(h.conns.conns.has('a')).to.equal(false);
    expect(h.result('d', 'a')?.delegatedTo).to.equal('bastion');
  });

  it('marks a host unreachable when its connection fails, and the others go on (exit 4)', async () => {
    const h = harness(three(), {
      script: { '*': [{ match: /^true$/ }] },
      failing: { b: new RingError('E_UNREACHABLE', 'connection refused') },
    });
    const r = await h.run(playbook(play([task('sh', { cmd: 'true' }, { name: 'one' }), task('sh', { cmd: 'true' }, { name: 'two' })])));
    expect(h.results()).to.deep.equal(['one/a/changed', 'one/b/unreachable', 'one/c/changed', 'two/a/changed', 'two/c/changed']);
    expect(r.exitCode).to.equal(4);
    expect(r.stats.b.unreachable).to.equal(1);
  });

  it('removes a failed host from the play and exits 2; a failed and an unreachable host exit 6', async () => {
    const h = harness(three(), {
      script: { a: [{ match: /^x$/, result: { code: 1 } }], '*': [{ match: /^x$/ }] },
      failing: { c: new RingError('E_AUTH', 'permission denied') },
    });
    const r = await h.run(playbook(play([task('sh', { cmd: 'x' }, { name: 'one' }), task('echo', {}, { name: 'two' })])));
    expect(h.results()).to.deep.equal(['one/a/failed', 'one/b/changed', 'one/c/unreachable', 'two/b/ok']);
    expect(r.exitCode).to.equal(6);
  });

  it('stops the whole run with exit 8 when a safety guard aborts', async () => {
    const h = harness(three());
    const r = await h.run(playbook(play([task('guard', {}, { name: 'g', run_once: true }), task('echo', {}, { name: 'after' })]), play([task('echo', {}, { name: 'next play' })])));
    expect(r.exitCode).to.equal(8);
    expect(r.aborted).to.contain('quorum would be lost');
    expect(h.results().some((x) => x.startsWith('after') || x.startsWith('next play'))).to.equal(false);
    const recap = h.events.at(-1);
    expect(recap).to.include({ type: 'recap', exitCode: 8 });
  });

  it('ends the play for every host on a failure with any_errors_fatal', async () => {
    const h = harness(three(), { script: { b: [{ match: /^x$/, result: { code: 3 } }], '*': [{ match: /^x$/ }] } });
    const r = await h.run(playbook(play([task('sh', { cmd: 'x' }, { name: 'one' }), task('echo', {}, { name: 'two' })], { any_errors_fatal: true })));
    expect(h.results().filter((x) => x.startsWith('two'))).to.deep.equal([]);
    expect(r.exitCode).to.equal(2);
    expect(h.events.some((e) => e.type === 'warning' && e.msg.includes('any_errors_fatal'))).to.equal(true);
  });

  it('ends the whole playbook with any_errors_fatal: later plays do not run (Ansible: no hosts left)', async () => {
    const h = harness(three(), { script: { b: [{ match: /^x$/, result: { code: 3 } }], '*': [{ match: /^x$/ }] } });
    const r = await h.run(playbook(play([task('sh', { cmd: 'x' }, { name: 'one' })], { any_errors_fatal: true }), play([task('echo', {}, { name: 'later play' })])));
    expect(h.results().filter((x) => x.startsWith('later play'))).to.deep.equal([]);
    expect(r.exitCode).to.equal(2);
  });

  it('ends the play when more than max_fail_percentage of the batch failed', async () => {
    const inv = inventory({ a: { bad: true }, b: { bad: false }, c: { bad: false }, d: { bad: false } });
    const failing = task('echo', { failed: '{{ bad }}' }, { name: 'maybe' });
    const h = harness(inv);
    await h.run(playbook(play([failing, task('echo', {}, { name: 'next' })], { max_fail_percentage: 30 })));
    expect(h.results().filter((x) => x.startsWith('next'))).to.have.length(3);
    const h2 = harness(inv);
    await h2.run(playbook(play([failing, task('echo', {}, { name: 'next' })], { max_fail_percentage: 20 })));
    expect(h2.results().filter((x) => x.startsWith('next'))).to.deep.equal([]);
  });

  it('closes every connection at the end of the run', async () => {
    const h = harness(three(), { script: { '*': [{ match: /^true$/ }] } });
    await h.run(playbook(play([task('sh', { cmd: 'true' })])));
    expect(h.conns.closedAll).to.equal(true);
  });

  it('aborts running tasks on an interrupt, closes connections and exits as aborted', async () => {
    const h = harness(three());
    setTimeout(() => h.abort.abort(), 30);
    const r = await h.run(playbook(play([task('sleep', {}, { name: 'long' }), task('echo', {}, { name: 'after' })])));
    expect(r.exitCode & 8).to.equal(8);
    expect(r.aborted).to.equal('interrupted');
    expect(h.results().some((x) => x.startsWith('after'))).to.equal(false);
    expect(h.conns.closedAll).to.equal(true);
  });
});
