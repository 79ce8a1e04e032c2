// `ringmaster inventory --list/--host` masks secret-named variables unless --show-secrets is given.
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli-io.js';

describe('ringmaster inventory: secrets', () => {
  let dir: string;
  let inv: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'rm-inv-secrets-'));
    inv = join(dir, 'hosts.yml');
    writeFileSync(inv, [
      'all:',
      '  vars:',
      '    etcd_password: pa55-word-1234',
      '    ringmaster_become_password_env: RM_BECOME_PW',
      '  hosts:',
      '    node1:',
      '      etcd:',
      '        api_token: tok-5566778899',
      '        port: 2379',
    ].join('\n') + '\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('--list and --host show password and token values as *** with a note on stderr', async () => {
    for (const args of [['--list'], ['--host', 'node1']]) {
      const r = await runCli(['inventory', '-i', inv, ...args], dir, {});
      expect(r.code, r.err).to.equal(0);
      expect(r.out).not.to.include('pa55-word-1234').and.not.include('tok-5566778899');
      const vars = args[0] === '--list' ? JSON.parse(r.out)._meta.hostvars.node1 : JSON.parse(r.out);
      expect(vars).to.deep.include({ etcd_password: '***', ringmaster_become_password_env: 'RM_BECOME_PW', etcd: { api_token: '***', port: 2379 } });
      expect(r.err).to.include('--show-secrets');
    }
  });

  it('--show-secrets prints them, as ansible-inventory does', async () => {
    const r = await runCli(['inventory', '-i', inv, '--host', 'node1', '--show-secrets'], dir, {});
    expect(r.code, r.err).to.equal(0);
    expect(JSON.parse(r.out)).to.deep.include({ etcd_password: 'pa55-word-1234', etcd: { api_token: 'tok-5566778899', port: 2379 } });
    expect(r.err).to.equal('');
  });
});
