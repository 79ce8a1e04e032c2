// The module contract through the executor: ctx.read always runs and is recorded with its value; ctx.change runs,
// or in check mode is only recorded; a plan guard sees both first and stops the run (exit 8) on drift.
import { expect } from 'chai';
import { cmd } from '../../engine/connection/command.js';
import type { AnyModule } from '../../engine/execute/context.js';
import type { PlanGuard } from '../../engine/execute/module-io.js';
import type { Fact } from '../../engine/facts/fact.js';
import type { ModuleContext } from '../../engine/modules/define.js';
import { FAKE_MODULES, harness, inventory, play, playbook, task } from '../helpers/run-harness.js';

const leader: Fact<{ leader: string; revision: number }> = {
  name: 'test_leader',
  command: () => cmd('read-leader'),
  parse: (stdout) => {
    const [leaderId, rev] = stdout.trim().split(' ');
    return { leader: leaderId, revision: Number(rev) };
  },
  plan: (v) => ({ leader: v.leader }),
};

const moveLeader: AnyModule = {
  name: 'move_leader', description: 'test', schema: '', supportsCheckMode: true, idempotent: false, example: '',
  async run(ctx: ModuleContext, args: { to: string }) {
    const now = await ctx.read(leader);
    if (now.leader === args.to) return { changed: false, msg: 'already the leader' };
    const r = await ctx.change({ command: cmd('move-leader', args.to) }, { why: `the leader is ${now.leader}` });
    return { changed: true, moved: r !== undefined };
  },
};

function setup(check: boolean, leaderReply = 'm1 100', guard?: PlanGuard) {
  const h = harness(inventory({ a: {} }), {
    options: { check },
    script: { a: [{ match: /^read-leader$/, result: { stdout: `${leaderReply}\n` } }, { match: /^move-leader m2$/ }] },
  });
  h.ctx.modules = new Map([...FAKE_MODULES, ['move_leader', moveLeader]]);
  if (guard) h.ctx.plan = guard;
  return h;
}

const book = () => playbook(play([task('move_leader', { to: 'm2' }, { name: 'move' }), task('move_leader', { to: 'm2' }, { name: 'again' })]));

describe('module contract: ctx.read and ctx.change', () => {
  it('in check mode runs every read, runs no change, and records both with the stable value', async () => {
    const h = setup(true);
    const r = await h.run(book());
    expect(r.exitCode).to.equal(0);
    const commands = h.conns.of('a').calls.map((c) => c.command);
    expect(commands).to.deep.equal(['read-leader', 'read-leader']);
    const first = h.result('move', 'a')!;
    expect(first.status).to.equal('changed');
    expect(first.reads).to.deep.equal([{ fact: 'test_leader', value: { leader: 'm1' } }]);
    expect(first.changes).to.deep.equal([{ display: 'move-leader m2', why: 'the leader is m1', ran: false }]);
    expect(first.commands).to.deep.equal(['move-leader m2']);
    // the second task read after a planned change: its values depend on that change
    const second = h.result('again', 'a')!;
    expect(second.reads).to.deep.equal([{ fact: 'test_leader', value: { leader: 'm1' }, afterChange: true }]);
    expect(second.changes?.[0]).to.include({ ran: false, afterChange: true });
  });

  it('in a real run records the same reads and the changes it performed, with their exit codes', async () => {
    const h = setup(false);
    const r = await h.run(book());
    expect(r.exitCode).to.equal(0);
    expect(h.conns.of('a').calls.map((c) => c.command)).to.deep.equal(['read-leader', 'move-leader m2', 'read-leader', 'move-leader m2']);
    const first = h.result('move', 'a')!;
    expect(first.reads).to.deep.equal([{ fact: 'test_leader', value: { leader: 'm1' } }]);
    expect(first.changes).to.have.length(1);
    expect(first.changes![0]).to.include({ display: 'move-leader m2', ran: true, code: 0 });
    expect(first.result?.moved).to.equal(true);
  });

  it('a plan guard that sees drift on a read stops the run before any change, exit 8, naming planned and live', async () => {
    const guard: PlanGuard = {
      read: (_key, rec) => (JSON.stringify(rec.value) === JSON.stringify({ leader: 'm1' }) ? undefined : { what: `fact ${rec.fact}`, planned: { leader: 'm1' }, live: rec.value }),
      change: () => undefined,
    };
    const h = setup(false, 'm3 200', guard);
    const r = await h.run(book());
    expect(r.exitCode & 8).to.equal(8);
    expect(h.conns.of('a').calls.map((c) => c.command)).to.deep.equal(['read-leader']);
    const first = h.result('move', 'a')!;
    expect(first.status).to.equal('failed');
    expect(first.msg).to.contain('fact test_leader changed since the plan was made').and.contain('planned {"leader":"m1"}').and.contain('live {"leader":"m3"}');
  });

  it('a plan guard that sees a different change stops before running it', async () => {
    const guard: PlanGuard = {
      read: () => undefined,
      change: (key, rec) => (rec.display === 'move-leader m9' ? undefined : { what: `the next change of ${key.task}`, planned: 'move-leader m9', live: rec.display }),
    };
    const h = setup(false, 'm1 100', guard);
    const r = await h.run(book());
    expect(r.exitCode & 8).to.equal(8);
    expect(h.conns.of('a').calls.map((c) => c.command)).to.deep.equal(['read-leader']);
    expect(h.result('move', 'a')!.msg).to.contain('planned move-leader m9, live move-leader m2');
  });
});
