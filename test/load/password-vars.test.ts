// Ansible's password variables are refused where they are written, naming the ringmaster_*_env replacement.
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli-io.js';

describe('load: ansible_become_password and friends', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'rm-pwvars-'));
    mkdirSync(join(dir, 'inv', 'group_vars'), { recursive: true });
    writeFileSync(join(dir, 'inv', 'hosts.yml'), 'all:\n  hosts:\n    node1:\n      ansible_become_password: hunter2\n  children:\n    etcd:\n      hosts:\n        node1:\n');
    writeFileSync(join(dir, 'inv', 'group_vars', 'etcd.yml'), 'ansible_ssh_pass: x\n');
    writeFileSync(join(dir, 'inv', 'more.ini'), '[etcd]\nnode2\n[etcd:vars]\nansible_sudo_pass=y\n');
    writeFileSync(join(dir, 'site.yml'), '- hosts: all\n  vars:\n    ansible_become_pass: x\n  tasks:\n    - command: "true"\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('validate reports each one at its place with the variable to use instead', async () => {
    const r = await runCli(['validate', join(dir, 'site.yml'), '-i', join(dir, 'inv'), '-e', 'ansible_password=z'], dir, {});
    expect(r.code).to.equal(1);
    const at = (file: string, line: number, col: number, key: string, where: string) =>
      expect(r.err).to.include(`${join(dir, file)}:${line}:${col}: error[E_SCHEMA]: \`${key}\` (${where}) is not supported`);
    at('site.yml', 3, 5, 'ansible_become_pass', "vars of the play on 'all'");
    at('inv/hosts.yml', 4, 7, 'ansible_become_password', 'host node1');
    at('inv/group_vars/etcd.yml', 1, 1, 'ansible_ssh_pass', 'group etcd');
    at('inv/more.ini', 4, 1, 'ansible_sudo_pass', 'group etcd');
    expect(r.err).to.include('`ansible_password` (-e) is not supported');
    expect(r.err).to.include('`ringmaster_become_password_env: MY_PW`').and.include('`ringmaster_ssh_password_env: MY_PW`');
    expect(r.err).to.include('5 errors found');
  });

  it('run refuses before touching a host', async () => {
    const r = await runCli(['run', 'site.yml', '-i', 'inv', '--output', 'plain'], dir, {});
    expect(r.code).to.equal(1);
    expect(r.out).not.to.include('TASK');
    expect(r.err).to.include('ansible_become_password');
  });
});
