// `!vault` values are refused with a located error that says how to pass secrets instead (never printed).
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli-io.js';

const VAULTED = ['      db_password: !vault |', '          $ANSIBLE_VAULT;1.1;AES256', '          62316231323334353637'];

describe('load: Ansible Vault values', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'rm-vault-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('an inventory with a !vault value is an exit-1 error at the tag, and the ciphertext is not printed', async () => {
    const inv = join(dir, 'hosts.yml');
    writeFileSync(inv, ['all:', '  hosts:', '    node1:', ...VAULTED].join('\n') + '\n');
    const r = await runCli(['inventory', '-i', inv, '--list', '--show-secrets'], dir, {});
    expect(r.code).to.equal(1);
    expect(r.err).to.include(`${inv}:4:20: error[E_SCHEMA]: Ansible Vault (\`!vault\`) values are not supported`);
    expect(r.err).to.include('hint: keep the secret out of the file');
    expect(r.out + r.err).not.to.include('62316231323334353637');
  });

  it('a playbook with a !vault var fails validation the same way', async () => {
    const pb = join(dir, 'site.yml');
    writeFileSync(pb, ['- hosts: all', '  vars:', '    x: 1', ...VAULTED.map((l) => l.slice(2)), '  tasks: []'].join('\n') + '\n');
    const r = await runCli(['validate', pb], dir, {});
    expect(r.code).to.equal(1);
    expect(r.err).to.include(`${pb}:4:18: error[E_SCHEMA]`).and.include('ringmaster_become_password_env');
  });
});
