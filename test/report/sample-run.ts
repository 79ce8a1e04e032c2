// A representative synthetic run: every event type, every status, loops, diffs, a handler and a secret.
import { Writable } from 'node:stream';
import type { HostStats, Reporter, RunEvent } from '../../engine/report/events.js';

export const SECRET = 'hunter2-etcd-pass';

let clock = Date.parse('2024-05-01T10:00:00.000Z');
const ts = () => new Date((clock += 250)).toISOString();

const stats = (s: Partial<HostStats>): HostStats => ({ ok: 0, changed: 0, failed: 0, skipped: 0, unreachable: 0, rescued: 0, ignored: 0, ...s });

/** Events of a run on node1..node4: node3 fails a task, node4 is unreachable; exit code 6. */
export function sampleRun(): RunEvent[] {
  const play = 'Replace member <node3> & "friends"';
  const hosts = ['node1', 'node2', 'node3', 'node4'];
  return [
    { type: 'run_start', ts: ts(), runId: '0123456789ab', playbooks: ['playbooks/replace-member.yml'], check: false, diff: true, warnings: ['host-key checking is off'] },
    { type: 'play_start', ts: ts(), play, hosts, loc: { file: 'playbooks/replace-member.yml', line: 2, col: 3 } },
    { type: 'task_start', ts: ts(), play, task: 'Check quorum', module: 'etcd_quorum', hosts, loc: { file: 'playbooks/replace-member.yml', line: 8, col: 7 } },
    { type: 'host_result', ts: ts(), play, task: 'Check quorum', host: 'node1', status: 'ok', durationMs: 120, msg: 'quorum 3 of 3', commands: ['etcdctl endpoint health -w json'], result: { stdout: '{"health":true}', rc: 0 } },
    { type: 'host_result', ts: ts(), play, task: 'Check quorum', host: 'node2', status: 'skipped', durationMs: 1, msg: 'when: is_leader was false' },
    { type: 'host_result', ts: ts(), play, task: 'Check quorum', host: 'node3', status: 'failed', durationMs: 340, ignored: true, msg: 'endpoint unhealthy', commands: ['etcdctl endpoint health'] },
    { type: 'host_result', ts: ts(), play, task: 'Check quorum', host: 'node4', status: 'unreachable', durationMs: 3000, msg: 'connect ECONNREFUSED 127.0.0.4:22' },
    { type: 'task_end', ts: ts(), play, task: 'Check quorum', durationMs: 3100 },
    { type: 'task_start', ts: ts(), play, task: 'Write manifest', module: 'template', hosts: ['node1', 'node2', 'node3'] },
    { type: 'host_result', ts: ts(), play, task: 'Write manifest', host: 'node1', status: 'changed', durationMs: 80, item: 'etcd.yaml', diff: [{ path: '/etc/kubernetes/manifests/etcd.yaml', before: 'a: 1\nb: 2\n', after: 'a: 1\nb: 3\n' }] },
    { type: 'host_result', ts: ts(), play, task: 'Write manifest', host: 'node1', status: 'ok', durationMs: 70, item: 'kubeadm.yaml' },
    { type: 'host_result', ts: ts(), play, task: 'Write manifest', host: 'node2', status: 'changed', durationMs: 90, delegatedTo: 'node1', commands: [`etcdctl --password=${SECRET} member add node2`], result: { stdout: `added with ${SECRET}`, stderr: '' } },
    { type: 'host_result', ts: ts(), play, task: 'Write manifest', host: 'node3', status: 'failed', durationMs: 400, msg: `etcdctl: auth failed for ${SECRET}`, commands: ['etcdctl member add node3'], result: { stderr: 'permission denied', token: SECRET }, attempts: 3 },
    { type: 'warning', ts: ts(), msg: 'stale member node9 in the member list', host: 'node1', task: 'Write manifest' },
    { type: 'task_end', ts: ts(), play, task: 'Write manifest', durationMs: 900 },
    { type: 'task_start', ts: ts(), play, task: 'Restart kubelet', module: 'command', hosts: ['node1'], handler: true },
    { type: 'host_result', ts: ts(), play, task: 'Restart kubelet', host: 'node1', status: 'changed', durationMs: 500 },
    { type: 'task_end', ts: ts(), play, task: 'Restart kubelet', durationMs: 500 },
    { type: 'play_end', ts: ts(), play, durationMs: 4600 },
    {
      type: 'recap',
      ts: ts(),
      hosts: {
        node1: stats({ ok: 3, changed: 2 }),
        node2: stats({ ok: 1, changed: 1, skipped: 1 }),
        node3: stats({ failed: 1, ignored: 1 }),
        node4: stats({ unreachable: 1 }),
      },
      exitCode: 6,
      durationMs: 4700,
    },
  ];
}

/** A writable stream that remembers what was written (isTTY settable, like a terminal's). */
export class Capture extends Writable {
  text = '';
  isTTY = false;
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: (e?: Error | null) => void): void {
    this.text += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    done();
  }
  lines(): string[] {
    return this.text.split('\n');
  }
}

/** A reporter that records the events it receives (optionally throwing on one type). */
export class Recorder implements Reporter {
  readonly events: RunEvent[] = [];
  constructor(readonly name = 'recorder') {}
  handle(e: RunEvent): void {
    this.events.push(e);
  }
}
