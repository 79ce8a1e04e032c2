// A small playbook through the real executor and SshConnector against real sshds (direct, via a bastion, one down).
import { expect } from 'chai';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HostConnections } from '../../engine/connection/factory.js';
import { SshConnector } from '../../engine/connection/ssh/connector.js';
import { createRunContext } from '../../engine/execute/defaults.js';
import { runPlaybooks } from '../../engine/execute/run.js';
import { loadPlaybook } from '../../engine/load/playbook.js';
import type { HostResult, RunEvent } from '../../engine/report/events.js';
import { inventory } from '../helpers/run-harness.js';
import { keygen, removeDir, startSshd, workDir, type Sshd } from '../helpers/sshd.js';

describe('ssh: a playbook run over SSH', function () {
  this.timeout(60000);
  let dir: string;
  let bastion: Sshd;
  let node: Sshd;

  before(async () => {
    dir = workDir();
    const key = keygen(join(dir, 'id_ed25519'));
    const hostKey = keygen(join(dir, 'host_key'));
    [bastion, node] = await Promise.all([
      startSshd({ dir: join(dir, 'bastion'), address: '127.0.0.18', authorizedKeys: [key.publicText], hostKey }),
      startSshd({ dir: join(dir, 'node'), address: '127.0.0.19', authorizedKeys: [key.publicText], hostKey }),
    ]);
    writeFileSync(join(dir, 'known_hosts'), `${bastion.knownHostsLine()}\n${node.knownHostsLine()}\n`);
    writeFileSync(join(dir, 'site.yml'), [
      '- name: Files over ssh',
      '  hosts: all',
      '  gather_facts: false',
      '  tasks:',
      '    - name: Write a file',
      '      copy:',
      '        content: "hello {{inventory_hostname}}\\n"',
      '        dest: "{{workdir}}/{{inventory_hostname}}.txt"',
      "        mode: '0640'",
      '    - name: Read it back',
      '      command: cat {{workdir}}/{{inventory_hostname}}.txt',
      '      register: out',
      '      changed_when: false',
    ].join('\n') + '\n');
  });
  after(() => {
    bastion?.stop();
    node?.stop();
    removeDir(dir);
  });

  it('runs tasks on a direct host and one behind a bastion, and marks a down host unreachable', async () => {
    const common = { ansible_user: 'root', ansible_ssh_private_key_file: join(dir, 'id_ed25519'), ringmaster_known_hosts: join(dir, 'known_hosts'), workdir: dir };
    const hosts: Record<string, Record<string, unknown>> = {
      bastion: { ...common, ansible_host: bastion.address, ansible_port: bastion.port },
      inner: { ...common, ansible_host: node.address, ansible_port: node.port, ringmaster_proxy_jump: [{ host: 'bastion' }] },
      down: { ...common, ansible_host: '127.0.0.19', ansible_port: 1, ringmaster_connect_retries: 0 },
    };
    const inv = inventory(hosts);
    const events: RunEvent[] = [];
    const ssh = new SshConnector({ hostKeyChecking: 'strict', env: {}, interactive: false, home: dir, lookupHost: (n) => hosts[n] });
    const ctx = createRunContext({
      inventory: inv,
      bus: { emit: (e) => events.push(e), addSecrets: () => {} },
      connections: new HostConnections({ ssh }),
      options: {},
    });
    const before = bastion.connectionCount();
    const result = await runPlaybooks([await loadPlaybook(join(dir, 'site.yml'))], ctx);
    const results = events.filter((e): e is HostResult => e.type === 'host_result' && e.item === undefined);
    const status = (t: string, h: string) => results.find((r) => r.task === t && r.host === h)?.status;
    expect(status('Write a file', 'bastion')).to.equal('changed');
    expect(status('Write a file', 'inner')).to.equal('changed');
    expect(status('Write a file', 'down')).to.equal('unreachable');
    expect(status('Read it back', 'inner')).to.equal('ok');
    expect(result.exitCode).to.equal(4);
    expect(readFileSync(join(dir, 'inner.txt'), 'utf8')).to.equal('hello inner\n');
    expect((statSync(join(dir, 'bastion.txt')).mode & 0o777).toString(8)).to.equal('640');
    // The bastion is a target and a jump host in this run: still one TCP connection.
    expect(bastion.connectionCount() - before).to.equal(1);
  });
});
