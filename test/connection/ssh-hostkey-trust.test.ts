// Host-key trust decisions against real sshds (issue 10, item 6): the command line wins over the inventory,
// trust on first use always warns and writes to --known-hosts FILE, a key of a new type for a host known with
// another type is a changed key, and the hint (accept / ssh-keygen -R) reaches the run's output.
import { expect } from 'chai';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SshConnector, type SshOptions } from '../../engine/connection/ssh/connector.js';
import { runCli } from '../helpers/cli-io.js';
import { rejection } from '../helpers/rejection.js';
import { keygen, removeDir, startSshd, workDir, type KeyPair, type Sshd } from '../helpers/sshd.js';

describe('ssh host-key trust', function () {
  this.timeout(30000);
  let dir: string;
  let key: KeyPair;
  /** Only an ed25519 host key. */
  let ed: Sshd;
  /** Both an ed25519 and an ecdsa host key. */
  let both: Sshd;
  let ecdsaHostKey: KeyPair;
  let n = 0;
  const connectors: SshConnector[] = [];
  const fresh = (name: string) => join(dir, `${name}-${++n}`);

  function connect(server: Sshd, extra: Partial<SshOptions>, vars: Record<string, unknown> = {}) {
    const c = new SshConnector({ hostKeyChecking: 'strict', env: {}, interactive: false, home: dir, ...extra });
    connectors.push(c);
    return c.connect('node1', { ansible_host: server.address, ansible_port: server.port, ansible_user: 'root', ansible_ssh_private_key_file: key.privatePath, ...vars });
  }

  before(async () => {
    dir = workDir();
    key = keygen(join(dir, 'id_ed25519'));
    ecdsaHostKey = keygen(join(dir, 'host_ecdsa'), { type: 'ecdsa' });
    [ed, both] = await Promise.all([
      startSshd({ dir: join(dir, 'ed'), address: '127.0.0.41', authorizedKeys: [key.publicText] }),
      startSshd({ dir: join(dir, 'both'), address: '127.0.0.42', authorizedKeys: [key.publicText], extra: [`HostKey ${ecdsaHostKey.privatePath}`] }),
    ]);
  });
  afterEach(async () => {
    await Promise.all(connectors.splice(0).map((c) => c.closeAll()));
  });
  after(() => {
    ed?.stop();
    both?.stop();
    removeDir(dir);
  });

  it('an explicit --host-key-checking strict wins over the inventory’s -o StrictHostKeyChecking=no', async () => {
    const file = fresh('kh');
    const notes: string[] = [];
    const e = await rejection(connect(ed, { hostKeyCheckingExplicit: true, verbose: (l) => notes.push(l) }, { ringmaster_known_hosts: file, ansible_ssh_common_args: '-o StrictHostKeyChecking=no' }));
    expect(e.code).to.equal('E_HOSTKEY_UNKNOWN');
    expect(existsSync(file)).to.equal(false);
    expect(notes.join('\n')).to.include('ignoring StrictHostKeyChecking=no: --host-key-checking strict on the command line wins');
  });

  it('through the CLI: strict on the command line refuses, nothing is recorded, and the hint is in the run output', async () => {
    const file = fresh('kh');
    const inv = fresh('inv.yml');
    writeFileSync(inv, [
      'all:', '  hosts:', '    node1:',
      `      ansible_host: ${ed.address}`, `      ansible_port: ${ed.port}`, '      ansible_user: root',
      `      ansible_ssh_private_key_file: ${key.privatePath}`, `      ringmaster_known_hosts: ${file}`,
      "      ansible_ssh_common_args: '-o StrictHostKeyChecking=no'", '',
    ].join('\n'));
    const pb = fresh('pb.yml');
    writeFileSync(pb, '- hosts: all\n  gather_facts: false\n  tasks:\n    - command: echo hi\n');
    const r = await runCli(['run', '-i', inv, pb, '--host-key-checking', 'strict', '--output', 'plain'], dir);
    expect(r.code).to.equal(4);
    expect(existsSync(file)).to.equal(false);
    const all = r.out + r.err;
    expect(all).to.include('is not in known_hosts');
    expect(all).to.match(/hint: check the fingerprint, then accept it with --host-key-checking accept-new/);
  });

  it('without the flag, the inventory’s StrictHostKeyChecking=no still means accept-new', async () => {
    const file = fresh('kh');
    await connect(ed, {}, { ringmaster_known_hosts: file, ansible_ssh_common_args: '-o StrictHostKeyChecking=no' });
    expect(readFileSync(file, 'utf8')).to.equal(`${ed.knownHostsLine()}\n`);
  });

  it('trust on first use always warns (not only with -v), once per recorded key', async () => {
    const notices: string[] = [];
    const file = fresh('kh');
    const c = new SshConnector({ hostKeyChecking: 'accept-new', env: {}, interactive: false, home: dir, notice: (l) => notices.push(l) });
    connectors.push(c);
    const vars = { ansible_host: ed.address, ansible_port: ed.port, ansible_user: 'root', ansible_ssh_private_key_file: key.privatePath, ringmaster_known_hosts: file };
    await c.connect('node1', vars);
    await c.connect('node1', vars);
    expect(notices).to.have.length(1);
    expect(notices[0]).to.include('host key of node1 was not known and is now trusted (accept-new): ssh-ed25519 SHA256:').and.include(file);
  });

  it('accept-new with --known-hosts FILE records the key in FILE, not in ~/.ssh/known_hosts', async () => {
    const file = fresh('cli_known_hosts');
    await connect(ed, { hostKeyChecking: 'accept-new', knownHostsFile: file });
    expect(readFileSync(file, 'utf8')).to.equal(`${ed.knownHostsLine()}\n`);
    expect(existsSync(join(dir, '.ssh', 'known_hosts'))).to.equal(false);
  });

  it('a host known with an ecdsa key is asked for that key, though it also has ed25519', async () => {
    const file = fresh('kh');
    const [type, body] = ecdsaHostKey.publicText.split(/\s+/);
    writeFileSync(file, `[${both.address}]:${both.port} ${type} ${body}\n`);
    const conn = await connect(both, { hostKeyChecking: 'accept-new' }, { ringmaster_known_hosts: file });
    expect(conn.info().hostKey).to.include('ecdsa-sha2-nistp256').and.include(`${file}:1`);
    expect(readFileSync(file, 'utf8').split('\n').filter(Boolean)).to.have.length(1);
  });

  it('accept-new does not record a new ed25519 key for a host known only with ecdsa: a changed key, with the ssh-keygen -R hint', async () => {
    const file = fresh('kh');
    const [type, body] = ecdsaHostKey.publicText.split(/\s+/);
    const text = `[${ed.address}]:${ed.port} ${type} ${body}\n`;
    writeFileSync(file, text);
    const e = await rejection(connect(ed, { hostKeyChecking: 'accept-new' }, { ringmaster_known_hosts: file }));
    expect(e.code).to.equal('E_HOSTKEY_CHANGED');
    expect(e.message).to.include('known_hosts has a ecdsa-sha2-nistp256 key for it').and.include(`${file}:1`).and.include('offers only ssh-ed25519');
    expect(e.hint).to.include(`ssh-keygen -R '[${ed.address}]:${ed.port}' -f ${file}`);
    expect(readFileSync(file, 'utf8')).to.equal(text);
  });

  it('strict mode does not call a host with an entry of another key type "not in known_hosts"', async () => {
    const file = fresh('kh');
    const [type, body] = ecdsaHostKey.publicText.split(/\s+/);
    writeFileSync(file, `[${ed.address}]:${ed.port} ${type} ${body}\n`);
    const e = await rejection(connect(ed, {}, { ringmaster_known_hosts: file }));
    expect(e.message).to.not.include('not in known_hosts');
    expect(e.message).to.include('known_hosts has a ecdsa-sha2-nistp256 key for it');
  });
});
