// The event bus: ordered fan-out, secret masking before any reporter sees an event, broken reporters dropped.
import { expect } from 'chai';
import { EventBus, createReporters } from '../../engine/report/index.js';
import type { Reporter, RunEvent } from '../../engine/report/events.js';
import { Capture, Recorder, SECRET, sampleRun } from './sample-run.js';

const warning = (msg: string): RunEvent => ({ type: 'warning', ts: '2024-05-01T10:00:00.000Z', msg });

describe('report/event-bus', () => {
  it('delivers every event, in order, to every reporter', async () => {
    const a = new Recorder('a');
    const b = new Recorder('b');
    const bus = new EventBus([a, b]);
    const events = sampleRun();
    for (const e of events) bus.emit(e);
    await bus.close();
    expect(a.events.map((e) => e.type)).to.deep.equal(events.map((e) => e.type));
    expect(b.events).to.deep.equal(a.events);
  });

  it('keeps the order for an async reporter even though emit does not wait', async () => {
    const seen: string[] = [];
    const slow: Reporter = {
      name: 'slow',
      async handle(e) {
        await new Promise((r) => setTimeout(r, e.type === 'run_start' ? 20 : 1));
        seen.push(e.type);
      },
    };
    const bus = new EventBus([slow]);
    const events = sampleRun();
    for (const e of events) bus.emit(e);
    await bus.close();
    expect(seen).to.deep.equal(events.map((e) => e.type));
  });

  it('flush resolves only after a slow reporter has handled everything emitted so far', async () => {
    const seen: string[] = [];
    const slow: Reporter = {
      name: 'slow',
      async handle(e) {
        await new Promise((r) => setTimeout(r, 5));
        seen.push(e.type);
      },
    };
    const bus = new EventBus([slow]);
    bus.emit(warning('one'));
    bus.emit(warning('two'));
    expect(seen).to.have.length(0);
    await bus.flush();
    expect(seen).to.deep.equal(['warning', 'warning']);
    await bus.close();
  });

  it('masks a secret in msg, stdout, commands and the registered result before any reporter sees it', async () => {
    const r = new Recorder();
    const bus = new EventBus([r], [SECRET]);
    for (const e of sampleRun()) bus.emit(e);
    await bus.close();
    const text = JSON.stringify(r.events);
    expect(text).not.to.contain(SECRET);
    const node3 = r.events.find((e) => e.type === 'host_result' && e.host === 'node3' && e.task === 'Write manifest');
    expect(node3).to.deep.include({ msg: 'etcdctl: auth failed for ***' });
    expect((node3 as { result: unknown }).result).to.deep.equal({ stderr: 'permission denied', token: '***' });
    const node2: unknown = r.events.find((e) => e.type === 'host_result' && e.host === 'node2' && e.task === 'Write manifest');
    expect(node2).to.deep.include({ commands: ['etcdctl --password=*** member add node2'] });
    expect((node2 as { result: { stdout: string } }).result.stdout).to.equal('added with ***');
  });

  it('does not change the caller\'s event object when it masks', () => {
    const r = new Recorder();
    const bus = new EventBus([r], [SECRET]);
    const e = warning(`token ${SECRET}`);
    bus.emit(e);
    expect((e as { msg: string }).msg).to.equal(`token ${SECRET}`);
    expect((r.events[0] as { msg: string }).msg).to.equal('token ***');
  });

  it('masks secrets learnt during the run from then on, and the secrets given to createReporters', async () => {
    const out = new Capture();
    const reporters = createReporters({ output: 'json', verbose: 0, stdout: out, stderr: new Capture(), secrets: ['from-options-1'] });
    const bus = new EventBus(reporters);
    bus.emit(warning('a from-options-1 b learnt-later-2'));
    bus.addSecrets(['learnt-later-2']);
    bus.emit(warning('a from-options-1 b learnt-later-2'));
    await bus.close();
    const msgs = out.lines().filter(Boolean).map((l) => JSON.parse(l).msg);
    expect(msgs).to.deep.equal(['a *** b learnt-later-2', 'a *** b ***']);
  });

  it('ignores empty and very short secret values so output is not shredded', () => {
    const r = new Recorder();
    const bus = new EventBus([r], ['', 'ok', 'abc']);
    bus.emit(warning('ok: abc is fine'));
    expect((r.events[0] as { msg: string }).msg).to.equal('ok: abc is fine');
  });

  it('masks the JSON-escaped and shell-quoted forms of a secret with a quote in it', () => {
    const r = new Recorder();
    const bus = new EventBus([r], [`it's "x"9`]);
    bus.emit(warning(`sh: 'it'\\''s "x"9' json: {"p":"it's \\"x\\"9"}`));
    expect((r.events[0] as { msg: string }).msg).to.equal(`sh: '***' json: {"p":"***"}`);
  });

  it('drops a reporter that throws and tells the others with a warning; they keep receiving events', async () => {
    const good = new Recorder('good');
    const bad: Reporter = {
      name: 'junit',
      handle(e) {
        if (e.type === 'task_start') throw new Error(`disk full (${SECRET})`);
      },
    };
    const mine = new EventBus([bad, good], [SECRET]);
    for (const e of sampleRun()) mine.emit(e);
    await mine.close();
    const warnings = good.events.filter((e) => e.type === 'warning').map((e) => (e as { msg: string }).msg);
    expect(warnings).to.include('reporter junit failed: disk full (***); it was turned off');
    expect(good.events[good.events.length - 1].type).to.equal('recap');
    const firstTask = good.events.findIndex((e) => e.type === 'task_start');
    expect(good.events[firstTask + 1]).to.deep.include({ type: 'warning' });
  });

  it('drops a reporter whose promise rejects, without steering the run', async () => {
    const good = new Recorder('good');
    let calls = 0;
    const bad: Reporter = {
      name: 'flaky',
      async handle() {
        calls++;
        throw new Error('socket closed');
      },
    };
    const bus = new EventBus([bad, good]);
    for (const e of sampleRun()) bus.emit(e);
    await bus.close();
    expect(calls).to.equal(1);
    expect(good.events.filter((e) => e.type === 'warning').map((e) => (e as { msg: string }).msg)).to.include(
      'reporter flaky failed: socket closed; it was turned off',
    );
    expect(good.events.filter((e) => e.type === 'host_result')).to.have.length(9);
  });

  it('awaits every reporter\'s close, and reports a failing close to the reporters still open', async () => {
    const closed: string[] = [];
    const rec = new Recorder('console');
    const consoleReporter: Reporter = Object.assign(rec, {
      async close() {
        await new Promise((r) => setTimeout(r, 10));
        closed.push('console');
      },
    });
    const file: Reporter = {
      name: 'junit',
      handle() {},
      async close() {
        throw new Error('EACCES: /readonly/report.xml');
      },
    };
    const bus = new EventBus([consoleReporter, file]);
    bus.emit(warning('hello'));
    await bus.close();
    expect(closed).to.deep.equal(['console']);
    expect(rec.events.map((e) => (e as { msg: string }).msg)).to.deep.equal(['hello', 'reporter junit failed: EACCES: /readonly/report.xml; it was turned off']);
  });
});
