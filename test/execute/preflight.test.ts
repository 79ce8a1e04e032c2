// The pre-flight: before any task, every task renders for every host it targets, or the run is refused (exit 1).
import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRunContext } from '../../engine/execute/defaults.js';
import { preflight } from '../../engine/execute/preflight.js';
import { RunState } from '../../engine/execute/state.js';
import { loadInventories } from '../../engine/load/inventory.js';
import { loadPlaybook } from '../../engine/load/playbook.js';
import { packageRoot } from '../../engine/paths.js';
import { FakeConnectionFactory } from '../helpers/fake-connection.js';

const ROOT = packageRoot();

async function check(files: string[], extraVars: Record<string, unknown> = {}, inventory = join(ROOT, 'inventories', 'kubeadm-stacked.yml')) {
  const inv = await loadInventories([inventory]);
  const books = await Promise.all(files.map((f) => loadPlaybook(f)));
  const conns = new FakeConnectionFactory({}, {});
  const ctx = createRunContext({ inventory: inv, bus: { emit: () => undefined, addSecrets: () => undefined }, connections: conns, options: { extraVars } });
  const errors = await preflight(new RunState(ctx), books);
  expect(conns.connects, 'the pre-flight connects to no host').to.deep.equal([]);
  return errors;
}

function playbookFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ring-preflight-'));
  const file = join(dir, 'site.yml');
  writeFileSync(file, text);
  return file;
}

describe('pre-flight rendering', () => {
  const shipped: Array<[string, Record<string, unknown>]> = [
    ['health.yml', {}],
    ['snapshot-save.yml', {}],
    ['replace-member.yml', { target: 'node3' }],
    ['replace-member.yml', { targets: 'node2,node3' }],
    ['snapshot-restore.yml', { snapshot: 'backups/etcd-node1.db' }],
    ['recover-quorum.yml', {}],
    ['repair-key.yml', { key: '/registry/pods/ns/x' }],
  ];
  for (const [file, vars] of shipped) {
    it(`passes every shipped playbook: ${file} ${JSON.stringify(vars)}`, async () => {
      expect((await check([join(ROOT, 'playbooks', file)], vars)).map((e) => e.message)).to.deep.equal([]);
    });
  }

  it('refuses a variable nothing defines in a later task, located at that task, once for all its hosts', async () => {
    const file = playbookFile(`- hosts: etcd
  tasks:
    - name: Stop etcd
      command: "true"
    - name: Restore with a new token
      command: "echo {{ etcd_cluster_tokn }}"
`);
    const errors = await check([file]);
    expect(errors).to.have.length(1);
    expect(errors[0].message).to.contain('undefined variable `etcd_cluster_tokn`');
    expect(errors[0].location).to.include({ file, line: 5 });
  });

  it('leaves to the run what only the run defines: registered results, set_fact, loop items, and guarded tasks', async () => {
    const file = playbookFile(`- hosts: etcd
  tasks:
    - command: "true"
      register: res
    - set_fact:
        picked: "{{ res.stdout }}"
    - debug:
        msg: "{{ picked }} {{ res.rc }}"
    - debug:
        msg: "{{ item }}"
      loop: [1, 2]
    - debug:
        msg: "{{ maybe }}"
      when: maybe is defined
    - block:
        - debug:
            msg: "{{ optional }}"
      when: optional is defined
`);
    expect((await check([file])).map((e) => e.message)).to.deep.equal([]);
  });

  it('refuses a template file that does not exist before any task runs', async () => {
    const file = playbookFile(`- hosts: etcd
  tasks:
    - template:
        src: templates/nope.hbs
        dest: /tmp/x
`);
    const errors = await check([file]);
    expect(errors[0]?.message).to.match(/template templates\/nope\.hbs not found/);
  });
});
