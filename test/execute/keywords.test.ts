// Task keywords: block/rescue/always, loop, until, conditions, ignore_*, check mode, no_log, timeout, environment, become.
import { expect } from 'chai';
import { RingError } from '../../engine/errors/index.js';
import type { HostResult } from '../../engine/report/events.js';
import { block, harness, inventory, play, playbook, task } from '../helpers/run-harness.js';

const one = () => inventory({ a: {} });
const two = () => inventory({ a: { bad: true }, b: { bad: false } });

describe('execute: task keywords', () => {
  it('runs rescue for the hosts that failed in a block, counts them rescued, and runs always for all', async () => {
    const h = harness(two());
    const r = await h.run(playbook(play([
      block([task('echo', { failed: '{{ bad }}' }, { name: 'try' }), task('echo', {}, { name: 'after try' })], {
        rescue: [task('echo', {}, { name: 'fix' })],
        always: [task('echo', {}, { name: 'cleanup' })],
      }),
      task('echo', {}, { name: 'next' }),
    ])));
    expect(h.results()).to.deep.equal(['try/a/failed', 'try/b/ok', 'after try/b/ok', 'fix/a/ok', 'cleanup/a/ok', 'cleanup/b/ok', 'next/a/ok', 'next/b/ok']);
    expect(h.result('try', 'a')?.ignored).to.equal(true);
    expect(r.stats.a).to.include({ failed: 0, rescued: 1 });
    expect(r.exitCode).to.equal(0);
  });

  it('still runs always for a host whose block failed without rescue, then fails it', async () => {
    const h = harness(two());
    const r = await h.run(playbook(play([
      block([task('echo', { failed: '{{ bad }}' }, { name: 'try' })], { always: [task('echo', {}, { name: 'cleanup' })] }),
      task('echo', {}, { name: 'next' }),
    ])));
    expect(h.results()).to.deep.equal(['try/a/failed', 'try/b/ok', 'cleanup/a/ok', 'cleanup/b/ok', 'next/b/ok']);
    expect(r.exitCode).to.equal(2);
  });

  it('leaves out an argument that renders to omit (Ansible\'s placeholder), also inside a mapping, and keeps the others', async () => {
    const h = harness(two());
    await h.run(playbook(play([task('echo', { dest: "{{#if bad}}/held/etcd.yaml{{else}}{{omit}}{{/if}}", nested: { x: '{{ omit }}', y: 1 }, keep: 'k' }, { name: 'args' })])));
    expect(h.result('args', 'a')?.result?.args).to.deep.equal({ dest: '/held/etcd.yaml', nested: { y: 1 }, keep: 'k' });
    expect(h.result('args', 'b')?.result?.args).to.deep.equal({ nested: { y: 1 }, keep: 'k' });
  });

  it('fails the host when its rescue fails too', async () => {
    const h = harness(one());
    const r = await h.run(playbook(play([block([task('echo', { failed: true }, { name: 'try' })], { rescue: [task('echo', { failed: true }, { name: 'fix' })] })])));
    expect(r.stats.a).to.include({ failed: 1, rescued: 0 });
    expect(r.exitCode).to.equal(2);
  });

  it('passes block keywords (when, vars, tags, ignore_errors) down to its tasks', async () => {
    const h = harness(two(), { options: { tags: ['blk'] } });
    const r = await h.run(playbook(play([
      block([task('echo', { msg: '{{ greeting }}', failed: true }, { name: 'inner' })], { when: ['not bad'], vars: { greeting: 'hi' }, tags: ['blk'], ignore_errors: true }),
      task('echo', {}, { name: 'untagged' }),
    ])));
    expect(h.results()).to.deep.equal(['inner/a/skipped', 'inner/b/failed']);
    expect(h.result('inner', 'b')).to.include({ msg: 'hi', ignored: true });
    expect(r.exitCode).to.equal(0);
  });

  it('loops with loop_control (loop_var, index_var, label, pause, extended) and registers results', async () => {
    const h = harness(one());
    await h.run(playbook(play([
      task('echo', { msg: '{{ idx }}:{{ m.n }}:{{ ansible_loop.last }}' }, {
        name: 'each', loop: '{{ members }}', register: 'out',
        loop_control: { loop_var: 'm', index_var: 'idx', label: '{{ m.n }}', pause: 2, extended: true },
      }),
      task('echo', { msg: '{{ out.results.1.msg }}' }, { name: 'show' }),
    ], { vars: { members: [{ n: 'x' }, { n: 'y' }] } })));
    const items = h.events.filter((e): e is HostResult => e.type === 'host_result' && e.item !== undefined);
    expect(items.map((e) => `${e.item}=${e.msg}`)).to.deep.equal(['x=0:x:false', 'y=1:y:true']);
    expect(h.result('show', 'a')?.msg).to.equal('1:y:true');
    expect(h.sleeps).to.deep.equal([2000]);
  });

  it('evaluates when per loop item and skips the whole task when every item is skipped', async () => {
    const h = harness(one());
    await h.run(playbook(play([
      task('echo', { msg: '{{ item }}' }, { name: 'some', loop: [1, 2, 3], when: ['item != 2'] }),
      task('echo', {}, { name: 'none', loop: [1], when: ['false'] }),
    ])));
    const items = h.events.filter((e): e is HostResult => e.type === 'host_result' && e.task === 'some' && e.item !== undefined);
    expect(items.map((e) => e.status)).to.deep.equal(['ok', 'skipped', 'ok']);
    expect(h.result('none', 'a')?.status).to.equal('skipped');
  });

  it('retries until the condition holds and reports the attempts', async () => {
    const h = harness(one(), { script: { a: [{ match: /^probe$/, result: { code: 1 }, times: 2 }, { match: /^probe$/, result: { code: 0, stdout: 'up' } }] } });
    await h.run(playbook(play([task('sh', { cmd: 'probe' }, { name: 'wait', register: 'p', until: 'p.rc == 0', retries: 5, delay: 1 })])));
    expect(h.result('wait', 'a')).to.include({ status: 'changed', attempts: 3 });
    expect(h.sleeps).to.deep.equal([1000, 1000]);
  });

  it('fails after the last retry, naming the number of attempts', async () => {
    const h = harness(one(), { script: { a: [{ match: /^probe$/, result: { code: 1 } }] } });
    await h.run(playbook(play([task('sh', { cmd: 'probe' }, { name: 'wait', until: 'result.rc == 0', retries: 2, delay: 0 })])));
    const r = h.result('wait', 'a')!;
    expect(r.status).to.equal('failed');
    expect(r.attempts).to.equal(3);
    expect(r.msg).to.contain('3 attempt');
  });

  it('applies changed_when and failed_when with the result as its register name and as `result`', async () => {
    const h = harness(one(), { script: { a: [{ match: /^grep/, result: { code: 1, stdout: '' } }] } });
    await h.run(playbook(play([
      task('sh', { cmd: 'grep x' }, { name: 'look', register: 'g', changed_when: ['false'], failed_when: ['g.rc > 1', 'result.rc > 1'] }),
    ])));
    expect(h.result('look', 'a')?.status).to.equal('ok');
  });

  it('ignores errors (ignored, not failed) and unreachable hosts with ignore_unreachable', async () => {
    const h = harness(inventory({ a: {}, b: {} }), { failing: { b: new RingError('E_UNREACHABLE', 'no route') }, script: { a: [{ match: /^x$/ }] } });
    const r = await h.run(playbook(play([
      task('echo', { failed: true }, { name: 'bad', ignore_errors: true }),
      task('sh', { cmd: 'x' }, { name: 'conn', ignore_unreachable: true }),
      task('echo', {}, { name: 'next' }),
    ])));
    expect(h.results()).to.deep.equal(['bad/a/failed', 'bad/b/failed', 'conn/a/changed', 'conn/b/unreachable', 'next/a/ok', 'next/b/ok']);
    expect(r.exitCode).to.equal(0);
    expect(r.stats.a.ignored).to.equal(1);
  });

  it('skips modules without check-mode support under --check, passes ctx.check to the others, honours check_mode: false', async () => {
    const h = harness(one(), { options: { check: true }, script: { a: [{ match: /^real$/ }] } });
    await h.run(playbook(play([
      task('sh', { cmd: 'would' }, { name: 'unsupported' }),
      task('echo', {}, { name: 'supported', register: 'e' }),
      task('sh', { cmd: 'real' }, { name: 'forced', check_mode: false }),
    ])));
    expect(h.result('unsupported', 'a')?.status).to.equal('skipped');
    expect(h.result('unsupported', 'a')?.msg).to.contain('does not support check mode');
    expect((h.result('supported', 'a')?.result as { check: boolean }).check).to.equal(true);
    expect(h.conns.of('a').commands()).to.deep.equal(['real']);
  });

  it('censors a no_log result in every event, registers the real value, and masks its strings', async () => {
    const h = harness(one());
    await h.run(playbook(play([
      task('echo', { msg: 'hunter22-secret' }, { name: 'hidden', no_log: true, register: 'h' }),
      task('echo', { msg: '{{ h.msg }}' }, { name: 'reveal' }),
    ])));
    const ev = h.result('hidden', 'a')!;
    expect(JSON.stringify(ev)).not.to.contain('hunter22');
    expect(ev.result).to.have.property('censored');
    expect(h.result('reveal', 'a')?.msg).to.equal('hunter22-secret');
    expect(h.secrets).to.include('hunter22-secret');
  });

  it('masks the values of secret-named variables', async () => {
    const h = harness(inventory({ a: { etcd_password: 'pa55word!', api_token: 'tok-123456' } }), { options: { extraVars: { db_secret: 's3cr3t-value' } } });
    await h.run(playbook(play([task('echo')])));
    expect(h.secrets).to.include.members(['pa55word!', 'tok-123456', 's3cr3t-value']);
  });

  it('fails a task that runs longer than its timeout and aborts its command', async () => {
    const h = harness(one(), { script: { a: [{ match: /^slow$/, delayMs: 5000 }] } });
    const t0 = Date.now();
    await h.run(playbook(play([task('sh', { cmd: 'slow' }, { name: 'slow', timeout: 0.05 })])));
    expect(Date.now() - t0).to.be.below(2000);
    expect(h.result('slow', 'a')).to.include({ status: 'failed' });
    expect(h.result('slow', 'a')?.msg).to.contain('timed out');
    expect(h.conns.of('a').calls[0].options.signal?.aborted).to.equal(true);
  });

  it('passes environment (play < block < task) and become to the connection', async () => {
    const h = harness(inventory({ a: { ringmaster_become_password_env: 'RM_PW' } }), { script: { a: [{ match: /^id$/ }] } });
    await h.run(playbook(play([block([task('sh', { cmd: 'id' }, { environment: { C: '3', B: 'task' }, become_user: 'etcd' })], { environment: { B: 'block' } })], { environment: { A: '1', B: 'play' }, become: true })));
    const call = h.conns.of('a').calls[0];
    expect(call.options.env).to.deep.equal({ A: '1', B: 'task', C: '3' });
    expect(call.options.become).to.deep.equal({ method: 'sudo', user: 'etcd', passwordEnv: 'RM_PW' });
  });

  it('takes become from the host ansible_become* variables unless the play or task says become', async () => {
    const inv = () => inventory({ a: { ansible_become: true, ansible_become_user: 'etcd' } });
    const h = harness(inv(), { script: { a: [{ match: /^id$/ }] } });
    await h.run(playbook(play([task('sh', { cmd: 'id' })])));
    expect(h.conns.of('a').calls[0].options.become).to.deep.equal({ method: 'sudo', user: 'etcd' });
    const off = harness(inv(), { script: { a: [{ match: /^id$/ }] } });
    await off.run(playbook(play([task('sh', { cmd: 'id' }, { become: false })])));
    expect(off.conns.of('a').calls[0].options.become).to.equal(undefined);
  });

  it('refuses the run before any task when an argument uses a variable nothing defines, naming it', async () => {
    const h = harness(one(), { script: { a: [{ match: /^touch / }] } });
    const err = await h.run(playbook(play([task('sh', { cmd: 'touch /tmp/x' }, { name: 'first' }), task('echo', { msg: '{{ nope }}' }, { name: 'undef' })]))).catch((e) => e);
    expect(err.errors?.map((e: Error) => e.message).join('\n')).to.contain('undefined variable `nope`');
    expect(h.conns.of('a').calls, 'task 1 ran before the error').to.have.length(0);
  });

  it('fails the task (not the run) when a variable only the run defines lacks an attribute, naming it', async () => {
    const h = harness(one());
    const r = await h.run(playbook(play([task('echo', { msg: 'x' }, { name: 'first', register: 'res' }), task('echo', { msg: '{{ res.nope }}' }, { name: 'undef' })])));
    expect(h.result('undef', 'a')?.status).to.equal('failed');
    expect(h.result('undef', 'a')?.msg).to.contain('res.nope');
    expect(r.exitCode).to.equal(2);
  });
});
