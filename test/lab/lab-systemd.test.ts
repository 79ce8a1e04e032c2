// The systemd flavour of the lab: kubespray's host mode under systemd as each node's init (PID 1 of the node's PID
// namespace, in a cgroup namespace rooted at the lab's folder), with the real host's kernel settings out of reach,
// and `lab down` leaving no process, mount, cgroup, namespace or file behind (the host compared before and after).
import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { labCgroupDirs } from '../../engine/lab/cgroups.js';
import { netnsInodes, processesIn } from '../../engine/lab/census.js';
import { labDown } from '../../engine/lab/down.js';
import { hostShell } from '../../engine/lab/hosts.js';
import { isAlive } from '../../engine/lab/proc.js';
import { cgroupParent } from '../../engine/lab/rke.js';
import { LABS_ROOT } from '../../engine/lab/spec.js';
import { readState, specOf, type LabState } from '../../engine/lab/state.js';
import { labUp, type UpReport } from '../../engine/lab/up.js';
import { labAvailable } from '../helpers/lab-gate.js';

const NAME = `rms${process.pid}`.slice(0, 16);
const SYSCTLS = ['fs/nr_open', 'fs/file-max', 'kernel/pid_max', 'kernel/core_pattern', 'net/core/somaxconn', 'fs/inotify/max_user_instances'];

function hostSnapshot() {
  const netns = (existsSync('/run/netns') ? readdirSync('/run/netns') : []).filter((n) => n.startsWith(`rm-${NAME}-`));
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(`rm-${NAME}-`) || l.includes(LABS_ROOT));
  const files = existsSync(LABS_ROOT) ? readdirSync(LABS_ROOT).filter((f) => f === NAME) : [];
  const cgroups = labCgroupDirs([1, 2, 3].map((i) => `ringmaster-lab-${NAME}-node${i}`));
  const sysctls = SYSCTLS.map((k) => `${k}=${readFileSync(`/proc/sys/${k}`, 'utf8').trim()}`);
  return { netns, mounts, files, cgroups, sysctls };
}

describe('ringmaster lab --flavor systemd (kubespray host mode, systemd as the node init) @lab', function () {
  this.timeout(60_000);
  let state: LabState;
  let report: UpReport;
  let initial: ReturnType<typeof hostSnapshot>;
  const sh = async (node: string, script: string) => {
    const r = await hostShell(state, node, script);
    if (r.code !== 0) throw new Error(`${node}: ${script}: exit ${r.code}: ${r.stderr}`);
    return r.stdout.trim();
  };

  before(async function () {
    this.timeout(120_000);
    if (!labAvailable()) this.skip();
    await labDown(NAME);
    initial = hostSnapshot();
    report = await labUp({ name: NAME, nodes: 3, tls: true, flavor: 'systemd', install: false, keepOnFailure: false, log: () => undefined });
    state = readState(NAME)!;
  });

  after(async function () {
    this.timeout(30_000);
    await labDown(NAME);
  });

  it('comes up healthy in seconds, each node booted by systemd with kubespray\'s etcd.service, /etc/etcd.env and certificates', async () => {
    console.log(`      systemd lab: healthy after ${report.healthyMs} ms, ${report.memoryMb} MiB`);
    expect(report.healthyMs).to.be.below(20_000);
    for (const n of specOf(state).etcdNodes) {
      expect(await sh(n.name, 'cat /proc/1/comm; systemctl is-system-running; systemctl is-active etcd')).to.equal('systemd\nrunning\nactive');
      expect(await sh(n.name, 'systemctl show etcd -p EnvironmentFiles -p ExecStart --value | head -c 300')).to.contain('/etc/etcd.env').and.contain('/usr/local/bin/etcd');
      const env = await sh(n.name, 'cat /etc/etcd.env');
      expect(env).to.contain(`ETCD_NAME=${n.name}\n`).and.contain('ETCD_INITIAL_CLUSTER_STATE=new').and.contain(`ETCD_CERT_FILE=/etc/ssl/etcd/ssl/member-${n.name}.pem`);
      expect((await sh(n.name, 'ls /etc/ssl/etcd/ssl')).split('\n')).to.include.members(['ca.pem', `member-${n.name}.pem`, `admin-${n.name}-key.pem`, 'member-node1.pem']);
      expect(await sh(n.name, 'journalctl -u etcd --no-pager | grep -c "serving client traffic securely"')).to.not.equal('0');
    }
  });

  it('keeps systemd inside the node: its processes in the lab\'s cgroup folder, /proc/sys and /sys read-only, the host\'s sysctls untouched', async () => {
    for (const n of specOf(state).etcdNodes) {
      const init = state.inits[n.name].pid;
      const hostView = readFileSync(`/proc/${init}/cgroup`, 'utf8');
      expect(hostView).to.contain(`name=systemd:/${cgroupParent(specOf(state), n)}/`);
      expect((await hostShell(state, n.name, 'echo 1048576 > /proc/sys/fs/nr_open')).code, 'writing a kernel setting').to.not.equal(0);
      expect((await hostShell(state, n.name, 'touch /sys/ringmaster-probe')).code, 'writing /sys').to.not.equal(0);
    }
    expect(hostSnapshot().sysctls).to.deep.equal(initial.sysctls);
  });

  it('down removes every process, mount, cgroup, namespace and file it made', async () => {
    const inodes = netnsInodes(state.netns);
    const pids = [...Object.values(state.procs), ...Object.values(state.inits)];
    expect(processesIn(inodes).length).to.be.above(10);
    expect(hostSnapshot().cgroups.length).to.be.above(0);
    await labDown(NAME);
    expect(pids.filter(isAlive)).to.deep.equal([]);
    expect(processesIn(inodes)).to.deep.equal([]);
    expect(hostSnapshot()).to.deep.equal(initial);
  });
});
