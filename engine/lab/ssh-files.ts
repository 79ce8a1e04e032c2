// SSH material of the lab: the client key, one host key per host, sshd_config, known_hosts and an OpenSSH client config.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runOk } from './proc.js';
import { allHosts, type LabHost, type LabSpec } from './spec.js';

/** Files of one host that its init copies into the host's private `/etc/ringmaster-lab`. */
export function hostFilesDir(spec: LabSpec, host: LabHost): string {
  return join(spec.dir, 'hosts', host.name, 'files');
}

export function sshConfigPath(spec: LabSpec): string {
  return join(spec.dir, 'ssh_config');
}

export function knownHostsPath(spec: LabSpec): string {
  return join(spec.dir, 'known_hosts');
}

export function clientKeyPath(spec: LabSpec): string {
  return join(spec.dir, 'id_ed25519');
}

async function keygen(file: string, comment: string): Promise<void> {
  await runOk('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file], `creating SSH key ${file}`);
}

/** sshd's configuration: key-only root login, forwarding for the bastion hop, room for parallel channels. */
export function sshdConfig(): string {
  return `# ringmaster lab sshd (generated)
Port 22
ListenAddress 0.0.0.0
HostKey /etc/ringmaster-lab/ssh_host_ed25519_key
PidFile /run/sshd.pid
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
AuthorizedKeysFile /etc/ringmaster-lab/authorized_keys
UsePAM no
UseDNS no
AllowTcpForwarding yes
AllowAgentForwarding no
X11Forwarding no
PrintMotd no
PrintLastLog no
MaxStartups 200:30:400
MaxSessions 100
LoginGraceTime 30
ClientAliveInterval 15
Subsystem sftp internal-sftp
LogLevel INFO
`;
}

/** Creates every key and the per-host sshd files; returns nothing, everything lands under the lab dir. */
export async function createSshFiles(spec: LabSpec): Promise<void> {
  await keygen(clientKeyPath(spec), `ringmaster-lab-${spec.name}`);
  const pub = readFileSync(`${clientKeyPath(spec)}.pub`, 'utf8');
  await Promise.all(allHosts(spec).map(async (h) => {
    const dir = hostFilesDir(spec, h);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    await keygen(join(dir, 'ssh_host_ed25519_key'), `${h.name}@ringmaster-lab`);
    writeFileSync(join(dir, 'sshd_config'), sshdConfig());
    writeFileSync(join(dir, 'authorized_keys'), pub, { mode: 0o600 });
  }));
  writeFileSync(knownHostsPath(spec), knownHosts(spec), { mode: 0o644 });
  writeFileSync(sshConfigPath(spec), sshClientConfig(spec), { mode: 0o644 });
  writeFileSync(join(spec.dir, 'hosts.txt'), etcHosts(spec));
}

/** Every host's own key under its name and address (strict checking stays on). */
export function knownHosts(spec: LabSpec): string {
  return allHosts(spec).map((h) => {
    const key = readFileSync(join(hostFilesDir(spec, h), 'ssh_host_ed25519_key.pub'), 'utf8').trim().split(' ');
    return `${h.name},${h.address} ${key[0]} ${key[1]}\n`;
  }).join('');
}

/** `ssh -F <lab>/ssh_config node1` works from the client namespace; nodes go through the bastion. */
export function sshClientConfig(spec: LabSpec): string {
  const b = spec.bastion;
  const hosts = [`Host ${b.name} ${b.address}\n  HostName ${b.address}\n`,
    ...spec.etcdNodes.map((n) => `Host ${n.name} ${n.address}\n  HostName ${n.address}\n  ProxyJump ${b.name}\n`)];
  return `# ringmaster lab ${spec.name}: use from inside the lab's client namespace (\`ringmaster lab run -- ssh -F ${sshConfigPath(spec)} node1\`)
${hosts.join('')}Host *
  User root
  IdentityFile ${clientKeyPath(spec)}
  IdentitiesOnly yes
  UserKnownHostsFile ${knownHostsPath(spec)}
  GlobalKnownHostsFile /dev/null
  StrictHostKeyChecking yes
  BatchMode yes
  ConnectTimeout 5
  LogLevel ERROR
`;
}

/** `/etc/hosts` of every lab host: lab names resolve without DNS. */
export function etcHosts(spec: LabSpec): string {
  return `127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n${spec.bastion.innerAddress} ${spec.bastion.name}\n${
    spec.etcdNodes.map((n) => `${n.address} ${n.name}\n`).join('')}`;
}
