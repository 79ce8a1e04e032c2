// `ringmaster lab`: the disposable multi-host etcd lab (up, down, status, run, exec, fail, heal).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { EXIT, RingError } from '../errors/index.js';
import { labDown } from '../lab/down.js';
import { runInClient, upLab } from '../lab/enter.js';
import { FAULT_MODES, isFaultMode, labFail, labHeal } from '../lab/fault.js';
import { CLEAN_ENV, hostNsenter } from '../lab/hosts.js';
import { checkLabName, DEFAULT_LAB, findHost } from '../lab/spec.js';
import { sshConfigPath } from '../lab/ssh-files.js';
import { specOf } from '../lab/state.js';
import { defaultEtcdLine } from '../lab/etcd-versions.js';
import { formatStatus, labStatus } from '../lab/status.js';
import { labUp } from '../lab/up.js';
import { packageRoot } from '../paths.js';
import type { CliIO, CommandDef } from './types.js';

const HELP = `ringmaster lab: a disposable etcd lab on this machine (root; Linux namespaces, real sshd and etcd)

Usage:
  ringmaster lab up [--name NAME] [--flavor kubeadm|rke|systemd] [--host-etcd-tools on|off] [--nodes 3|5] [--tls on|off] [--etcd-version V [--upgrade-from V]] [--install] [--keep-on-failure]
  ringmaster lab status [--name NAME] [--output json]
  ringmaster lab run [--name NAME] -- CMD...     run CMD inside the lab's client namespace
  ringmaster lab exec [--name NAME] HOST -- CMD...   admin back door: run CMD inside a lab host (node1.., bastion)
  ringmaster lab fail [--name NAME] NODE --mode MODE
  ringmaster lab heal [--name NAME] NODE [--timeout SECONDS]
  ringmaster lab down [--name NAME]

The lab: a client namespace without a default route (where ringmaster runs), a bastion, and N etcd nodes
reachable only through the bastion. Each node has its own sshd, hostname, PID namespace and private /etc,
/var, /root and /tmp; with flavour kubeadm its own containerd (CRI) and crictl, kubeadm's PKI layout, a
kubeadm-shaped etcd.yaml and a static-pod runner doing kubelet's job over the CRI (etcd as a pod from a
kubeadm-shaped image: \`crictl ps --label io.kubernetes.container.name=etcd\`, \`crictl exec ID etcdctl ...\`,
\`static-pods ps\` and \`static-pods logs etcd\` on the node); or, with --flavor rke, its own dockerd (Debian's docker.io) running RKE1's \`etcd\`
container, RKE's certificates in /etc/kubernetes/ssl and no etcdctl on the host (\`docker exec etcd etcdctl ...\`);
or, with --flavor systemd, kubespray's host mode under systemd as the node's init (etcd.service with
EnvironmentFile=/etc/etcd.env, certificates in /etc/ssl/etcd/ssl, \`systemctl\`/\`journalctl -u etcd\` on the node).
Files: /var/lib/ringmaster/labs/NAME/ (inventory.yml, ssh_config, known_hosts, id_ed25519, state.json).
\`ringmaster run -i /var/lib/ringmaster/labs/NAME/inventory.yml ...\` enters the lab by itself.

Options:
  --name NAME        lab name (default ${DEFAULT_LAB}); labs with different names coexist
  --flavor F         kubeadm (default: a static pod under containerd, run over the CRI), rke (a dockerd per node,
                     etcd in RKE's container; needs a built etcd, 3.5+, and TLS) or systemd (kubespray's host mode
                     under a real systemd; TLS)
  --host-etcd-tools on|off
                     kubeadm: etcd, etcdctl and etcdutl on each node's PATH (default on); off: only in etcd's
                     image, as on most kubeadm nodes (the inventory then says etcdctl_via: crictl)
  --nodes 3|5        etcd nodes (default 3)
  --tls on|off       TLS between and to etcd members (default on)
  --etcd-version V   etcd line (3.4, 3.5, 3.6, 3.7) or exact release (3.6.16) every node runs (default
                     ${defaultEtcdLine()}); 3.4 is Debian's 3.4.23, 3.5+ are built once by \`bash scripts/build-etcd.sh V\`
                     (pins and the default: scripts/etcd-versions.txt)
  --upgrade-from V   make the cluster on V (the previous minor), then upgrade every node but the last to
                     --etcd-version one at a time: a mixed-version cluster, as a rolling upgrade leaves it halfway
  --install          install missing Debian packages with apt-get (without starting system services)
  --keep-on-failure  keep a half-built lab for inspection (then \`lab down\` removes it)
  --output json      machine-readable status

Fault modes (lab fail NODE --mode MODE; lab heal NODE undoes every fault of NODE):
${Object.entries(FAULT_MODES).map(([m, d]) => `  ${m.padEnd(10)} ${d}`).join('\n')}
`;

/** Parsed `lab` argv: the sub-command, its positional words, flags, and what follows `--`. */
interface LabArgs {
  sub: string;
  words: string[];
  flags: Map<string, string>;
  rest: string[];
}

const VALUE_FLAGS = new Set(['--name', '--flavor', '--host-etcd-tools', '--nodes', '--tls', '--etcd-version', '--upgrade-from', '--mode', '--output', '--timeout']);
const BOOL_FLAGS = new Set(['--install', '--keep-on-failure']);

function parse(argv: string[]): LabArgs {
  const dash = argv.indexOf('--');
  const head = dash >= 0 ? argv.slice(0, dash) : argv;
  const rest = dash >= 0 ? argv.slice(dash + 1) : [];
  const [sub, ...tail] = head;
  const flags = new Map<string, string>();
  const words: string[] = [];
  for (let i = 0; i < tail.length; i++) {
    const [k, inline] = tail[i].split(/=(.*)/s, 2);
    if (VALUE_FLAGS.has(k)) {
      const v = inline ?? tail[++i];
      if (v === undefined) throw new RingError('E_USAGE', `${k} needs a value`);
      flags.set(k, v);
    } else if (BOOL_FLAGS.has(k)) flags.set(k, 'true');
    else if (k.startsWith('-')) throw new RingError('E_USAGE', `unknown option ${k} for \`lab ${sub}\``, { hint: 'run `ringmaster lab --help`' });
    else words.push(tail[i]);
  }
  if (!sub) throw new RingError('E_USAGE', 'lab needs a sub-command: up, status, run, exec, fail, heal or down', { hint: 'run `ringmaster lab --help`' });
  return { sub, words, flags, rest };
}

function oneOf(flag: string, value: string | undefined, allowed: string[], dflt: string): string {
  const v = value ?? dflt;
  if (!allowed.includes(v)) throw new RingError('E_USAGE', `${flag} must be one of ${allowed.join(', ')} (got '${v}')`);
  return v;
}

function secs(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

async function up(a: LabArgs, name: string, io: CliIO): Promise<number> {
  const r = await labUp({
    name,
    flavor: a.flags.get('--flavor'),
    hostEtcdTools: a.flags.has('--host-etcd-tools') ? oneOf('--host-etcd-tools', a.flags.get('--host-etcd-tools'), ['on', 'off'], 'on') === 'on' : undefined,
    nodes: Number(oneOf('--nodes', a.flags.get('--nodes'), ['3', '5'], '3')),
    tls: oneOf('--tls', a.flags.get('--tls'), ['on', 'off'], 'on') === 'on',
    etcdVersion: a.flags.get('--etcd-version'),
    upgradeFrom: a.flags.get('--upgrade-from'),
    install: a.flags.has('--install'),
    keepOnFailure: a.flags.has('--keep-on-failure'),
    log: (line) => io.stderr.write(`lab: ${line}\n`),
  });
  const behind = Object.entries(r.spec.nodeVersions ?? {}).map(([n, v]) => `, ${n} still on ${v}`).join('');
  io.stdout.write(`lab ${name} is up (${r.spec.flavor}): ${r.spec.nodes} etcd ${r.spec.etcdVersion} members healthy${behind} (TLS ${r.spec.tls ? 'on' : 'off'})
  ${r.imageBuildMs !== undefined ? `image packed in ${secs(r.imageBuildMs)}, ` : ''}built in ${secs(r.builtMs)}, healthy after ${secs(r.healthyMs)}, ready after ${secs(r.totalMs)}; memory ${r.memoryMb} MiB
  inventory:  ${r.inventory}
  ssh:        ringmaster lab run --name ${name} -- ssh -F ${sshConfigPath(r.spec)} node1
  playbooks:  ringmaster run PLAYBOOK -i ${r.inventory}
  remove:     ringmaster lab down --name ${name}
`);
  return EXIT.ok;
}

function ringmasterArgv(cmd: string[]): string[] {
  // Inside the client namespace `ringmaster` may not be on PATH: run this very installation instead.
  return cmd[0] === 'ringmaster' ? [process.execPath, join(packageRoot(), 'bin', 'ringmaster.js'), ...cmd.slice(1)] : cmd;
}

function execInHost(name: string, host: string, cmd: string[]): Promise<number> {
  const state = upLab(name);
  findHost(specOf(state), host);
  const env = Object.entries(CLEAN_ENV).map(([k, v]) => `${k}=${v}`);
  return new Promise((resolve, reject) => {
    const child = spawn('nsenter', [...hostNsenter(state, host), '/usr/bin/env', '-i', ...env, ...cmd], { stdio: 'inherit' });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

function needCommand(a: LabArgs): string[] {
  if (a.rest.length === 0) throw new RingError('E_USAGE', `lab ${a.sub} needs a command after \`--\``, { hint: `e.g. \`ringmaster lab ${a.sub}${a.sub === 'exec' ? ' node1' : ''} -- hostname\`` });
  return a.rest;
}

function needNode(a: LabArgs): string {
  if (a.words.length !== 1) throw new RingError('E_USAGE', `lab ${a.sub} needs exactly one host name (node1, node2, ... or bastion)`);
  return a.words[0];
}

export const labCommand: CommandDef = {
  name: 'lab',
  summary: 'build, inspect, break and remove a local etcd lab (namespaces, sshd, etcd)',
  help: HELP,
  async run(argv, io) {
    const a = parse(argv);
    const name = checkLabName(a.flags.get('--name') ?? DEFAULT_LAB);
    switch (a.sub) {
      case 'up':
        return up(a, name, io);
      case 'down': {
        const r = await labDown(name);
        io.stdout.write(r.existed ? `lab ${name} removed in ${secs(r.ms)} (${r.killed} processes, ${r.netns} namespaces)\n` : `lab ${name} does not exist; nothing to remove\n`);
        return EXIT.ok;
      }
      case 'status': {
        const json = oneOf('--output', a.flags.get('--output'), ['json', 'text'], 'text') === 'json';
        const s = await labStatus(upLab(name));
        io.stdout.write(json ? `${JSON.stringify(s, null, 2)}\n` : formatStatus(s));
        return s.nodes.every((n) => n.healthy) ? EXIT.ok : EXIT.failed;
      }
      case 'run':
        return runInClient(upLab(name), ringmasterArgv(needCommand(a)), io.cwd);
      case 'exec':
        return execInHost(name, needNode(a), needCommand(a));
      case 'fail': {
        const node = needNode(a);
        const mode = a.flags.get('--mode') ?? '';
        if (!isFaultMode(mode)) throw new RingError('E_USAGE', `--mode must be one of ${Object.keys(FAULT_MODES).join(', ')}`, { hint: 'see `ringmaster lab --help` for what each mode does' });
        await labFail(upLab(name), node, mode);
        io.stdout.write(`${node}: ${mode} injected (${FAULT_MODES[mode].split('. heal:')[0]}); undo with \`ringmaster lab heal ${node}\`\n`);
        return EXIT.ok;
      }
      case 'heal': {
        const node = needNode(a);
        const r = await labHeal(upLab(name), node, Number(a.flags.get('--timeout') ?? 60) * 1000);
        if (r.healed.length) io.stdout.write(`${node}: healed ${r.healed.join(', ')}\n`);
        for (const n of r.notRestored) io.stdout.write(`${node}: ${n.mode} not undone, the node was repaired since the fault: ${n.why}; nothing to restore\n`);
        if (!r.healed.length && !r.notRestored.length) io.stdout.write(`${node}: no fault to heal\n`);
        return EXIT.ok;
      }
      default:
        throw new RingError('E_USAGE', `unknown lab sub-command '${a.sub}'`, { hint: 'use up, status, run, exec, fail, heal or down' });
    }
  },
};
