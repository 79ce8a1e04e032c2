// The JUnit reporter: suites per play, cases per task × host, counts, escaping and an atomic write on close.
import { expect } from 'chai';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEventBus, EventBus, JunitReporter, xmlEscape } from '../../engine/report/index.js';
import type { RunEvent } from '../../engine/report/events.js';
import { Capture, Recorder, SECRET, sampleRun } from './sample-run.js';

/** Attributes of every `<tag ...>` in order (the document is ours: flat, one element per line). */
function tags(xml: string, tag: string): Array<Record<string, string>> {
  const re = new RegExp(`<${tag}(\\s[^>]*?)?/?>`, 'g');
  return [...xml.matchAll(re)].map((m) => Object.fromEntries([...(m[1] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((a) => [a[1], a[2]])));
}

describe('report/junit', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ringmaster-junit-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function run(events: RunEvent[], file = join(dir, 'out', 'report.xml')): Promise<string> {
    const bus = createEventBus({ output: 'plain', junitFile: file, verbose: 0, stdout: new Capture(), stderr: new Capture(), secrets: [SECRET] });
    for (const e of events) bus.emit(e);
    await bus.close();
    return readFileSync(file, 'utf8');
  }

  it('writes a testsuite per play and a testcase per task × host with the right counts', async () => {
    const xml = await run(sampleRun());
    const [root] = tags(xml, 'testsuites');
    expect(root).to.include({ name: 'ringmaster', tests: '9', failures: '1', errors: '1', skipped: '1', time: '4.700' });
    const suites = tags(xml, 'testsuite');
    expect(suites).to.have.length(1);
    expect(suites[0]).to.include({ name: 'Replace member &lt;node3&gt; &amp; &quot;friends&quot;', tests: '9', failures: '1', errors: '1', skipped: '1', time: '4.600' });
    const cases = tags(xml, 'testcase');
    expect(cases.map((c) => c.name)).to.deep.equal([
      'Check quorum [node1]',
      'Check quorum [node2]',
      'Check quorum [node3]',
      'Check quorum [node4]',
      'Write manifest [node1] (item=etcd.yaml)',
      'Write manifest [node1] (item=kubeadm.yaml)',
      'Write manifest [node2]',
      'Write manifest [node3]',
      'Restart kubelet [node1]',
    ]);
    expect(cases.every((c) => c.classname === suites[0].name)).to.equal(true);
    expect(cases[3].time).to.equal('3.000');
  });

  it('turns failures into <failure>, unreachable into <error> and skips into <skipped/>, masked and escaped', async () => {
    const xml = await run(sampleRun());
    expect(tags(xml, 'failure')).to.deep.equal([{ message: 'etcdctl: auth failed for ***', type: 'failed' }]);
    expect(tags(xml, 'error')).to.deep.equal([{ message: 'connect ECONNREFUSED 127.0.0.4:22', type: 'unreachable' }]);
    expect(tags(xml, 'skipped')).to.deep.equal([{ message: 'when: is_leader was false' }]);
    expect(xml).to.contain('$ etcdctl member add node3</failure>');
    expect(xml).to.contain('<system-out>failed, ignored: endpoint unhealthy');
    expect(xml).not.to.contain(SECRET);
  });

  it('escapes XML special characters and drops characters XML cannot hold', () => {
    expect(xmlEscape(`a<b>&"c'\u0001`)).to.equal('a&lt;b&gt;&amp;&quot;c&apos;');
  });

  it('writes atomically: only the report is left in the folder, and nothing before close', async () => {
    const file = join(dir, 'report.xml');
    const r = new JunitReporter(file);
    for (const e of sampleRun()) r.handle(e);
    expect(readdirSync(dir)).to.deep.equal([]);
    await r.close();
    expect(readdirSync(dir)).to.deep.equal(['report.xml']);
  });

  it('becomes a warning on the console when the file cannot be written', async () => {
    const blocker = join(dir, 'not-a-dir');
    const rec = new Recorder('console');
    writeFileSync(blocker, 'x');
    const bus = new EventBus([rec, new JunitReporter(join(blocker, 'report.xml'))]);
    for (const e of sampleRun()) bus.emit(e);
    await bus.close();
    const last = rec.events[rec.events.length - 1] as { type: string; msg: string };
    expect(last.type).to.equal('warning');
    expect(last.msg).to.match(/^reporter junit failed: .*not-a-dir.*; it was turned off$/);
  });
});
