// The SSH fleet of cases 1–3: a bastion and up to 50 targets (OpenSSH on 127.0.77.x, clean ~/.bashrc), with the
// inventories, ssh_config, known_hosts and ansible.cfg files both tools use; stopped by PID.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { keygen, startSshd, type KeyPair, type Sshd } from '../test/helpers/sshd.js';
import { sshVars } from './ssh-overhead.js';

/** Loopback only: the bench never reaches outside 127.0.0.0/8 from the root namespace. */
const NET = '127.0.77';

/** Running servers and the files that reach them. */
export interface Fleet {
  dir: string;
  key: KeyPair;
  knownHosts: string;
  /** OpenSSH client config for Ansible (keys, known_hosts, strict checking, the bastion alias). */
  sshConfig: string;
  bastion: Sshd;
  targets: Sshd[];
}

/** One benchmark case's hosts: `bench` group members, optionally reached through the bastion. */
export interface HostSet {
  name: string;
  count: number;
  viaBastion: boolean;
}

/** Starts the bastion (AllowTcpForwarding yes) and `count` targets, all with one host key; stops what started on failure. */
export async function startFleet(dir: string, count: number): Promise<Fleet> {
  const key = keygen(join(dir, 'id_ed25519'));
  const hostKey = keygen(join(dir, 'host_key'));
  const started: Sshd[] = [];
  try {
    const common = { authorizedKeys: [key.publicText], hostKey };
    started.push(await startSshd({ ...common, dir: join(dir, 'sshd-bastion'), address: `${NET}.1`, extra: ['AllowTcpForwarding yes'] }));
    for (let i = 0; i < count; i++) {
      started.push(await startSshd({ ...common, dir: join(dir, `sshd-${i + 1}`), address: `${NET}.${11 + i}`, extra: ['AllowTcpForwarding no'] }));
    }
    const [bastion, ...targets] = started;
    const knownHosts = join(dir, 'known_hosts');
    writeFileSync(knownHosts, started.map((s) => s.knownHostsLine()).join('\n') + '\n');
    const sshConfig = join(dir, 'ssh_config');
    writeFileSync(sshConfig, [
      '# bench: OpenSSH config for ansible-playbook (specific hosts first: the first value found wins)',
      'Host bench-bastion', `  HostName ${bastion.address}`, `  Port ${bastion.port}`,
      'Host *', '  User root', `  IdentityFile ${key.privatePath}`, '  IdentitiesOnly yes',
      `  UserKnownHostsFile ${knownHosts}`, '  GlobalKnownHostsFile /dev/null', '  StrictHostKeyChecking yes',
      '  BatchMode yes', '  ConnectTimeout 10', '  LogLevel ERROR', '',
    ].join('\n'));
    return { dir, key, knownHosts, sshConfig, bastion, targets };
  } catch (e) {
    for (const s of started) s.stop();
    throw e;
  }
}

/** Stops every server of the fleet (by PID; connection children first). */
export function stopFleet(f: Fleet | undefined): void {
  if (!f) return;
  for (const s of [...f.targets, f.bastion]) s.stop();
}

function hostName(i: number): string {
  return `t${String(i + 1).padStart(2, '0')}`;
}

/** ringmaster's inventory for a host set: the bastion is an inventory host the targets jump through. */
export function ringmasterInventory(f: Fleet, set: HostSet): Record<string, unknown> {
  const hosts: Record<string, unknown> = {};
  for (let i = 0; i < set.count; i++) {
    hosts[hostName(i)] = sshVars(f.targets[i], f.key, f.knownHosts, set.viaBastion ? { ringmaster_proxy_jump: 'bastion' } : {});
  }
  return { all: { children: { bench: { hosts }, bastions: { hosts: { bastion: sshVars(f.bastion, f.key, f.knownHosts) } } } } };
}

/** Ansible's inventory for the same hosts: OpenSSH reads the bench ssh_config (-F), ProxyJump via its alias. */
export function ansibleInventory(f: Fleet, set: HostSet): Record<string, unknown> {
  const hosts: Record<string, unknown> = {};
  for (let i = 0; i < set.count; i++) {
    const t = f.targets[i];
    const jump = set.viaBastion ? ' -o ProxyJump=bench-bastion' : '';
    hosts[hostName(i)] = { ansible_host: t.address, ansible_port: t.port, ansible_ssh_common_args: `-F ${f.sshConfig}${jump}` };
  }
  return {
    all: {
      vars: { ansible_user: 'root', ansible_ssh_private_key_file: f.key.privatePath, ansible_python_interpreter: '/usr/bin/python3' },
      children: { bench: { hosts } },
    },
  };
}

/** Writes both inventories of a host set; returns their paths. */
export function writeInventories(f: Fleet, set: HostSet): { ringmaster: string; ansible: string } {
  const ringmaster = join(f.dir, `rm-${set.name}.yml`);
  const ansible = join(f.dir, `ans-${set.name}.yml`);
  writeFileSync(ringmaster, stringify(ringmasterInventory(f, set)));
  writeFileSync(ansible, stringify(ansibleInventory(f, set)));
  return { ringmaster, ansible };
}

/** A playbook both tools run unchanged: `tasks` × `command: "true"` on the `bench` group, no fact gathering. */
export function trueTasksPlaybook(tasks: number): string {
  const lines = ['# bench: the same playbook for ringmaster and ansible-playbook', '- name: bench', '  hosts: bench', '  gather_facts: false', '  tasks:'];
  for (let i = 1; i <= tasks; i++) lines.push(`    - name: true ${i}`, '      command: "true"');
  return lines.join('\n') + '\n';
}
