// The lab end to end on real namespaces, sshd and etcd: ONE lab for the whole file, removed even when a test fails.
import { expect } from 'chai';
import { defaultEtcdLine, pinnedReleases } from '../../engine/lab/etcd-versions.js';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { parse } from 'yaml';
import { labCommand } from '../../engine/commands/lab.js';
import { netnsInodes, processesIn } from '../../engine/lab/census.js';
import { labDown } from '../../engine/lab/down.js';
import { enterLabIfNeeded, insideLab, upLab } from '../../engine/lab/enter.js';
import { etcdctl, memberHealthy } from '../../engine/lab/etcd-query.js';
import { labFail, labHeal } from '../../engine/lab/fault.js';
import { clientNsenter, hostShell } from '../../engine/lab/hosts.js';
import { inventoryPath } from '../../engine/lab/inventory.js';
import { labCgroupDirs } from '../../engine/lab/cgroups.js';
import { cgroupParent } from '../../engine/lab/rke.js';
import { kubeadmEtcdImage } from '../../engine/lab/kubeadm-image.js';
import { labAvailable } from '../helpers/lab-gate.js';
import { isAlive, run, sleep, waitFor } from '../../engine/lab/proc.js';
import { LABS_ROOT, makeSpec } from '../../engine/lab/spec.js';
import { sshConfigPath } from '../../engine/lab/ssh-files.js';
import { readState, type LabState } from '../../engine/lab/state.js';
import { labStatus } from '../../engine/lab/status.js';
import { labUp, type UpReport } from '../../engine/lab/up.js';
import { checkIsolation } from '../../engine/lab/topology.js';

/** Unique per test process: engineers and CI may run this file at the same time on one machine. */
const NAME = `rmt${process.pid}`;
const spec = makeSpec(NAME, 3, true);

/** What exists on the real host that a lab could leave behind. */
function hostSnapshot() {
  const netns = (existsSync('/run/netns') ? readdirSync('/run/netns') : []).filter((n) => n.startsWith(`rm-${NAME}-`));
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(`rm-${NAME}-`) || l.includes(LABS_ROOT));
  const files = existsSync(LABS_ROOT) ? readdirSync(LABS_ROOT).filter((f) => f === NAME) : [];
  // The kubeadm nodes' containerd puts each pod's cgroups under the lab's folder in every hierarchy.
  const cgroups = labCgroupDirs(spec.etcdNodes.map((n) => cgroupParent(spec, n)));
  return { netns, mounts, files, cgroups };
}

async function inClient(cmd: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return run('nsenter', [...clientNsenter(state, '/'), ...cmd], { timeoutMs: 20_000 });
}

async function sh(host: string, script: string): Promise<string> {
  const r = await hostShell(state, host, script);
  if (r.code !== 0) throw new Error(`${host}: ${script}: exit ${r.code}: ${r.stderr}`);
  return r.stdout.trim();
}

async function runnerPods(host: string): Promise<Array<{ name?: string; state: string; pid?: number; restarts: number }>> {
  return (JSON.parse(await sh(host, 'cat /run/static-pods/status.json')) as { pods: Array<{ name?: string; state: string; pid?: number; restarts: number }> }).pods;
}

async function serializableGet(host: string, key: string): Promise<string> {
  const r = await hostShell(state, host, `${etcdctl(spec)} get --consistency=s --print-value-only ${key}`);
  return r.code === 0 ? r.stdout.trim() : `(exit ${r.code})`;
}

let state: LabState;
let report: UpReport;
const initial = hostSnapshot();

describe('ringmaster lab (real namespaces, sshd and etcd) @lab', function () {
  this.timeout(60_000);

  before(async function () {
    this.timeout(120_000);
    if (!labAvailable()) this.skip();
    await labDown(NAME); // a lab left by an interrupted earlier run
    report = await labUp({ name: NAME, nodes: 3, tls: true, install: false, keepOnFailure: false, log: () => undefined });
    state = readState(NAME)!;
  });

  after(async function () {
    this.timeout(30_000);
    await labDown(NAME);
  });

  it('builds a healthy 3-member TLS etcd cluster within the deadline', async () => {
    expect(report.healthyMs).to.be.below(30_000);
    const s = await labStatus(state);
    expect(s.nodes.map((n) => [n.name, n.healthy, n.member])).to.deep.equal([['node1', true, 'voter'], ['node2', true, 'voter'], ['node3', true, 'voter']]);
    expect(s.leader).to.match(/^node[123]$/);
    expect(s.nodes.every((n) => (n.raftIndex ?? 0) > 0 && n.runner === 'etcd running')).to.equal(true);
  });

  it('has no default route in any lab namespace and no lab address in the root namespace', async () => {
    await checkIsolation(spec);
    const root = await run('ip', ['-o', 'addr', 'show']);
    expect(root.stdout).not.to.match(/ 10\.20\.(0|30)\./);
  });

  it('reaches a node from the client namespace only by SSH through the bastion', async () => {
    const direct = await inClient(['bash', '-c', 'exec 3<>/dev/tcp/10.20.30.101/22']);
    expect(direct.code).to.not.equal(0);
    expect(direct.stderr).to.match(/unreachable/i);
    const ssh = await inClient(['ssh', '-F', sshConfigPath(spec), 'node1', 'hostname']);
    expect(ssh.stdout.trim(), ssh.stderr).to.equal('node1');
  });

  it('gives every node its own hostname, PID namespace and private /etc, /var, /root and /tmp', async () => {
    await sh('node1', 'echo one > /etc/lab-probe; echo one > /var/lib/lab-probe; echo one > /root/lab-probe; echo one > /tmp/lab-probe');
    const seen = await sh('node2', 'hostname; cat /etc/lab-probe /var/lib/lab-probe /root/lab-probe /tmp/lab-probe 2>/dev/null | wc -l');
    expect(seen.split('\n')).to.deep.equal(['node2', '0']);
    expect(await sh('node1', 'cat /etc/lab-probe /var/lib/lab-probe /root/lab-probe /tmp/lab-probe | wc -l')).to.equal('4');
    expect(existsSync('/etc/lab-probe') || existsSync('/var/lib/lab-probe')).to.equal(false);
    expect(await sh('node1', 'cat /proc/1/cmdline | tr "\\0" " "')).to.contain('init.sh');
    expect(await sh('node1', `ls ${LABS_ROOT} | wc -l`)).to.equal('0');
  });

  it('lays out kubeadm PKI and a kubeadm-shaped etcd.yaml on each node', async () => {
    const files = (await sh('node2', 'cd /etc/kubernetes/pki && ls etcd apiserver-etcd-client.crt')).split(/\s+/);
    expect(files).to.include.members(['ca.crt', 'ca.key', 'server.crt', 'peer.key', 'healthcheck-client.crt', 'apiserver-etcd-client.crt']);
    const san = await sh('node2', 'openssl x509 -in /etc/kubernetes/pki/etcd/server.crt -noout -ext subjectAltName');
    expect(san).to.contain('IP Address:10.20.30.102').and.contain('DNS:node2').and.contain('IP Address:127.0.0.1');
    const pod = parse(await sh('node2', 'cat /etc/kubernetes/manifests/etcd.yaml'));
    expect(pod.kind).to.equal('Pod');
    expect(pod.spec.containers[0].command).to.include.members(['etcd', '--name=node2', '--data-dir=/var/lib/etcd',
      '--client-cert-auth=true', `--initial-cluster-token=${spec.clusterToken}`, '--listen-client-urls=https://127.0.0.1:2379,https://10.20.30.102:2379']);
  });

  it('writes an inventory that marks the lab, names the bastion as jump host and carries the etcd model', () => {
    const inv = parse(readFileSync(inventoryPath(spec), 'utf8'));
    expect(inv.all.vars).to.include({ ringmaster_lab: NAME, ansible_user: 'root' });
    expect(readFileSync(inv.all.vars.ringmaster_known_hosts, 'utf8')).to.match(/^node1,10\.20\.30\.101 ssh-ed25519 /m);
    expect(inv.all.children.bastion.hosts.bastion.ansible_host).to.equal('10.20.0.1');
    expect(inv.all.children.etcd.hosts.node3).to.include({
      ansible_host: '10.20.30.103', ringmaster_proxy_jump: 'bastion', ansible_ssh_common_args: '-o ProxyJump=root@10.20.0.1',
      etcd_name: 'node3', etcd_peer_url: 'https://10.20.30.103:2380', etcd_client_url: 'https://10.20.30.103:2379',
    });
    expect(inv.all.children.etcd.vars).to.include({ etcd_flavor: 'static-pod', etcd_tls: true, etcdctl_via: 'host', etcd_version: pinnedReleases().get(defaultEtcdLine()) });
  });

  it('knows whether a process runs inside the client namespace and refuses a lab that is not up', async () => {
    expect(insideLab(upLab(NAME))).to.equal(false);
    const probe = `import('${process.cwd()}/dist/engine/lab/enter.js').then((m) => console.log(m.insideLab(m.upLab('${NAME}'))))`;
    expect((await inClient([process.execPath, '-e', probe])).stdout.trim()).to.equal('true');
    const io = { stdout: new PassThrough(), stderr: new PassThrough(), stdin: new PassThrough(), env: {}, cwd: '/' };
    let err: unknown;
    await enterLabIfNeeded('nosuchlab', ['run'], io).catch((e) => (err = e));
    expect(err).to.have.property('code', 'E_LAB_NOT_UP');
    expect((err as Error).message).to.contain('lab nosuchlab is not up; run `ringmaster lab up --name nosuchlab`');
  });

  it('runs static pods like kubelet over containerd\'s CRI: start, new pod on change, back-off restart on exit, removal', async () => {
    // A second etcd on other ports from the lab's kubeadm image (distroless: sh and the etcd tools, no sleep).
    const etcdArgs = '--data-dir=/tmp/sleeper --listen-client-urls=http://127.0.0.1:22379 --advertise-client-urls=http://127.0.0.1:22379 --listen-peer-urls=http://127.0.0.1:22380 --initial-advertise-peer-urls=http://127.0.0.1:22380 --initial-cluster=default=http://127.0.0.1:22380';
    const manifest = (arg: string) => `apiVersion: v1\nkind: Pod\nmetadata: {name: sleeper, namespace: kube-system}\nspec:\n  hostNetwork: true\n  containers:\n  - name: s\n    image: ${kubeadmEtcdImage(spec.etcdVersion)}\n    command: [sh, -c]\n    args: ["echo started ${arg}; exec etcd ${etcdArgs}"]\n`;
    const put = (arg: string) => sh('node3', `cat > /etc/kubernetes/sleeper.tmp <<'X'\n${manifest(arg)}X\nmv /etc/kubernetes/sleeper.tmp /etc/kubernetes/manifests/sleeper.yaml`);
    const sleeper = async () => (await runnerPods('node3')).find((p) => p.name === 'sleeper') as (Awaited<ReturnType<typeof runnerPods>>[number] & { containerId?: string; sandboxId?: string }) | undefined;
    const containers = async () => (JSON.parse(await sh('node3', 'crictl ps -a -o json --label io.kubernetes.pod.name=sleeper-node3')) as { containers: Array<{ id: string; state: string; podSandboxId: string; metadata: { attempt: number } }> }).containers;
    await put('a');
    const first = await waitFor('sleeper to run', 20_000, async () => ((await sleeper())?.state === 'running' ? await sleeper() : undefined));
    expect(await sh('node3', `crictl logs ${first!.containerId}`)).to.contain('started a');
    await put('b');
    const changed = await waitFor('sleeper to restart', 20_000, async () => { const p = await sleeper(); return p?.state === 'running' && p.pid !== first!.pid ? p : undefined; });
    expect(changed!.sandboxId, 'a changed manifest is a new pod').to.not.equal(first!.sandboxId);
    expect((await containers()).map((c) => c.podSandboxId)).to.not.include(first!.sandboxId);
    await sh('node3', `kill -KILL ${changed!.pid}`);
    const restarted = await waitFor('a back-off restart', 20_000, async () => { const p = await sleeper(); return p?.state === 'running' && p.pid !== changed!.pid ? p : undefined; });
    expect(restarted!.restarts).to.equal(1);
    expect(restarted!.sandboxId, 'a restart stays in its pod').to.equal(changed!.sandboxId);
    const attempts = (await containers()).map((c) => `${c.metadata.attempt}:${c.state}`).sort();
    expect(attempts).to.deep.equal(['0:CONTAINER_EXITED', '1:CONTAINER_RUNNING']);
    const logs = await sh('node3', 'static-pods logs sleeper');
    expect(logs).to.contain('started b').and.contain('exited (code 137)');
    await sh('node3', 'rm /etc/kubernetes/manifests/sleeper.yaml');
    await waitFor('sleeper to stop', 20_000, async () => ((await sleeper()) ? undefined : true));
    expect((await hostShell(state, 'node3', `kill -0 ${restarted!.pid}`)).code).to.not.equal(0);
    expect(await containers()).to.deep.equal([]);
    expect(await sh('node3', 'crictl pods -q --label io.kubernetes.pod.name=sleeper-node3')).to.equal('');
  });

  it('answers runbook 001\'s own crictl commands verbatim: the Running etcd container, etcdctl in it, its logs', async () => {
    const r = await sh('node1', `CONTAINER_ID=$(crictl ps -a --label io.kubernetes.container.name=etcd --label io.kubernetes.pod.namespace=kube-system | awk 'NR>1{r=$1} $0~/Running/{exit} END{print r}')
echo "id=$CONTAINER_ID"
crictl exec "$CONTAINER_ID" etcdctl --cert /etc/kubernetes/pki/etcd/peer.crt --key /etc/kubernetes/pki/etcd/peer.key --cacert /etc/kubernetes/pki/etcd/ca.crt member list -w table
crictl logs "$CONTAINER_ID" 2>&1 | grep -c '"msg"'`);
    const running = JSON.parse(await sh('node1', 'crictl ps -o json --label io.kubernetes.container.name=etcd')) as { containers: Array<{ id: string }> };
    expect(running.containers).to.have.length(1);
    expect(r).to.contain(`id=${running.containers[0].id.slice(0, 13)}`);
    for (const n of spec.etcdNodes) expect(r).to.match(new RegExp(`\\| started \\| ${n.name} \\| https://${n.address.replace(/\./g, '\\.')}:2380`));
    expect(Number(r.split('\n').pop())).to.be.above(5);
    // Distroless as kubeadm's image: no env, no coreutils — only sh and etcd's tools.
    const tools = await sh('node1', `crictl exec ${running.containers[0].id} sh -c 'for t in env ls cat etcd etcdctl; do command -v $t >/dev/null && echo $t; done; true'`);
    expect(tools.split('\n')).to.deep.equal(['etcd', 'etcdctl']);
  });

  it('fail --mode stop stops etcd through its manifest and heal starts it again', async () => {
    await labFail(state, 'node1', 'stop');
    expect((await runnerPods('node1')).some((p) => p.name === 'etcd')).to.equal(false);
    expect(await sh('node1', 'ls /etc/kubernetes/manifests | wc -l')).to.equal('0');
    expect(await memberHealthy(spec, state, 'node1')).to.equal(false);
    await labHeal(state, 'node1', 30_000);
    expect(await memberHealthy(spec, state, 'node1')).to.equal(true);
  });

  it('fail --mode kill crashes etcd and keeps it down until heal', async () => {
    const pid = (await runnerPods('node2')).find((p) => p.name === 'etcd')!.pid;
    await labFail(state, 'node2', 'kill');
    await sleep(1500);
    const etcd = (await runnerPods('node2')).find((p) => p.name === 'etcd')!;
    expect([etcd.state, etcd.pid]).to.deep.equal(['held', undefined]);
    expect((await hostShell(state, 'node2', `kill -0 ${pid}`)).code).to.not.equal(0);
    await labHeal(state, 'node2', 30_000);
    expect(await memberHealthy(spec, state, 'node2')).to.equal(true);
  });

  it('fail --mode wipe takes the member\'s data away and heal puts it back', async () => {
    await sh('node1', `${etcdctl(spec)} put lab-key lab-value >/dev/null`);
    await waitFor('node3 to have the key', 5000, async () => ((await serializableGet('node3', 'lab-key')) === 'lab-value' ? true : undefined));
    await labFail(state, 'node3', 'wipe');
    expect(await sh('node3', 'ls /var/lib/ringmaster-lab-fault/etcd')).to.equal('member');
    expect(await serializableGet('node3', 'lab-key')).to.not.equal('lab-value');
    await labHeal(state, 'node3', 30_000);
    expect(await serializableGet('node3', 'lab-key')).to.equal('lab-value');
  });

  it('fail --mode corrupt makes etcd unable to open its database and heal restores it', async () => {
    await labFail(state, 'node3', 'corrupt');
    expect((await hostShell(state, 'node3', 'cmp -s /var/lib/etcd/member/snap/db /var/lib/ringmaster-lab-fault/db')).code).to.equal(1);
    await sleep(1500);
    expect(await memberHealthy(spec, state, 'node3')).to.equal(false);
    await labHeal(state, 'node3', 30_000);
    expect(await serializableGet('node3', 'lab-key')).to.equal('lab-value');
  });

  it('fail --mode partition cuts the node off from its peers and the bastion, and heal reconnects it', async () => {
    await labFail(state, 'node2', 'partition');
    const fromBastion = await hostShell(state, 'bastion', 'timeout 2 bash -c "exec 3<>/dev/tcp/10.20.30.102/22"');
    expect(fromBastion.code).to.not.equal(0);
    expect(await memberHealthy(spec, state, 'node2')).to.equal(false);
    expect(await memberHealthy(spec, state, 'node1')).to.equal(true);
    await labHeal(state, 'node2', 30_000);
    expect(await memberHealthy(spec, state, 'node2')).to.equal(true);
  });

  it('fail --mode ssh-down refuses SSH while etcd keeps running, and heal restores SSH', async () => {
    await labFail(state, 'node1', 'ssh-down');
    const refused = await inClient(['ssh', '-F', sshConfigPath(spec), 'node1', 'true']);
    expect(refused.code).to.equal(255);
    expect(await memberHealthy(spec, state, 'node1')).to.equal(true);
    await labHeal(state, 'node1', 30_000);
    const ok = await inClient(['ssh', '-F', sshConfigPath(spec), 'node1', 'true']);
    expect(ok.code, ok.stderr).to.equal(0);
  });

  it('prints status as JSON with members, leader, health, raft index and runner state', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (d) => (text += d));
    const code = await labCommand.run(['status', '--name', NAME, '--output', 'json'], { stdout: out, stderr: new PassThrough(), stdin: new PassThrough(), env: {}, cwd: '/' });
    const s = JSON.parse(text);
    expect(code).to.equal(0);
    expect(s.nodes).to.have.length(3);
    expect(s.nodes[0]).to.include.keys('memberId', 'leader', 'healthy', 'raftIndex', 'runner');
    expect(s.memoryMb).to.be.above(50);
  });

  it('refuses to build a lab whose name is taken', async () => {
    let err: unknown;
    await labUp({ name: NAME, nodes: 3, tls: true, install: false, keepOnFailure: false, log: () => undefined }).catch((e) => (err = e));
    expect(err).to.have.property('code', 'E_LAB');
    expect(isAlive(state.procs.client)).to.equal(true);
  });

  it('down removes every namespace, mount, process and file it made, and is idempotent', async () => {
    const inodes = netnsInodes(state.netns);
    const pids = [...Object.values(state.procs), ...Object.values(state.inits)];
    expect(processesIn(inodes).length).to.be.above(10);
    for (const n of spec.etcdNodes) expect(labCgroupDirs([cgroupParent(spec, n)]).length, `${n.name}'s pod cgroups`).to.be.above(0);
    const r = await labDown(NAME);
    expect(r.existed).to.equal(true);
    expect(pids.filter(isAlive)).to.deep.equal([]);
    expect(processesIn(inodes)).to.deep.equal([]);
    expect(hostSnapshot()).to.deep.equal(initial);
    expect((await labDown(NAME)).existed).to.equal(false);
  });
});

describe('ringmaster lab down after a crashed lab up @lab', function () {
  this.timeout(60_000);
  const CRASH = `rmc${process.pid}`;

  before(function () {
    if (!labAvailable()) this.skip();
  });

  after(async function () {
    this.timeout(30_000);
    await labDown(CRASH);
  });

  it('removes what a killed lab up had recorded: namespaces, processes and files', async () => {
    const snapshot = () => ({
      netns: (existsSync('/run/netns') ? readdirSync('/run/netns') : []).filter((n) => n.startsWith(`rm-${CRASH}-`)),
      mounts: readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(CRASH)),
    });
    const clean = snapshot();
    const script = `import('${process.cwd()}/dist/engine/lab/up.js').then((m) => m.labUp({ name: '${CRASH}', nodes: 3, tls: true, install: false, keepOnFailure: true, log: () => {} }))`;
    const child = spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
    const crashed = await waitFor('lab up to start its hosts', 30_000, async () => {
      const st = readState(CRASH);
      return st?.procs.node3 ? st : undefined;
    }, 20);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const inodes = netnsInodes(crashed.netns);
    expect(snapshot().netns).to.have.length(6);
    const r = await labDown(CRASH);
    expect(r.existed).to.equal(true);
    expect(processesIn(inodes)).to.deep.equal([]);
    expect(Object.values(crashed.procs).filter(isAlive)).to.deep.equal([]);
    expect(snapshot()).to.deep.equal(clean);
    expect(existsSync(`${LABS_ROOT}/${CRASH}`)).to.equal(false);
  });
});
