// gather_facts: true — one command per host collects hostname, OS and kernel into `ansible_facts`.
import type { TaskNode } from '../load/model.js';
import type { AnyModule } from './context.js';

const SCRIPT = 'uname -n; uname -s; uname -r; uname -m; (. /etc/os-release 2>/dev/null && echo "${ID:-unknown}") || echo unknown';

/** The engine's own fact module (not in the registry: plays ask for it with `gather_facts: true`). */
export const GATHER_FACTS: AnyModule = {
  name: 'gather_facts',
  description: 'Collect the host name, OS, kernel and architecture into ansible_facts.',
  schema: 'modules/gather_facts.json',
  supportsCheckMode: true,
  idempotent: true,
  example: '- hosts: etcd\n  gather_facts: true',
  async run(ctx) {
    const r = await ctx.exec(SCRIPT, { timeoutMs: ctx.timeoutMs ?? 30_000 });
    if (r.code !== 0) return { changed: false, failed: true, msg: `cannot gather facts: ${r.stderr.trim()}`, rc: r.code };
    const [hostname, system, kernel, architecture, distribution] = r.stdout.split('\n').map((l) => l.trim());
    const facts = { hostname, system, kernel, architecture, distribution };
    return {
      changed: false,
      ansible_facts: facts,
      facts: {
        ansible_facts: facts,
        ansible_hostname: hostname,
        ansible_system: system,
        ansible_kernel: kernel,
        ansible_architecture: architecture,
        ansible_distribution: distribution,
      },
    };
  },
};

/** The synthetic task a play runs first when it gathers facts. */
export function gatherTask(playLoc: TaskNode['loc']): TaskNode {
  return { kind: 'task', name: 'Gathering Facts', module: 'gather_facts', args: {}, loc: playLoc };
}
