// Secrets through the whole CLI (real event bus and masker, local transport): what is masked, and what is not.
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli-io.js';

const INVENTORY = `all:
  hosts:
    localhost:
      ansible_connection: local
      ringmaster_become_password_env: RM_BECOME_PW
      ansible_ssh_private_key_file: /nonexistent/id_ed25519
    db1:
      db_password: db-pass-4242
`;

describe('cli: secrets in run output', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'rm-cli-secrets-'));
    writeFileSync(join(dir, 'inv.yml'), INVENTORY);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function run(tasks: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}) {
    const pb = join(dir, `pb-${Math.random().toString(36).slice(2)}.yml`);
    writeFileSync(pb, `- hosts: localhost\n  gather_facts: false\n  tasks:\n${tasks}`);
    return runCli(['run', pb, '-i', join(dir, 'inv.yml'), '--output', 'plain', ...extra], dir, { NO_COLOR: '1', ...env });
  }

  it('no_log masks what its task produced, not the engine words of its result (task names stay readable)', async () => {
    const r = await run(`    - name: Read the token
      shell: echo s3cret-token-value
      register: tok
      no_log: true
      loop: [one]
    - name: Show the item count
      debug:
        msg: "{{ tok.results.[0].stdout }}"
`);
    expect(r.code).to.equal(0);
    expect(r.out).to.include('TASK [Show the item count]');
    expect(r.out).not.to.include('s3cret-token-value');
  });

  it('masks secret variables of hosts outside the play (hostvars)', async () => {
    const r = await run(`    - debug:\n        msg: "db is {{ hostvars.db1.db_password }}"\n`);
    expect(r.code).to.equal(0);
    expect(r.out).to.include('db is ***').and.not.include('db-pass-4242');
  });

  it('masks the result of a register with a secret-looking name', async () => {
    const r = await run(`    - shell: echo tok-abcdef123
      register: api_token
      changed_when: false
    - debug:
        msg: "got {{ api_token.stdout }}"
`);
    expect(r.code).to.equal(0);
    expect(r.out).to.include('got ***').and.not.include('tok-abcdef123');
  });

  it('does not mask *_env and *_file variables: they name where a secret is, not the secret', async () => {
    const r = await run(`    - debug:\n        msg: "env {{ ringmaster_become_password_env }} key {{ ansible_ssh_private_key_file }}"\n`);
    expect(r.out).to.include('env RM_BECOME_PW key /nonexistent/id_ed25519');
  });

  it('masks the become password named by ringmaster_become_password_env wherever it shows up', async () => {
    const r = await run(`    - shell: echo become-pw-777\n      changed_when: false\n`, ['-v'], { RM_BECOME_PW: 'become-pw-777' });
    expect(r.code).to.equal(0);
    expect(r.out + r.err).to.include('***').and.not.include('become-pw-777');
  });

  it('masks a become password named in play vars, in the JSON stream too', async () => {
    const pb = join(dir, 'play-vars.yml');
    writeFileSync(pb, '- hosts: localhost\n  gather_facts: false\n  vars:\n    ringmaster_become_password_env: RM_PLAY_PW\n  tasks:\n    - shell: echo play-pw-31337\n');
    const r = await runCli(['run', pb, '-i', join(dir, 'inv.yml'), '--output', 'json'], dir, { RM_PLAY_PW: 'play-pw-31337' });
    expect(r.code).to.equal(0);
    expect(r.out).to.include('"stdout":"***"').and.not.include('play-pw-31337');
  });

  it('routes -v lines through the masker and hides those of no_log tasks', async () => {
    const r = await run(`    - pause:
        seconds: 0
        prompt: "waiting with {{ db_password }}"
    - pause:
        seconds: 0
        prompt: "hidden s3cret-prompt-text"
      no_log: true
`, ['-v', '-e', 'db_password=pw-from-argv-99']);
    expect(r.code).to.equal(0);
    expect(r.err).to.include('waiting with ***');
    expect(r.out + r.err).not.to.include('pw-from-argv-99').and.not.include('s3cret-prompt-text');
    expect(r.err).to.include('(output hidden: no_log)');
  });

  it('renders templates in environment values', async () => {
    // the shell itself checks the value: a result printed later would be templated again on its way out
    const r = await run(`    - shell: test "$GREETING" = "hello localhost"
      environment:
        GREETING: "hello {{ inventory_hostname }}"
      changed_when: false
`);
    expect(r.out).to.include('ok: [localhost]');
    expect(r.code).to.equal(0);
  });
});
