// The lab network: namespaces, veth pairs created directly inside them, a bridge for the nodes, and safety checks.
import { existsSync } from 'node:fs';
import { RingError } from '../errors/index.js';
import { run, runOk } from './proc.js';
import { allNetns, LAB_SUBNETS, type LabSpec } from './spec.js';
import { writeState, type LabState } from './state.js';

async function ipBatch(netns: string | undefined, lines: string[], what: string): Promise<void> {
  const args = netns ? ['-n', netns, '-batch', '-'] : ['-batch', '-'];
  await runOk('ip', args, what, { input: `${lines.join('\n')}\n` });
}

/**
 * Builds: client(eth0) ── bastion(eth0 | eth1) ── br0 in the bridge namespace ── node_k(eth0).
 * Veth ends are created in their target namespaces, so no lab interface ever exists in the root namespace.
 */
export async function buildNetwork(spec: LabSpec, state: LabState): Promise<void> {
  for (const ns of allNetns(spec)) {
    state.netns.push(ns);
    writeState(state);
    await runOk('ip', ['netns', 'add', ns], `creating network namespace ${ns}`);
  }
  const b = spec.bastion;
  const pairs = [
    `link add eth0 netns ${spec.clientNetns} type veth peer name eth0 netns ${b.netns}`,
    `link add eth1 netns ${b.netns} type veth peer name ${b.bridgePort} netns ${spec.bridgeNetns}`,
    ...spec.etcdNodes.map((n) => `link add eth0 netns ${n.netns} type veth peer name ${n.bridgePort} netns ${spec.bridgeNetns}`),
  ];
  await ipBatch(undefined, pairs, 'creating the lab veth pairs');
  await Promise.all([
    ipBatch(spec.clientNetns, ['link set lo up', `addr add ${spec.clientAddress}/24 dev eth0`, 'link set eth0 up'], 'client network'),
    ipBatch(b.netns, ['link set lo up', `addr add ${b.address}/24 dev eth0`, 'link set eth0 up',
      `addr add ${b.innerAddress}/24 dev eth1`, 'link set eth1 up'], 'bastion network'),
    ipBatch(spec.bridgeNetns, ['link set lo up', 'link add br0 type bridge', 'link set br0 up',
      ...[b, ...spec.etcdNodes].flatMap((h) => [`link set ${h.bridgePort} master br0`, `link set ${h.bridgePort} up`])], 'lab bridge'),
    ...spec.etcdNodes.map((n) => ipBatch(n.netns, ['link set lo up', `addr add ${n.address}/24 dev eth0`, 'link set eth0 up'], `${n.name} network`)),
  ]);
  // The bastion must never route between its sides: the client reaches nodes only through sshd forwarding.
  await runOk('ip', ['netns', 'exec', b.netns, 'sysctl', '-q', '-w', 'net.ipv4.ip_forward=0'], 'disabling forwarding on the bastion');
}

/** Aborts if any lab namespace has a default route or the root namespace carries a lab address. */
export async function checkIsolation(spec: LabSpec): Promise<void> {
  for (const ns of allNetns(spec)) {
    for (const family of ['-4', '-6']) {
      const r = await runOk('ip', ['-n', ns, family, 'route', 'show', 'default'], `reading routes of ${ns}`);
      if (r.stdout.trim()) {
        throw new RingError('E_GUARD', `lab namespace ${ns} has a default route (${r.stdout.trim()}); the lab must be isolated`);
      }
    }
  }
  const root = await run('ip', ['-o', 'addr', 'show']);
  const prefixes = LAB_SUBNETS.map((s) => s.replace(/\.0\/24$/, '.'));
  const leaked = root.stdout.split('\n').filter((l) => prefixes.some((p) => l.includes(` ${p}`)));
  if (leaked.length) {
    throw new RingError('E_GUARD', `the root network namespace carries a lab address: ${leaked[0].trim()}`, {
      hint: 'remove that address or interface; the lab never puts its addresses in the root namespace',
    });
  }
}

/** Sets a node's bridge port down (partition) or up (heal). */
export async function setBridgePort(spec: LabSpec, port: string, up: boolean): Promise<void> {
  await runOk('ip', ['-n', spec.bridgeNetns, 'link', 'set', port, up ? 'up' : 'down'], `setting bridge port ${port} ${up ? 'up' : 'down'}`);
}

/** Removes the lab's namespaces (only the recorded ones); missing ones are fine (idempotent). */
export async function removeNetns(names: string[]): Promise<void> {
  const existing = new Set((await run('ip', ['netns', 'list'])).stdout.split('\n').map((l) => l.split(' ')[0]));
  for (const ns of names) {
    if (!existing.has(ns)) continue;
    const r = await run('ip', ['netns', 'delete', ns]);
    if (r.code !== 0 && existsSync(`/run/netns/${ns}`)) throw new RingError('E_LAB', `deleting network namespace ${ns} failed: ${r.stderr.trim()}`);
  }
}
