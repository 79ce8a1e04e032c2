// Checks (and with --install, installs) what the lab needs: root, kernel features and Debian binaries.
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RingError } from '../errors/index.js';
import { packageRoot } from '../paths.js';
import { DEFAULT_FLAVOR, type LabFlavor } from './flavor.js';
import { CRI_TOOLS_BIN } from './kubeadm-image.js';
import { run } from './proc.js';

/** Each binary the lab runs, with the Debian package that ships it. */
const BINARIES: ReadonlyArray<[string, string]> = [
  ['/usr/sbin/ip', 'iproute2'],
  ['/usr/bin/unshare', 'util-linux'],
  ['/usr/bin/nsenter', 'util-linux'],
  ['/usr/bin/openssl', 'openssl'],
  ['/usr/sbin/sshd', 'openssh-server'],
  ['/usr/bin/ssh', 'openssh-client'],
  ['/usr/bin/ssh-keygen', 'openssh-client'],
  ['/usr/bin/etcd', 'etcd-server'],
  ['/usr/bin/etcdctl', 'etcd-client'],
];

/**
 * What a flavour needs on top: kubeadm's containerd (with ctr for image imports) and the static shell of its etcd
 * image; the rke flavour's real engine (docker.io brings containerd and runc).
 */
const FLAVOR_BINARIES: Partial<Record<LabFlavor, ReadonlyArray<[string, string]>>> = {
  systemd: [['/lib/systemd/systemd', 'systemd'], ['/usr/bin/systemd-machine-id-setup', 'systemd']],
  kubeadm: [['/usr/bin/containerd', 'containerd'], ['/usr/bin/ctr', 'containerd'], ['/usr/sbin/runc', 'runc'], ['/bin/bash-static', 'bash-static']],
  rke: [['/usr/sbin/dockerd', 'docker.io'], ['/usr/bin/docker', 'docker.io'], ['/usr/sbin/runc', 'runc'], ['/usr/bin/containerd', 'containerd']],
};

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The Debian packages whose binaries are missing (sorted, unique). */
export function missingPackages(flavor: LabFlavor = DEFAULT_FLAVOR): string[] {
  return [...new Set([...BINARIES, ...(FLAVOR_BINARIES[flavor] ?? [])].filter(([bin]) => !executable(bin)).map(([, pkg]) => pkg))].sort();
}

function kernelProblems(): string[] {
  const problems: string[] = [];
  for (const ns of ['net', 'pid', 'mnt', 'uts']) {
    if (!existsSync(`/proc/self/ns/${ns}`)) problems.push(`the kernel has no ${ns} namespaces`);
  }
  let fs = '';
  try {
    fs = readFileSync('/proc/filesystems', 'utf8');
  } catch {
    problems.push('cannot read /proc/filesystems');
  }
  if (fs && !/\toverlay\n/.test(fs)) problems.push('the kernel has no overlay filesystem (try `modprobe overlay`)');
  if (fs && !/\ttmpfs\n/.test(fs)) problems.push('the kernel has no tmpfs');
  return problems;
}

/** Throws E_LAB_PREREQ for the first unmet prerequisite; with `install`, installs missing packages first. */
export async function checkPrereqs(install: boolean, log: (line: string) => void, flavor: LabFlavor = DEFAULT_FLAVOR): Promise<void> {
  if (process.getuid?.() !== 0) {
    throw new RingError('E_LAB_PREREQ', 'the lab needs root (it creates network namespaces and mounts)', {
      hint: 'run it as root, e.g. `sudo ringmaster lab up`',
    });
  }
  const kernel = kernelProblems();
  if (kernel.length) throw new RingError('E_LAB_PREREQ', `kernel features missing: ${kernel.join('; ')}`);
  let missing = missingPackages(flavor);
  if (missing.length && install) {
    log(`installing Debian packages: ${missing.join(' ')}`);
    const script = join(packageRoot(), 'scripts', 'install-system-deps.sh');
    const r = await run('bash', [script]);
    if (r.code !== 0) throw new RingError('E_LAB_PREREQ', `installing packages failed: ${(r.stderr || r.stdout).trim()}`);
    missing = missingPackages(flavor);
  }
  if (missing.length) {
    throw new RingError('E_LAB_PREREQ', `missing Debian packages: ${missing.join(', ')}`, {
      hint: `run \`apt-get update && apt-get install -y ${missing.join(' ')}\` (or \`ringmaster lab up --install\`)`,
    });
  }
  if (flavor === 'kubeadm') {
    const absent = ['crictl', 'pause'].filter((b) => !executable(join(CRI_TOOLS_BIN, b)));
    if (absent.length) {
      throw new RingError('E_LAB_PREREQ', `the kubeadm flavour needs ${absent.join(' and ')} in ${CRI_TOOLS_BIN}, built from Go modules`, {
        hint: 'run `bash scripts/build-cri-tools.sh` (or `bash scripts/setup.sh`)',
      });
    }
  }
}
