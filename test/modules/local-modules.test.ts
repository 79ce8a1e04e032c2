// Tests of the controller-only modules: assert, fail, debug, set_fact, pause and meta (no connection used).
import { expect } from 'chai';
import { moduleNamed, runModule } from './context.js';
import { ScriptedConnection } from './fake-connection.js';

/** A connection with an empty script: any use of it fails the test. */
const none = () => new ScriptedConnection([]);

describe('modules: assert', () => {
  const expressions = { 'members.length == 3': true, 'healthy > 1': false, 'leader': 'node2' };
  it('assert passes when every expression is truthy', async () => {
    const r = await runModule('assert', none(), { that: ['members.length == 3', 'leader'] }, { expressions });
    expect(r).to.include({ changed: false });
    expect(r.failed).to.equal(undefined);
  });
  it('assert fails naming the first false expression, after the custom message', async () => {
    const r = await runModule('assert', none(), { that: ['members.length == 3', 'healthy > 1', 'leader'], fail_msg: 'not enough healthy members' }, { expressions });
    expect(r).to.include({ failed: true, assertion: 'healthy > 1', msg: 'not enough healthy members (assertion failed: healthy > 1)' });
  });
  it('assert accepts a single expression string and uses success_msg', async () => {
    const r = await runModule('assert', none(), { that: 'leader', success_msg: 'ring is led' }, { expressions });
    expect(r.msg).to.equal('ring is led');
  });
  it('assert is declared local so the executor never opens a connection for it', () => {
    for (const name of ['assert', 'fail', 'debug', 'set_fact', 'pause', 'meta']) expect(moduleNamed(name).local, name).to.equal(true);
  });
});

describe('modules: fail and debug', () => {
  it('fail fails with its message, or Ansible\'s default one', async () => {
    expect(await runModule('fail', none(), { msg: 'no quorum' })).to.include({ failed: true, changed: false, msg: 'no quorum' });
    expect((await runModule('fail', none(), {})).msg).to.equal('Failed as requested from task');
  });
  it('debug prints msg', async () => {
    expect(await runModule('debug', none(), { msg: 'hi' })).to.include({ changed: false, msg: 'hi' });
  });
  it('debug var reports the value under the expression\'s name', async () => {
    const r = await runModule('debug', none(), { var: 'members.length' }, { expressions: { 'members.length': 3 } });
    expect(r).to.include({ 'members.length': 3, changed: false });
  });
  it('debug var of an undefined variable says so instead of failing, like Ansible', async () => {
    const r = await runModule('debug', none(), { var: 'nope' });
    expect(r).to.include({ nope: 'VARIABLE IS NOT DEFINED!' });
  });
  it('debug refuses msg and var together', async () => {
    expect(await runModule('debug', none(), { msg: 'a', var: 'b' })).to.include({ failed: true });
  });
});

describe('modules: set_fact and meta', () => {
  it('set_fact returns the variables as facts and drops cacheable', async () => {
    const r = await runModule('set_fact', none(), { old_member: 'node3', n: 2, cacheable: true });
    expect(r).to.deep.include({ changed: false, facts: { old_member: 'node3', n: 2 } });
  });
  for (const action of ['flush_handlers', 'end_play', 'end_host', 'noop']) {
    it(`meta ${action} hands the action to the executor`, async () => {
      expect(await runModule('meta', none(), { action })).to.include({ changed: false, meta: action });
    });
  }
});

describe('modules: pause', () => {
  it('pause waits the given seconds', async () => {
    const t = Date.now();
    await runModule('pause', none(), { seconds: 1 });
    expect(Date.now() - t).to.be.at.least(950);
  });
  it('pause with only a prompt does not wait without a terminal, and says so', async () => {
    const r = await runModule('pause', none(), { prompt: 'Check the dashboard' }, { interactive: false });
    expect(r).to.include({ changed: false, msg: 'no terminal on stdin: not waiting for input' });
  });
  it('pause with a terminal waits for the line typed and returns it', async () => {
    let asked = '';
    const r = await runModule('pause', none(), { prompt: 'Continue?' }, { interactive: true, prompt: async (q) => ((asked = q), 'yes') });
    expect(asked).to.equal('Continue?: ');
    expect(r.user_input).to.equal('yes');
  });
  it('pause stops waiting when the run is interrupted', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    let err: { code?: string } | undefined;
    await runModule('pause', none(), { minutes: 1 }, { signal: ac.signal }).catch((e) => (err = e));
    expect(err?.code).to.equal('E_ABORTED');
  });
});
