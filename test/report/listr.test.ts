// The listr2 reporter driven by pushed events (verbose renderer: one line per state change, no TTY needed).
import { expect } from 'chai';
import { createEventBus, createReporters, ListrReporter, palette } from '../../engine/report/index.js';
import type { RunEvent } from '../../engine/report/events.js';
import { Capture, SECRET, sampleRun } from './sample-run.js';

async function runListr(events: RunEvent[], renderer: 'verbose' | 'silent' = 'verbose', verbose = 0) {
  const stdout = new Capture();
  const stderr = new Capture();
  const bus = createEventBus({ output: 'listr', listrRenderer: renderer, verbose, stdout, stderr, secrets: [SECRET], env: {} });
  for (const e of events) bus.emit(e);
  await bus.close();
  return { out: stdout.lines(), err: stderr.text };
}

describe('report/listr', () => {
  it('draws each task with a subtask per host, titled with status, message and duration', async () => {
    const { out } = await runListr(sampleRun());
    expect(out).to.include('[STARTED] Check quorum');
    expect(out).to.include('[COMPLETED] node1 ok 0.1s');
    expect(out).to.include('[SKIPPED] node2 skipped 0.0s');
    expect(out).to.include('[COMPLETED] node3 failed (ignored): endpoint unhealthy 0.3s');
    expect(out).to.include('[FAILED] node4 unreachable: connect ECONNREFUSED 127.0.0.4:22 3.0s');
    expect(out).to.include('[COMPLETED] node1 changed (2 items) 0.1s');
    expect(out).to.include('[FAILED] node3 failed: etcdctl: auth failed for *** 0.4s');
  });

  it('titles a finished task with its counts and duration', async () => {
    const { out } = await runListr(sampleRun());
    expect(out).to.include('[COMPLETED] Check quorum [ok=1 unreachable=1 skipped=1 ignored=1] 3.1s');
    expect(out).to.include('[COMPLETED] Write manifest [changed=2 failed=1] 0.9s');
    expect(out).to.include('[COMPLETED] RUNNING HANDLER Restart kubelet [changed=1] 0.5s');
  });

  it('keeps tasks in event order: a task is finished before the next one starts', async () => {
    const { out } = await runListr(sampleRun());
    const at = (l: string) => out.indexOf(l);
    expect(at('PLAY [Replace member <node3> & "friends"] ' + '*'.repeat(37))).to.be.lessThan(at('[STARTED] Check quorum'));
    expect(at('[COMPLETED] Check quorum [ok=1 unreachable=1 skipped=1 ignored=1] 3.1s')).to.be.lessThan(at('[STARTED] Write manifest'));
    expect(at('--- before: /etc/kubernetes/manifests/etcd.yaml')).to.be.greaterThan(at('[COMPLETED] Write manifest [changed=2 failed=1] 0.9s'));
    expect(at('--- before: /etc/kubernetes/manifests/etcd.yaml')).to.be.lessThan(at('[STARTED] RUNNING HANDLER Restart kubelet'));
  });

  it('prints the recap with the exit code\'s meaning, and warnings on stderr', async () => {
    const { out, err } = await runListr(sampleRun());
    expect(out).to.include('node3 : ok=0 changed=0 unreachable=0 failed=1 skipped=0 rescued=0 ignored=1');
    expect(out).to.include('exit 6: a task failed on node3; node4 was unreachable');
    expect(err).to.contain("[WARNING]: stale member node9 in the member list (host node1, task 'Write manifest')");
    expect(out.join('\n') + err).not.to.contain(SECRET);
  });

  it('finishes a task whose task_end never came, and marks hosts that got no result', async () => {
    const play = 'p';
    const events: RunEvent[] = [
      { type: 'play_start', ts: 't', play, hosts: ['a', 'b'] },
      { type: 'task_start', ts: 't', play, task: 'Interrupted', module: 'command', hosts: ['a', 'b'] },
      { type: 'host_result', ts: 't', play, task: 'Interrupted', host: 'a', status: 'ok', durationMs: 5 },
    ];
    const { out } = await runListr(events);
    expect(out).to.include('[COMPLETED] a ok 0.0s');
    expect(out).to.include('[SKIPPED] b: no result');
    expect(out).to.include('[COMPLETED] Interrupted [ok=1]');
  });

  it('shows commands and output under a finished task with -v, secrets masked', async () => {
    const { out } = await runListr(sampleRun(), 'verbose', 1);
    expect(out).to.include('[node2] $ etcdctl --password=*** member add node2');
    expect(out).to.include('[node3] stderr:');
    expect(out).to.include('    added with ***');
    expect(out.indexOf('[node1] $ etcdctl endpoint health -w json')).to.be.greaterThan(out.indexOf('[COMPLETED] Check quorum [ok=1 unreachable=1 skipped=1 ignored=1] 3.1s'));
  });

  it('still reports a result for a host the task did not announce', async () => {
    const play = 'p';
    const events: RunEvent[] = [
      { type: 'task_start', ts: 't', play, task: 'Delegated', module: 'command', hosts: [] },
      { type: 'host_result', ts: 't', play, task: 'Delegated', host: 'x', status: 'failed', durationMs: 1, msg: 'boom' },
      { type: 'task_end', ts: 't', play, task: 'Delegated', durationMs: 1 },
    ];
    const { out } = await runListr(events);
    expect(out).to.include('[COMPLETED] Delegated [failed=1] 0.0s');
    expect(out).to.include('  x failed: boom 0.0s');
  });

  it('runs with the silent renderer without writing task lines', async () => {
    const { out } = await runListr(sampleRun(), 'silent');
    expect(out.some((l) => l.includes('[STARTED]'))).to.equal(false);
    expect(out).to.include('exit 6: a task failed on node3; node4 was unreachable');
  });
});

describe('report/createReporters', () => {
  const base = { verbose: 0, stderr: new Capture(), secrets: [], env: {} };
  it('picks listr on a TTY and plain lines without one', () => {
    const tty = new Capture();
    tty.isTTY = true;
    expect(createReporters({ ...base, output: 'auto', stdout: tty }).map((r) => r.name)).to.deep.equal(['listr']);
    expect(createReporters({ ...base, output: 'auto', stdout: new Capture() }).map((r) => r.name)).to.deep.equal(['plain']);
    expect(createReporters({ ...base, output: 'listr', stdout: new Capture() })[0]).to.be.instanceOf(ListrReporter);
  });
  it('lets json replace the console reporter and adds junit when a file is given', () => {
    const tty = new Capture();
    tty.isTTY = true;
    expect(createReporters({ ...base, output: 'json', stdout: tty, junitFile: '/tmp/x.xml' }).map((r) => r.name)).to.deep.equal(['json', 'junit']);
    expect(createReporters({ ...base, output: 'plain', stdout: tty, junitFile: '/tmp/x.xml' }).map((r) => r.name)).to.deep.equal(['plain', 'junit']);
  });
  it('builds a colourless palette when asked', () => {
    expect(palette(false).failed('x')).to.equal('x');
  });
});
