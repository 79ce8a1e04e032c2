// The recap sentence that explains an exit code, and the unified diff used by --diff.
import { expect } from 'chai';
import { describeExit, unifiedDiff } from '../../engine/report/index.js';
import type { Recap } from '../../engine/report/events.js';

const zero = { ok: 0, changed: 0, failed: 0, skipped: 0, unreachable: 0, rescued: 0, ignored: 0 };
const recap = (exitCode: number, hosts: Recap['hosts'] = {}, aborted?: string): Recap => ({ type: 'recap', ts: '', hosts, exitCode, durationMs: 1, aborted });

describe('report/recap', () => {
  it('says a clean run succeeded everywhere', () => {
    expect(describeExit(recap(0, { a: { ...zero, ok: 2 } }))).to.equal('exit 0: every task succeeded on every host');
  });
  it('names the hosts a task failed on', () => {
    expect(describeExit(recap(2, { node1: { ...zero, ok: 1 }, node3: { ...zero, failed: 1 }, node2: { ...zero, failed: 2 } }))).to.equal('exit 2: a task failed on node2, node3');
  });
  it('combines the bits of the exit code, unreachable hosts and the guard\'s reason', () => {
    const hosts = { n4: { ...zero, unreachable: 1 }, n5: { ...zero, unreachable: 1 } };
    expect(describeExit(recap(12, hosts, 'removing node2 would lose quorum'))).to.equal('exit 12: n4, n5 were unreachable; aborted by a safety guard: removing node2 would lose quorum');
  });
  it('calls 255 an internal error', () => {
    expect(describeExit(recap(255))).to.equal('exit 255: ringmaster hit an internal error');
  });
});

describe('report/diff', () => {
  it('gives separate hunks with three lines of context for distant changes', () => {
    const before = Array.from({ length: 20 }, (_, i) => `l${i + 1}`).join('\n') + '\n';
    const after = before.replace('l2\n', 'L2\n').replace('l18\n', 'L18\n');
    const lines = unifiedDiff({ path: 'f', before, after });
    expect(lines.filter((l) => l.startsWith('@@'))).to.deep.equal(['@@ -1,5 +1,5 @@', '@@ -15,6 +15,6 @@']);
    expect(lines).to.include.members(['-l2', '+L2', '-l18', '+L18']);
  });
  it('shows a new file as all additions and an unchanged file as nothing', () => {
    expect(unifiedDiff({ path: 'f', before: '', after: 'a\nb\n' })).to.deep.equal(['--- before: f', '+++ after: f', '@@ -0,0 +1,2 @@', '+a', '+b']);
    expect(unifiedDiff({ path: 'f', before: 'same\n', after: 'same\n' })).to.deep.equal([]);
  });
});
