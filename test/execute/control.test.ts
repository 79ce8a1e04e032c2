// Handlers, meta, tags, --start-at-task, --step, variable precedence, magic variables and fact gathering.
import { expect } from 'chai';
import { RingError } from '../../engine/errors/index.js';
import { block, harness, inventory, play, playbook, task } from '../helpers/run-harness.js';

const two = () => inventory({ a: { bad: true }, b: { bad: false } });

describe('execute: handlers, meta, tags and variables', () => {
  it('runs a notified handler once per changed host at the end of the play, matched by name or listen', async () => {
    const h = harness(inventory({ a: { ch: true }, b: { ch: false } }));
    await h.run(playbook(play([
      task('echo', { changed: '{{ ch }}' }, { name: 't1', notify: ['restart etcd'] }),
      task('echo', { changed: '{{ ch }}' }, { name: 't2', notify: ['restart etcd', 'etcd config'] }),
      task('echo', {}, { name: 'last' }),
    ], {
      handlers: [
        task('echo', {}, { name: 'restart etcd' }),
        task('echo', {}, { name: 'reload', listen: ['etcd config'] }),
        task('echo', {}, { name: 'never notified' }),
      ],
    })));
    expect(h.results()).to.deep.equal(['t1/a/changed', 't1/b/ok', 't2/a/changed', 't2/b/ok', 'last/a/ok', 'last/b/ok', 'restart etcd/a/ok', 'reload/a/ok']);
    expect(h.events.find((e) => e.type === 'task_start' && e.task === 'restart etcd')).to.include({ handler: true });
  });

  it('flushes handlers at meta: flush_handlers and does not run them for failed hosts', async () => {
    const h = harness(two());
    await h.run(playbook(play([
      task('echo', { changed: true }, { name: 'change', notify: ['h'] }),
      task('echo', { failed: '{{ bad }}' }, { name: 'maybe fail' }),
      task('meta', { action: 'flush_handlers' }, { name: 'flush' }),
      task('echo', {}, { name: 'after' }),
    ], { handlers: [task('echo', {}, { name: 'h' })] })));
    expect(h.results()).to.deep.equal(['change/a/changed', 'change/b/changed', 'maybe fail/a/failed', 'maybe fail/b/ok', 'flush/b/ok', 'h/b/ok', 'after/b/ok']);
  });

  it('ends the play with meta: end_play and one host with meta: end_host', async () => {
    const h = harness(two());
    await h.run(
      playbook(
        play([task('meta', { action: 'end_host' }, { name: 'end', when: ['bad'] }), task('echo', {}, { name: 'rest' })]),
        play([task('meta', { action: 'end_play' }, { name: 'stop' }), task('echo', {}, { name: 'unreached' })]),
        play([task('echo', {}, { name: 'third' })]),
      ),
    );
    expect(h.results()).to.deep.equal(['end/a/ok', 'end/b/skipped', 'rest/b/ok', 'stop/a/ok', 'stop/b/ok', 'third/a/ok', 'third/b/ok']);
  });

  it('selects tasks by --tags and --skip-tags, with always, never and tags inherited from play and block', async () => {
    const tasks = [
      task('echo', {}, { name: 'plain' }),
      task('echo', {}, { name: 'tagged', tags: ['etcd'] }),
      task('echo', {}, { name: 'always', tags: ['always'] }),
      task('echo', {}, { name: 'never', tags: ['never', 'debug'] }),
      block([task('echo', {}, { name: 'in block' })], { tags: ['blk'] }),
    ];
    const names = async (options: { tags?: string[]; skipTags?: string[] }) => {
      const h = harness(inventory({ a: {} }), { options });
      await h.run(playbook(play(tasks, { tags: ['p'] })));
      return h.results().map((r) => r.split('/')[0]);
    };
    expect(await names({})).to.deep.equal(['plain', 'tagged', 'always', 'in block']);
    expect(await names({ tags: ['etcd'] })).to.deep.equal(['tagged', 'always']);
    expect(await names({ tags: ['debug'] })).to.deep.equal(['always', 'never']);
    expect(await names({ tags: ['blk'] })).to.deep.equal(['always', 'in block']);
    // as in Ansible, a tag inherited from the play counts as the task's own: asking for it selects `never` tasks too
    expect(await names({ tags: ['p'] })).to.deep.equal(['plain', 'tagged', 'always', 'never', 'in block']);
    expect(await names({ skipTags: ['etcd', 'always'] })).to.deep.equal(['plain', 'in block']);
  });

  it('starts at the named task with --start-at-task and refuses an unknown name before running', async () => {
    const book = playbook(play([task('echo', {}, { name: 'one' }), block([task('echo', {}, { name: 'two' })]), task('echo', {}, { name: 'three' })]));
    const h = harness(inventory({ a: {} }), { options: { startAtTask: 'two' } });
    await h.run(book);
    expect(h.results()).to.deep.equal(['two/a/ok', 'three/a/ok']);
    const bad = harness(inventory({ a: {} }), { options: { startAtTask: 'tow' } });
    const err = await bad.run(book).catch((e) => e);
    expect(err).to.be.instanceOf(RingError).and.to.have.property('code', 'E_START_AT_TASK');
    expect(bad.events).to.deep.equal([]);
  });

  it('asks before each task with --step: no skips, continue stops asking', async () => {
    const h = harness(inventory({ a: {} }), { options: { step: true }, step: ['yes', 'no', 'continue'] });
    await h.run(playbook(play(['1', '2', '3', '4'].map((n) => task('echo', {}, { name: n })))));
    expect(h.results()).to.deep.equal(['1/a/ok', '3/a/ok', '4/a/ok']);
    const noTty = harness(inventory({ a: {} }), { options: { step: true } });
    const err = await noTty.run(playbook(play([task('echo')]))).catch((e) => e);
    expect(err).to.be.instanceOf(RingError).and.to.have.property('code', 'E_USAGE');
  });

  it('applies variable precedence: group < host < play < vars_files < facts < block < task < loop < extra', async () => {
    const inv = inventory({ a: { v1: 'host', v2: 'host', v3: 'host', v4: 'host', v5: 'host', v6: 'host', v7: 'host', v8: 'host' } }, { g: { hosts: ['a'], vars: { v0: 'group', v1: 'group' } } });
    const h = harness(inv, { options: { extraVars: { v8: 'extra' } } });
    const msg = '{{ v0 }} {{ v1 }} {{ v2 }} {{ v3 }} {{ v4 }} {{ v5 }} {{ v6 }} {{ v7 }} {{ v8 }}';
    await h.run(playbook(play([
      task('fact', { v4: 'fact', v5: 'fact', v6: 'fact', v7: 'fact', v8: 'fact' }),
      block([task('echo', { msg }, { name: 'show', vars: { v6: 'task', v7: 'task', v8: 'task' }, loop: ['loop'], loop_control: { loop_var: 'v7' } })], { vars: { v5: 'block', v6: 'block', v7: 'block', v8: 'block' } }),
    ], { vars: { v2: 'play', v3: 'play', v4: 'play', v5: 'play', v6: 'play', v7: 'play', v8: 'play' }, vars_files: ['/x/vars.yml'] })));
    expect(h.result('show', 'a')?.result?.results).to.have.length(1);
    const item = (h.result('show', 'a')?.result?.results as Array<{ msg: string }>)[0];
    expect(item.msg).to.equal('group host play play fact block task loop extra');
  });

  it('renders templated variables lazily with the host as context, and offers the magic variables', async () => {
    const inv = inventory({ n1: { ip: '10.0.0.1' }, n2: { ip: '10.0.0.2' } }, { etcd: { hosts: ['n1', 'n2'], vars: { url: 'https://{{ ip }}:2380' } } });
    const h = harness(inv);
    await h.run(playbook(play([
      task('echo', { msg: '{{ url }} {{ hostvars.n2.url }} {{ groups.etcd.length }} {{ inventory_hostname_short }} {{ ansible_play_batch.length }} {{ playbook_dir }} {{ ansible_check_mode }}' }, { name: 'm' }),
    ], { hosts: 'etcd', serial: [1] })));
    expect(h.result('m', 'n1')?.msg).to.equal('https://10.0.0.1:2380 https://10.0.0.2:2380 2 n1 1 /mem false');
  });

  it('gathers facts with one command when gather_facts is true', async () => {
    const h = harness(inventory({ a: {} }), { script: { a: [{ match: /^uname -n/, result: { stdout: 'node-a\nLinux\n6.1.0\nx86_64\ndebian\n' } }] } });
    await h.run(playbook(play([task('echo', { msg: '{{ ansible_facts.hostname }} {{ ansible_kernel }}' }, { name: 'm' })], { gather_facts: true })));
    expect(h.result('m', 'a')?.msg).to.equal('node-a 6.1.0');
    expect(h.results()[0]).to.equal('Gathering Facts/a/ok');
    expect(h.conns.of('a').calls).to.have.length(1);
  });

  it('never opens a connection for a play of controller-only tasks', async () => {
    const h = harness(inventory({ a: {} }));
    await h.run(playbook(play([task('echo'), task('fact', { x: 1 })])));
    expect(h.conns.connects).to.deep.equal([]);
  });

  it('lets each loop item of a set_fact see the facts set by the items before it', async () => {
    const h = harness(inventory({ a: {} }));
    const r = await h.run(playbook(play([
      task('fact', { acc: "{{#if acc}}{{acc}},{{/if}}{{item}}" }, { loop: ['x', 'y', 'z'] }),
      task('echo', { msg: '{{ acc }}' }, { name: 'show' }),
    ])));
    expect(r.exitCode).to.equal(0);
    expect(h.result('show', 'a')?.msg).to.equal('x,y,z');
  });
});
