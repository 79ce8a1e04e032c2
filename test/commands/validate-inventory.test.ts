// `ringmaster validate` and `ringmaster inventory` end to end through the CLI front door.
import { expect } from 'chai';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../engine/paths.js';
import { runCli } from '../helpers/cli-io.js';

const cli = (...argv: string[]) => runCli(argv, packageRoot(), {});

const SITE = 'test/fixtures/valid/site.yml';
const HOSTS = 'test/fixtures/valid/hosts.yml';

describe('ringmaster validate', () => {
  it('prints one ok line per playbook and for the inventory, and exits 0', async () => {
    const r = await cli('validate', SITE, '-i', HOSTS, '-e', '@test/fixtures/valid/extra.yml');
    expect(r.err).to.equal('');
    expect(r.code).to.equal(0);
    expect(r.out).to.equal(`ok: 1 play, 5 tasks in ${SITE}\nok: 4 hosts in 2 groups in ${HOSTS}\n`);
  });

  it('passes every shipped playbook with every shipped inventory (their etcd_* variables default by flavour)', async () => {
    const playbooks = readdirSync(join(packageRoot(), 'playbooks')).filter((f) => f.endsWith('.yml')).map((f) => `playbooks/${f}`);
    for (const inv of readdirSync(join(packageRoot(), 'inventories'))) {
      const r = await cli('validate', ...playbooks, '-i', `inventories/${inv}`);
      expect(r.err, inv).to.equal('');
      expect(r.code, inv).to.equal(0);
    }
  });

  it('reports the errors of every file in one go and prints nothing on stdout', async () => {
    const r = await cli('validate', 'test/fixtures/invalid/playbooks/task-unknown-key.yml', 'test/fixtures/invalid/playbooks/wrong-type-when.yml', '-i', 'test/fixtures/invalid/inventories/ini-bad-host-line.ini');
    expect(r.code).to.equal(1);
    expect(r.out).to.equal('');
    expect(r.err).to.contain("did you mean `retries`?").and.contain('`when` in task').and.contain('after host `node1`').and.contain('3 errors found; nothing was run.');
    expect(r.err).to.match(/task-unknown-key\.yml:7:7: error\[E_UNKNOWN_KEY\]/);
    expect(r.err).to.contain('  7 |       retry: 3\n');
  });

  it('checks template and condition syntax', async () => {
    const r = await cli('validate', 'test/fixtures/invalid/template-syntax.yml');
    expect(r.code).to.equal(1);
    expect(r.err).to.contain('error[E_TEMPLATE_SYNTAX]').and.contain('error[E_EXPR_SYNTAX]');
  });

  it('warns when a play\'s hosts match no host of the inventory', async () => {
    const r = await cli('validate', 'test/fixtures/valid/no-match.yml', '-i', HOSTS);
    expect(r.code).to.equal(0);
    expect(r.err).to.contain("hosts 'webservers' matches no host of the inventory");
  });

  it('asks for something to validate', async () => {
    const r = await cli('validate');
    expect(r.code).to.equal(1);
    expect(r.err).to.contain('give at least one playbook');
  });
});

describe('ringmaster inventory', () => {
  it('--list prints groups and merged host vars like ansible-inventory', async () => {
    const r = await cli('inventory', '-i', HOSTS, '--list');
    expect(r.code, r.err).to.equal(0);
    const j = JSON.parse(r.out);
    expect(j.all).to.deep.equal({ children: ['ungrouped', 'etcd', 'bastion'] });
    expect(j.etcd).to.deep.equal({ hosts: ['node1', 'node2', 'node3'] });
    expect(j.bastion).to.deep.equal({ hosts: ['jump'] });
    expect(j).to.not.have.property('ungrouped');
    expect(j._meta.hostvars.node1).to.deep.equal({ ansible_user: 'root', etcd_flavour: 'static-pod', etcd_version: '3.5.9', ansible_host: '10.20.30.101' });
  });

  it('--list --export shows each group\'s own vars and hosts\' own vars', async () => {
    const j = JSON.parse((await cli('inventory', '-i', HOSTS, '--list', '--export')).out);
    expect(j.all.vars).to.deep.equal({ ansible_user: 'root' });
    expect(j.etcd.vars).to.deep.equal({ etcd_flavour: 'static-pod', etcd_version: '3.5.9' });
    expect(j._meta.hostvars.node1).to.deep.equal({ ansible_host: '10.20.30.101' });
  });

  it('--host prints one host\'s merged vars, extra vars winning', async () => {
    const r = await cli('inventory', '-i', HOSTS, '--host', 'jump', '-e', 'ansible_user=admin');
    expect(JSON.parse(r.out)).to.deep.equal({ ansible_user: 'admin', ansible_host: '10.20.0.1' });
  });

  it('names the nearest host for an unknown --host, and wants exactly one of --list/--host', async () => {
    expect((await cli('inventory', '-i', HOSTS, '--host', 'nod1')).err).to.contain("did you mean 'node1'?");
    expect((await cli('inventory', '-i', HOSTS)).err).to.contain('exactly one of --list or --host');
    expect((await cli('inventory', '--list')).err).to.contain('give an inventory with -i');
  });
});
