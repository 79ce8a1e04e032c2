// Benchmark: per-task overhead of exec('true') on a reused SSH connection (direct, via one bastion) and set-up time.
// Run: npm run build && node dist/bench/ssh-overhead.js   (starts its own sshds on 127.0.0.0/8, stops them by PID)
// bench/main.ts reuses measureExecs/sshVars/newBenchConnector for the floor of `npm run bench`.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SshConnector } from '../engine/connection/ssh/connector.js';
import { keygen, removeDir, startSshd, workDir, type KeyPair, type Sshd } from '../test/helpers/sshd.js';

const EXECS = Number(process.env.BENCH_EXECS ?? 200);
const SETUPS = Number(process.env.BENCH_SETUPS ?? 10);

function stats(ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  const pct = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return `mean ${mean.toFixed(2)} ms, median ${pct(0.5).toFixed(2)} ms, p95 ${pct(0.95).toFixed(2)} ms (n=${s.length})`;
}

/** Inventory-style variables that reach `s` as root with `key`, checking host keys against `knownHosts`. */
export function sshVars(s: Sshd, key: KeyPair, knownHosts: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { ansible_host: s.address, ansible_port: s.port, ansible_user: 'root', ansible_ssh_private_key_file: key.privatePath, ringmaster_known_hosts: knownHosts, ...extra };
}

/** A non-interactive, strict connector whose ~/.ssh is `home` (so the user's own ssh config stays out). */
export function newBenchConnector(home: string): SshConnector {
  return new SshConnector({ hostKeyChecking: 'strict', env: {}, interactive: false, home });
}

/** Connects once, warms up, then times `n` sequential exec('true') on that one connection (ms each). */
export async function measureExecs(home: string, vars: Record<string, unknown>, n: number): Promise<number[]> {
  const c = newBenchConnector(home);
  try {
    const conn = await c.connect('t', vars);
    for (let i = 0; i < 5; i++) await conn.exec('true'); // warm-up
    const times: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      const r = await conn.exec('true');
      times.push(performance.now() - t0);
      if (r.code !== 0) throw new Error(`exec failed: ${JSON.stringify(r)}`);
    }
    return times;
  } finally {
    await c.closeAll();
  }
}

async function main(): Promise<void> {
  const dir = workDir();
  const servers: Sshd[] = [];
  try {
    const key = keygen(join(dir, 'id_ed25519'));
    const hostKey = keygen(join(dir, 'host_key'));
    const authorizedKeys = [key.publicText];
    const bastion = await startSshd({ dir: join(dir, 'b'), address: '127.0.0.21', authorizedKeys, hostKey });
    const target = await startSshd({ dir: join(dir, 't'), address: '127.0.0.22', authorizedKeys, hostKey });
    const heavy = await startSshd({ dir: join(dir, 'h'), address: '127.0.0.23', authorizedKeys, hostKey, hideShellRc: false });
    servers.push(bastion, target, heavy);
    const kh = join(dir, 'known_hosts');
    writeFileSync(kh, servers.map((s) => s.knownHostsLine()).join('\n') + '\n');
    const vars = (s: Sshd, extra: Record<string, unknown> = {}) => sshVars(s, key, kh, extra);
    const viaBastion = { ringmaster_proxy_jump: `root@${bastion.address}:${bastion.port}` };

    for (const [label, v] of [['direct', vars(target)], ['one hop', vars(target, viaBastion)]] as const) {
      const times: number[] = [];
      for (let i = 0; i < SETUPS; i++) {
        const c = newBenchConnector(dir);
        const t0 = performance.now();
        await c.connect('t', v);
        times.push(performance.now() - t0);
        await c.closeAll();
      }
      console.log(`connection set-up, ${label}: ${stats(times)}`);
    }

    for (const [label, v, n] of [['direct', vars(target), EXECS], ['via one bastion', vars(target, viaBastion), EXECS], ['direct, remote ~/.bashrc NOT hidden', vars(heavy), Math.min(EXECS, 30)]] as const) {
      console.log(`exec('true') on a reused connection, ${label}: ${stats(await measureExecs(dir, v, n))}`);
    }
  } finally {
    for (const s of servers) s.stop();
    removeDir(dir);
  }
}

// Only when run as a script: bench/main.ts imports the helpers above.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
