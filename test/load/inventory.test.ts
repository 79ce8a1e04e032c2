// Inventories: INI and YAML formats, folders, group_vars/ and host_vars/, several -i merged.
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RingErrors } from '../../engine/errors/index.js';
import { hostVars } from '../../engine/inventory/vars.js';
import { loadInventories } from '../../engine/load/inventory.js';

function write(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'ringmaster-inv-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const groupsOf = (inv: Awaited<ReturnType<typeof loadInventories>>) =>
  Object.fromEntries([...inv.groups.values()].map((g) => [g.name, { hosts: g.hosts, children: g.children }]));

describe('load: inventory', () => {
  it('reads Ansible INI: sections, :vars, :children, host vars as literals, ranges, host:port, comments', async () => {
    const dir = write({
      hosts: `# the lab
bastion ansible_host=10.20.0.1

[etcd]
node[1:3] ansible_user=root ansible_port=22 ready=True ratio=0.5
node4:2222 flavour="static pod"  ; a comment
node[a:b]

[etcd:vars]
etcd_flavour = static-pod
count=3

[control:children]
etcd
`,
    });
    const inv = await loadInventories([join(dir, 'hosts')]);
    expect([...inv.hosts.keys()]).to.deep.equal(['bastion', 'node1', 'node2', 'node3', 'node4', 'nodea', 'nodeb']);
    expect(inv.hosts.get('node2')!.vars).to.deep.equal({ ansible_user: 'root', ansible_port: 22, ready: true, ratio: 0.5 });
    expect(inv.hosts.get('node4')!.vars).to.deep.equal({ ansible_port: 2222, flavour: 'static pod' });
    expect(inv.groups.get('etcd')!.vars).to.deep.equal({ etcd_flavour: 'static-pod', count: '3' });
    expect(groupsOf(inv)).to.deep.equal({
      all: { hosts: [], children: ['ungrouped', 'control'] },
      ungrouped: { hosts: ['bastion'], children: [] },
      etcd: { hosts: ['node1', 'node2', 'node3', 'node4', 'nodea', 'nodeb'], children: [] },
      control: { hosts: [], children: ['etcd'] },
    });
    expect(inv.hosts.get('node1')!.groups).to.deep.equal(['etcd']);
    expect(inv.hosts.get('node1')!.loc).to.deep.equal({ file: join(dir, 'hosts'), line: 5, col: 1 });
  });

  it('reads Ansible YAML, nested, with ranges and hosts directly under all', async () => {
    const dir = write({
      'inv.yml': `all:
  hosts:
    jump:
      ansible_host: 10.0.0.1
  vars:
    ansible_user: root
  children:
    etcd:
      hosts:
        node[01:03]:
      children:
        etcd_new:
          hosts:
            node04:
    other:
`,
    });
    const inv = await loadInventories([join(dir, 'inv.yml')]);
    expect([...inv.hosts.keys()]).to.deep.equal(['jump', 'node01', 'node02', 'node03', 'node04']);
    expect(groupsOf(inv)).to.deep.equal({
      all: { hosts: [], children: ['ungrouped', 'etcd', 'other'] },
      ungrouped: { hosts: ['jump'], children: [] },
      etcd: { hosts: ['node01', 'node02', 'node03'], children: ['etcd_new'] },
      etcd_new: { hosts: ['node04'], children: [] },
      other: { hosts: [], children: [] },
    });
    expect(inv.groups.get('all')!.vars).to.deep.equal({ ansible_user: 'root' });
  });

  it('tells YAML from INI in a file without extension by its first line', async () => {
    const dir = write({ hosts: '# comment\nall:\n  hosts:\n    a:\n' });
    expect([...(await loadInventories([join(dir, 'hosts')])).hosts.keys()]).to.deep.equal(['a']);
  });

  it('loads every file of a folder, and group_vars/ and host_vars/ beside it (files and folders)', async () => {
    const dir = write({
      'inv/10-hosts.ini': '[etcd]\nnode1\nnode2\n',
      'inv/20-more.yml': 'all:\n  children:\n    etcd:\n      vars:\n        a: inline\n',
      'inv/README.md': 'not an inventory',
      'inv/group_vars/etcd.yml': 'a: from_group_vars\nb: 1\n',
      'inv/group_vars/all/one.yml': 'c: 1\n',
      'inv/group_vars/all/two.yaml': 'd: 2\n',
      'inv/group_vars/nosuchgroup.yml': 'ignored: true\n',
      'inv/host_vars/node2.json': '{"e": "json"}',
    });
    const inv = await loadInventories([join(dir, 'inv')]);
    expect(inv.sources).to.deep.equal([join(dir, 'inv')]);
    expect(hostVars(inv, 'node2')).to.deep.equal({ c: 1, d: 2, a: 'from_group_vars', b: 1, e: 'json' });
    expect(hostVars(inv, 'node1')).to.not.have.property('e');
  });

  it('merges several -i sources: hosts and groups by name, later vars win', async () => {
    const dir = write({ 'a.ini': '[etcd]\nnode1 x=1 y=1\n', 'b.yml': 'all:\n  children:\n    etcd:\n      hosts:\n        node1:\n          y: 2\n        node2:\n' });
    const inv = await loadInventories([join(dir, 'a.ini'), join(dir, 'b.yml')]);
    expect(inv.groups.get('etcd')!.hosts).to.deep.equal(['node1', 'node2']);
    expect(inv.hosts.get('node1')!.vars).to.deep.equal({ x: 1, y: 2 });
  });

  it('takes a comma-separated host list like `-i node1,node2,`', async () => {
    const inv = await loadInventories(['node1,node2,']);
    expect(inv.groups.get('ungrouped')!.hosts).to.deep.equal(['node1', 'node2']);
  });

  it('always has all and ungrouped, even when empty', async () => {
    const dir = write({ 'empty.yml': '' });
    const inv = await loadInventories([join(dir, 'empty.yml')]);
    expect([...inv.groups.keys()]).to.deep.equal(['all', 'ungrouped']);
  });

  it('reports every problem of every source at once, a missing file by its path', async () => {
    const dir = write({ 'a.ini': '[etcd:bad]\n', 'b.yml': 'all:\n  hosts: [a]\n', 'group_vars/etcd.yml': '- x\n', 'c.ini': '[etcd]\nn1\n' });
    const err = (await loadInventories([join(dir, 'a.ini'), join(dir, 'b.yml'), join(dir, 'missing.ini'), join(dir, 'c.ini')]).catch((e: unknown) => e)) as RingErrors;
    expect(err).to.be.instanceOf(RingErrors);
    expect(err.errors.map((e) => e.code)).to.deep.equal(['E_INI_SYNTAX', 'E_SCHEMA', 'E_FILE_NOT_FOUND', 'E_SCHEMA']);
    expect(err.errors[2].message).to.equal(`inventory not found: ${join(dir, 'missing.ini')}`);
    expect(err.errors[3].message).to.contain('the group_vars file must be a mapping');
  });
});
