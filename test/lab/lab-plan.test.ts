// The lab's plan without building it: names, etcd flags, inventory, SSH config, init script and CLI errors.
import { expect } from 'chai';
import { PassThrough } from 'node:stream';
import { labCommand } from '../../engine/commands/lab.js';
import { enterLabIfNeeded } from '../../engine/lab/enter.js';
import { FAULT_MODES } from '../../engine/lab/fault.js';
import { inventoryData } from '../../engine/lab/inventory.js';
import { etcdFlags, etcdManifest } from '../../engine/lab/manifests.js';
import { initScript } from '../../engine/lab/node-init.js';
import { allNetns, LABS_ROOT, makeSpec } from '../../engine/lab/spec.js';
import { sshClientConfig } from '../../engine/lab/ssh-files.js';
import { parse } from 'yaml';

function io() {
  return { stdout: new PassThrough(), stderr: new PassThrough(), stdin: new PassThrough(), env: {}, cwd: '/' };
}

async function errorOf(p: Promise<unknown>): Promise<{ code?: string; message: string }> {
  try {
    await p;
  } catch (e) {
    return e as { code?: string; message: string };
  }
  throw new Error('expected a rejection');
}

describe('lab plan', () => {
  const spec = makeSpec('demo', 3, true);

  it('prefixes every namespace with rm-<name>- and rejects names that would not fit', () => {
    expect(allNetns(spec)).to.deep.equal(['rm-demo-client', 'rm-demo-net', 'rm-demo-bastion', 'rm-demo-node1', 'rm-demo-node2', 'rm-demo-node3']);
    expect(() => makeSpec('Bad Name', 3, true)).to.throw(/invalid lab name/);
  });

  it('builds kubeadm-style sorted etcd flags with TLS, and plain http without it', () => {
    const tls = etcdFlags(spec, spec.etcdNodes[1]);
    const names = tls.map((f) => f.slice(2).split('=')[0]);
    expect(names).to.deep.equal([...names].sort());
    expect(tls).to.include.members(['--name=node2', '--peer-client-cert-auth=true', '--trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt',
      '--initial-cluster=node1=https://10.20.30.101:2380,node2=https://10.20.30.102:2380,node3=https://10.20.30.103:2380']);
    const plain = etcdFlags(makeSpec('demo', 3, false), spec.etcdNodes[0]);
    expect(plain.filter((f) => /cert|https/.test(f))).to.deep.equal([]);
    expect(parse(etcdManifest(spec, spec.etcdNodes[0])).metadata).to.include({ name: 'etcd', namespace: 'kube-system' });
  });

  it('marks the inventory as the lab\'s and routes every node through the bastion', () => {
    const inv = inventoryData(spec) as { all: { vars: Record<string, unknown>; children: { etcd: { hosts: Record<string, Record<string, unknown>> } } } };
    expect(inv.all.vars.ringmaster_lab).to.equal('demo');
    expect(Object.values(inv.all.children.etcd.hosts).map((h) => h.ringmaster_proxy_jump)).to.deep.equal(['bastion', 'bastion', 'bastion']);
  });

  it('writes an SSH client config that jumps through the bastion and keeps strict host key checking', () => {
    const cfg = sshClientConfig(spec);
    expect(cfg).to.match(/Host node1 10\.20\.30\.101\n {2}HostName 10\.20\.30\.101\n {2}ProxyJump bastion/);
    expect(cfg).to.contain('StrictHostKeyChecking yes').and.contain(`UserKnownHostsFile ${LABS_ROOT}/demo/known_hosts`);
  });

  it('overlays /var last and hides every lab directory inside a host', () => {
    const s = initScript(spec, spec.etcdNodes[0]);
    expect(s).to.contain('for d in etc opt srv home mnt usr/local var; do');
    expect(s).to.contain(`lab-hidden '${LABS_ROOT}'`);
  });

  it('refuses unknown sub-commands and fault modes with usage errors', async () => {
    expect(await errorOf(labCommand.run(['explode'], io()))).to.include({ code: 'E_USAGE' });
    const bad = await errorOf(labCommand.run(['fail', 'node1', '--mode', 'melt'], io()));
    expect(bad.code).to.equal('E_USAGE');
    expect(bad.message).to.contain(Object.keys(FAULT_MODES).join(', '));
  });

  it('documents every fault mode and its heal in the help', () => {
    for (const [mode, text] of Object.entries(FAULT_MODES)) {
      expect(labCommand.help).to.contain(`  ${mode.padEnd(10)} ${text}`);
      expect(text).to.contain('heal:');
    }
  });

  it('refuses to run a playbook for a lab that is not up', async () => {
    const e = await errorOf(enterLabIfNeeded('absentlab', ['run', 'x.yml'], io()));
    expect(e).to.include({ code: 'E_LAB_NOT_UP', message: 'lab absentlab is not up; run `ringmaster lab up --name absentlab`' });
    // nothing ran: a set-up problem (exit 1), not a failed task (exit 2)
    expect((e as unknown as { exitCode: number }).exitCode).to.equal(1);
  });
});
