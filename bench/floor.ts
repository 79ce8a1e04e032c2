// The floor the bench compares ringmaster to: bare ssh2 exec('true') on already open connections, one host or many.
import { measureExecs, newBenchConnector, sshVars } from './ssh-overhead.js';
import type { Fleet } from './fleet.js';
import type { Connection } from '../engine/connection/types.js';

/** Median-ready samples (ms) of the floor for each way cases 1–3 reach their hosts. */
export interface FloorSamples {
  /** One exec on one open connection, direct (case 2). */
  direct: number[];
  /** One exec on one open connection through the bastion (case 1). */
  bastion: number[];
  /** One exec on each of `hosts` open connections, `forks` at a time: one task round of case 3, keyed by host count. */
  fanout: Record<string, number[]>;
}

/** Runs `fn` over `items`, at most `limit` at once. */
async function pool<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Times `rounds` rounds of exec('true') on the first `hosts` targets (connections opened and warmed first). */
export async function measureFanout(f: Fleet, hosts: number, forks: number, rounds: number): Promise<number[]> {
  const c = newBenchConnector(f.dir);
  try {
    const conns: Connection[] = [];
    for (let i = 0; i < hosts; i++) conns.push(await c.connect(`t${i}`, sshVars(f.targets[i], f.key, f.knownHosts)));
    const once = async () => pool(conns, forks, async (conn) => {
      const r = await conn.exec('true');
      if (r.code !== 0) throw new Error(`floor exec failed: ${JSON.stringify(r)}`);
    });
    for (let i = 0; i < 3; i++) await once(); // warm-up
    const times: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const t0 = performance.now();
      await once();
      times.push(performance.now() - t0);
    }
    return times;
  } finally {
    await c.closeAll();
  }
}

/** The whole floor, measured in the same bench run as the tools. */
export async function measureFloor(f: Fleet, fanouts: Array<{ hosts: number; forks: number }>, execs: number): Promise<FloorSamples> {
  const vars = sshVars(f.targets[0], f.key, f.knownHosts);
  const direct = await measureExecs(f.dir, vars, execs);
  const bastion = await measureExecs(f.dir, { ...vars, ringmaster_proxy_jump: `root@${f.bastion.address}:${f.bastion.port}` }, execs);
  const fanout: Record<string, number[]> = {};
  for (const { hosts, forks } of fanouts) fanout[String(hosts)] = await measureFanout(f, hosts, forks, Math.max(10, Math.floor(execs / 10)));
  return { direct, bastion, fanout };
}
