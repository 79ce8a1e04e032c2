// The plain reporter: Ansible-like lines for CI logs, -v details, --diff, the recap and colours only on a TTY.
import { expect } from 'chai';
import { createEventBus, type ReportOptions } from '../../engine/report/index.js';
import { Capture, SECRET, sampleRun } from './sample-run.js';

async function runPlain(extra: Partial<ReportOptions> = {}, tty = false) {
  const stdout = new Capture();
  const stderr = new Capture();
  stdout.isTTY = tty;
  const bus = createEventBus({ output: 'plain', verbose: 0, stdout, stderr, secrets: [SECRET], env: {}, ...extra });
  for (const e of sampleRun()) bus.emit(e);
  await bus.close();
  return { out: stdout.lines(), err: stderr.lines(), text: stdout.text + stderr.text };
}

describe('report/plain', () => {
  it('prints PLAY and TASK banners and one line per host result', async () => {
    const { out } = await runPlain();
    expect(out).to.include.members([
      'ok: [node1]',
      'skipping: [node2]',
      'failed: [node3]: endpoint unhealthy',
      '...ignoring',
      'unreachable: [node4]: connect ECONNREFUSED 127.0.0.4:22',
      'changed: [node1] => (item=etcd.yaml)',
      'ok: [node1] => (item=kubeadm.yaml)',
      'changed: [node2 -> node1]',
      'failed: [node3]: etcdctl: auth failed for *** (attempts=3)',
    ]);
    expect(out.some((l) => l.startsWith('PLAY [Replace member <node3> & "friends"] ***'))).to.equal(true);
    expect(out.some((l) => l.startsWith('TASK [Check quorum] ***'))).to.equal(true);
    expect(out.some((l) => l.startsWith('RUNNING HANDLER [Restart kubelet] ***'))).to.equal(true);
  });

  it('puts "...ignoring" right after the ignored failure', async () => {
    const { out } = await runPlain();
    const i = out.indexOf('failed: [node3]: endpoint unhealthy');
    expect(out.slice(i + 1, i + 3)).to.deep.equal(['  $ etcdctl endpoint health', '...ignoring']);
  });

  it('shows a failure\'s commands and stderr even without -v, but not those of successes', async () => {
    const { out } = await runPlain();
    expect(out).to.include('  $ etcdctl member add node3');
    expect(out).to.include('    permission denied');
    expect(out).not.to.include('  $ etcdctl endpoint health -w json');
  });

  it('shows commands, stdout and messages with -v, secrets masked', async () => {
    const { out, text } = await runPlain({ verbose: 1 });
    expect(out).to.include('ok: [node1] => quorum 3 of 3');
    expect(out).to.include('  $ etcdctl endpoint health -w json');
    expect(out).to.include('  $ etcdctl --password=*** member add node2');
    expect(out).to.include('    {"health":true}');
    expect(out).to.include('    added with ***');
    expect(text).not.to.contain(SECRET);
  });

  it('shows a unified diff when the run asked for --diff', async () => {
    const { out } = await runPlain();
    const i = out.indexOf('--- before: /etc/kubernetes/manifests/etcd.yaml');
    expect(i).to.be.greaterThan(-1);
    expect(out.slice(i, i + 6)).to.deep.equal(['--- before: /etc/kubernetes/manifests/etcd.yaml', '+++ after: /etc/kubernetes/manifests/etcd.yaml', '@@ -1,2 +1,2 @@', ' a: 1', '-b: 2', '+b: 3']);
  });

  it('writes warnings to stderr, not stdout', async () => {
    const { out, err } = await runPlain();
    expect(err).to.include('[WARNING]: host-key checking is off');
    expect(err).to.include("[WARNING]: stale member node9 in the member list (host node1, task 'Write manifest')");
    expect(out.join('\n')).not.to.contain('[WARNING]');
  });

  it('prints the recap table and explains the exit code', async () => {
    const { out } = await runPlain();
    const i = out.findIndex((l) => l.startsWith('PLAY RECAP'));
    expect(out.slice(i + 1, i + 5)).to.deep.equal([
      'node1 : ok=3 changed=2 unreachable=0 failed=0 skipped=0 rescued=0 ignored=0',
      'node2 : ok=1 changed=1 unreachable=0 failed=0 skipped=1 rescued=0 ignored=0',
      'node3 : ok=0 changed=0 unreachable=0 failed=1 skipped=0 rescued=0 ignored=1',
      'node4 : ok=0 changed=0 unreachable=1 failed=0 skipped=0 rescued=0 ignored=0',
    ]);
    expect(out).to.include('exit 6: a task failed on node3; node4 was unreachable');
    expect(out).to.include('finished in 4.7s');
  });

  it('uses no colour when stdout is not a TTY', async () => {
    const { text } = await runPlain();
    expect(text).not.to.contain('\u001b[');
  });

  it('uses colour on a TTY, and none on a TTY when NO_COLOR is set', async () => {
    const coloured = await runPlain({}, true);
    expect(coloured.text).to.contain('\u001b[31mfailed: [node3]');
    const noColor = await runPlain({ env: { NO_COLOR: '1' }, output: 'plain' }, true);
    expect(noColor.text).not.to.contain('\u001b[');
  });
});
