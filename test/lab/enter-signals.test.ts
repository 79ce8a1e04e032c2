// `ringmaster run` re-run inside a lab's client namespace: signals reach the inner run, the outer waits for it and
// exits with its code, and an inner run whose outer process died stops itself. Needs root (nsenter), not a lab:
// the "client namespace" here is a holder process in our own namespaces.
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { procRef } from '../../engine/lab/proc.js';
import type { LabState } from '../../engine/lab/state.js';

const helpers = join(dirname(fileURLToPath(import.meta.url)), '..', 'helpers');

interface Started {
  outer: ChildProcess;
  out: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  inner: Promise<{ pid: number; ppid: number }>;
}

/** Inner PIDs seen, so a failing test leaves no process behind (killed by PID in afterEach). */
const seen = new Set<number>();

function startOuter(state: LabState): Started {
  const outer = spawn(process.execPath, [join(helpers, 'enter-outer.js'), JSON.stringify(state), join(helpers, 'enter-inner.js')], { stdio: ['ignore', 'pipe', 'inherit'] });
  let text = '';
  let found: (v: { pid: number; ppid: number }) => void;
  const inner = new Promise<{ pid: number; ppid: number }>((r) => (found = r));
  outer.stdout!.on('data', (d: Buffer) => {
    text += d.toString();
    const m = /inner: (\{.*\})\n/.exec(text);
    if (m) {
      const v = JSON.parse(m[1]) as { pid: number; ppid: number };
      seen.add(v.pid);
      found(v);
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => outer.on('exit', (code, signal) => r({ code, signal })));
  return { outer, out: () => text, exited, inner };
}

const alive = (pid: number) => existsSync(`/proc/${pid}`) && !/\) Z/.test(readStat(pid));
function readStat(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return ') Z';
  }
}
async function waitGone(pid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (alive(pid) && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
  return !alive(pid);
}

describe('lab: signals reach the run inside the lab namespace', function () {
  this.timeout(20000);
  let holder: ChildProcess;
  let state: LabState;

  before(function () {
    if (process.getuid?.() !== 0) this.skip(); // nsenter needs root
    holder = spawn('sleep', ['infinity'], { stdio: 'ignore' });
    state = { version: 1, name: 'sig', nodes: 3, tls: false, phase: 'up', createdAt: '', netns: [], procs: { client: procRef(holder.pid!)! }, inits: {}, faults: {} };
  });
  afterEach(() => {
    for (const pid of seen) if (alive(pid)) process.kill(pid, 'SIGKILL');
    seen.clear();
  });
  after(() => {
    if (holder?.pid) process.kill(holder.pid, 'SIGKILL');
  });

  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    it(`passes ${sig} on to the inner node process itself, waits for its clean-up and exits with its code`, async () => {
      const s = startOuter(state);
      const inner = await s.inner;
      expect(inner.ppid, 'nsenter execs the inner run: its parent is the outer process').to.equal(s.outer.pid);
      s.outer.kill(sig);
      const { code } = await s.exited;
      expect(code).to.equal(8);
      expect(s.out()).to.contain(`inner: aborted: ${sig}\ninner: cleaned up\nouter: inner exited 8\n`);
      expect(await waitGone(inner.pid, 2000)).to.equal(true);
    });
  }

  it('an inner run whose outer process was killed (SIGKILL) notices and stops itself', async () => {
    const s = startOuter(state);
    const inner = await s.inner;
    s.outer.kill('SIGKILL');
    await s.exited;
    expect(await waitGone(inner.pid, 3000)).to.equal(true);
    expect(s.out()).to.match(/inner: aborted: the end of the ringmaster process that started this run \(PID \d+\)\ninner: cleaned up\n/);
  });
});
