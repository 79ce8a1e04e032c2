// The rke flavour of the lab on a real dockerd per node: built fast, no bridge or iptables rule anywhere, and `lab down`
// leaves no daemon, container, mount, cgroup, namespace or file behind (the host compared before and after).
import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { labCgroupDirs } from '../../engine/lab/cgroups.js';
import { netnsInodes, processesIn } from '../../engine/lab/census.js';
import { labDown } from '../../engine/lab/down.js';
import { imageTarPath } from '../../engine/lab/etcd-image.js';
import { hostShell } from '../../engine/lab/hosts.js';
import { isAlive, run } from '../../engine/lab/proc.js';
import { cgroupParent } from '../../engine/lab/rke.js';
import { LABS_ROOT } from '../../engine/lab/spec.js';
import { readState, specOf, type LabState } from '../../engine/lab/state.js';
import { labUp, type UpReport } from '../../engine/lab/up.js';
import { labAvailable } from '../helpers/lab-gate.js';

const NAME = `rmr${process.pid}`.slice(0, 16);

/** What exists on the real host that an rke lab could leave behind. */
async function hostSnapshot() {
  const netns = (existsSync('/run/netns') ? readdirSync('/run/netns') : []).filter((n) => n.startsWith(`rm-${NAME}-`));
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(`rm-${NAME}-`) || l.includes(LABS_ROOT) || l.includes('/var/lib/docker'));
  const files = existsSync(LABS_ROOT) ? readdirSync(LABS_ROOT).filter((f) => f === NAME) : [];
  const links = (await run('ip', ['-o', 'link', 'show'])).stdout.split('\n').map((l) => l.split(':')[1]?.trim()).filter(Boolean).sort();
  const cgroups = labCgroupDirs([1, 2, 3].map((i) => `ringmaster-lab-${NAME}-node${i}`));
  return { netns, mounts, files, links, cgroups };
}

describe('ringmaster lab --flavor rke (a real dockerd per node) @lab', function () {
  this.timeout(60_000);
  let state: LabState;
  let report: UpReport;
  let initial: Awaited<ReturnType<typeof hostSnapshot>>;

  before(async function () {
    this.timeout(120_000);
    if (!labAvailable()) this.skip();
    await labDown(NAME);
    initial = await hostSnapshot();
    report = await labUp({ name: NAME, nodes: 3, tls: true, flavor: 'rke', install: false, keepOnFailure: false, log: () => undefined });
    state = readState(NAME)!;
  });

  after(async function () {
    this.timeout(30_000);
    await labDown(NAME);
  });

  it('is healthy within 20 s of `lab up` once the image is packed, and reports its memory', () => {
    expect(report.spec.flavor).to.equal('rke');
    expect(report.healthyMs, 'healthy after (ms)').to.be.below(20_000);
    expect(report.memoryMb).to.be.above(50);
    expect(existsSync(imageTarPath(report.spec.etcdVersion)), 'the image archive is cached for the next lab').to.equal(true);
  });

  it('runs one dockerd per node inside the node, with no bridge, no veth and no iptables rule of its own', async () => {
    for (const n of report.spec.etcdNodes) {
      const out = async (script: string) => (await hostShell(state, n.name, script)).stdout.trim();
      const links = (await out("ip -o link show | cut -d: -f2 | cut -d@ -f1")).split('\n').map((l) => l.trim()).sort();
      expect(links, `${n.name}: only the lab's own interfaces`).to.deep.equal(['eth0', 'lo']);
      expect(await out("docker network ls --format '{{.Driver}}' | sort | tr '\\n' ' '"), 'only host and null networks (bridge=none)').to.equal('host null');
      expect(await out("docker info --format '{{.CgroupDriver}} {{.DockerRootDir}}'")).to.equal('cgroupfs /var/lib/docker');
      const nat = await hostShell(state, n.name, 'cat /proc/net/ip_tables_names 2>/dev/null; iptables-save 2>/dev/null | grep -c DOCKER || true');
      expect(nat.stdout, `${n.name}: docker made no iptables chain`).to.not.match(/[1-9]\d*\s*$/);
    }
    const daemons = processesIn(netnsInodes(state.netns)).filter((p) => p.command.startsWith('/usr/sbin/dockerd'));
    expect(new Set(daemons.map((d) => d.netnsInode)).size, 'one dockerd in each node\'s network namespace').to.equal(3);
    expect(daemons).to.have.length(3);
    for (const n of report.spec.etcdNodes) expect(labCgroupDirs([cgroupParent(report.spec, n)]).length, n.name).to.be.above(0);
  });

  it('down removes every daemon, container, mount, cgroup, namespace and file it made, and is idempotent', async () => {
    const inodes = netnsInodes(state.netns);
    const pids = [...Object.values(state.procs), ...Object.values(state.inits)];
    expect(processesIn(inodes).some((p) => p.command.startsWith('/usr/sbin/dockerd'))).to.equal(true);
    expect(specOf(state).flavor).to.equal('rke');
    const r = await labDown(NAME);
    expect(r.existed).to.equal(true);
    expect(pids.filter(isAlive)).to.deep.equal([]);
    expect(processesIn(inodes)).to.deep.equal([]);
    expect(await hostSnapshot()).to.deep.equal(initial);
    expect((await labDown(NAME)).existed).to.equal(false);
  });
});
