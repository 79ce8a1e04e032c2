// Table tests of `copy` and `template` on a scripted connection: checksum first, no-op, backup, diff, check mode.
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backupName, diffText, sha256 } from '../../engine/modules/place-file.js';
import { statCommand } from '../../engine/modules/remote-file.js';
import { runModule } from './context.js';
import { ScriptedConnection, type Step } from './fake-connection.js';

const statOf = (path: string) => statCommand(path, true).render();
/** What the stat script prints for a regular file with this content. */
const fileAnswer = (content: string, perm = '644', user = 'root', group = 'root') =>
  `81a4 ${Buffer.byteLength(content)} ${perm} 0 0 1700000000 ${user} ${group}\n${sha256(content)}  -\n`;

interface Row {
  it: string;
  module?: 'copy' | 'template';
  args: Record<string, unknown>;
  check?: boolean;
  diff?: boolean;
  steps: Step[];
  expect: Record<string, unknown>;
}

const rows: Row[] = [
  {
    it: 'writes a missing file with put, passing mode and owner along',
    args: { content: 'a=1\n', dest: '/etc/x.conf', mode: '0600', owner: 'etcd' },
    steps: [{ exec: statOf('/etc/x.conf'), reply: { stdout: 'absent\n' } }, { put: '/etc/x.conf', content: 'a=1\n' }],
    expect: { changed: true, dest: '/etc/x.conf', checksum: sha256('a=1\n') },
  },
  {
    it: 'changes nothing when checksum and attributes already match (one round trip)',
    args: { content: 'a=1\n', dest: '/etc/x.conf', mode: '0644', owner: 'root' },
    steps: [{ exec: statOf('/etc/x.conf'), reply: { stdout: fileAnswer('a=1\n') } }],
    expect: { changed: false, checksum: sha256('a=1\n') },
  },
  {
    it: 'fixes only the mode when the content already matches',
    args: { content: 'a=1\n', dest: '/etc/x.conf', mode: '0600' },
    steps: [{ exec: statOf('/etc/x.conf'), reply: { stdout: fileAnswer('a=1\n') } }, { exec: 'chmod 0600 -- /etc/x.conf' }],
    expect: { changed: true, commands: ['chmod 0600 -- /etc/x.conf'] },
  },
  {
    it: 'leaves an existing different file alone with force: false',
    args: { content: 'new', dest: '/etc/x.conf', force: false },
    steps: [{ exec: statOf('/etc/x.conf'), reply: { stdout: fileAnswer('old') } }],
    expect: { changed: false, checksum: sha256('old') },
  },
  {
    it: 'in check mode computes the change and writes nothing',
    args: { content: 'new', dest: '/etc/x.conf', backup: true },
    check: true,
    steps: [{ exec: statOf('/etc/x.conf'), reply: { stdout: fileAnswer('old') } }],
    expect: { changed: true, checksum: sha256('new') },
  },
  {
    it: 'shows before and after with --diff, reading the old file only because it differs',
    args: { content: 'new\n', dest: '/etc/x.conf' },
    diff: true,
    steps: [{ exec: statOf('/etc/x.conf'), reply: { stdout: fileAnswer('old\n') } }, { get: '/etc/x.conf', data: 'old\n' }, { put: '/etc/x.conf', content: 'new\n' }],
    expect: { changed: true, diff: [{ path: '/etc/x.conf', before: 'old\n', after: 'new\n' }] },
  },
  {
    it: 'refuses to overwrite a directory',
    args: { content: 'x', dest: '/etc' },
    steps: [{ exec: statOf('/etc'), reply: { stdout: '41ed 4096 755 0 0 1700000000 root root\n' } }],
    expect: { changed: false, failed: true, msg: '/etc is a directory' },
  },
  {
    it: 'renders the template with the host variables and places it like copy',
    module: 'template',
    args: { src: 'etcd.conf.hbs', dest: '/etc/etcd.conf' },
    steps: [{ exec: statOf('/etc/etcd.conf'), reply: { stdout: 'absent\n' } }, { put: '/etc/etcd.conf', content: 'name=node1\n' }],
    expect: { changed: true, checksum: sha256('name=node1\n') },
  },
  {
    it: 'changes nothing when the rendered template is already in place',
    module: 'template',
    args: { src: 'etcd.conf.hbs', dest: '/etc/etcd.conf' },
    steps: [{ exec: statOf('/etc/etcd.conf'), reply: { stdout: fileAnswer('name=node1\n') } }],
    expect: { changed: false },
  },
];

describe('modules: copy and template', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'rm-copy-'));
    writeFileSync(join(dir, 'etcd.conf.hbs'), 'name={{ name }}\n');
    writeFileSync(join(dir, 'snap.bin'), Buffer.from([0, 1, 2]));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const row of rows) {
    it(`${row.module ?? 'copy'} ${row.it}`, async () => {
      const conn = new ScriptedConnection(row.steps);
      const result = await runModule(row.module ?? 'copy', conn, row.args, { check: row.check, diff: row.diff, playbookDir: dir, vars: { name: 'node1' } });
      expect(result).to.deep.include(row.expect);
      expect(conn.remaining(), 'every scripted call happened').to.deep.equal([]);
    });
  }

  it('copy passes mode, owner and group to put so the new file is born with them', async () => {
    const conn = new ScriptedConnection([{ exec: statOf('/x'), reply: { stdout: 'absent\n' } }, { put: '/x' }]);
    await runModule('copy', conn, { content: 'x', dest: '/x', mode: '0600', owner: 'etcd', group: 'etcd' });
    expect(conn.calls[1].options).to.include({ mode: '0600', owner: 'etcd', group: 'etcd' });
  });

  it('copy keeps the old file as a timestamped backup before replacing it', async () => {
    const conn = new ScriptedConnection([
      { exec: statOf('/etc/x'), reply: { stdout: fileAnswer('old') } },
      { exec: /^sh -c 'set -C && : > "\$2" && cp -p -- "\$1" "\$2"' keep \/etc\/x '\/etc\/x\.\d{4}-\d\d-\d\d@\d\d:\d\d:\d\d\.\d{3}-r1~'$/ },
      { put: '/etc/x', content: 'new' },
    ]);
    const result = await runModule('copy', conn, { content: 'new', dest: '/etc/x', backup: true }, { vars: { ringmaster_run_id: 'r1' } });
    expect(result.changed).to.equal(true);
    expect(result.backup_file).to.match(/^\/etc\/x\.\d{4}-\d\d-\d\d@\d\d:\d\d:\d\d\.\d{3}-r1~$/);
  });

  it('copy reads src from the playbook folder and puts it inside a destination folder', async () => {
    const conn = new ScriptedConnection([
      { exec: statOf('/backup'), reply: { stdout: '41ed 4096 755 0 0 1700000000 root root\n' } },
      { exec: statOf('/backup/snap.bin'), reply: { stdout: 'absent\n' } },
      { put: '/backup/snap.bin', content: Buffer.from([0, 1, 2]) },
    ]);
    const result = await runModule('copy', conn, { src: 'snap.bin', dest: '/backup' }, { playbookDir: dir });
    expect(result).to.include({ changed: true, dest: '/backup/snap.bin' });
  });

  it('copy fails naming a src that is not on the controller, before touching the host', async () => {
    const conn = new ScriptedConnection([]);
    const result = await runModule('copy', conn, { src: 'missing.txt', dest: '/x' }, { playbookDir: dir });
    expect(result).to.include({ failed: true });
    expect(result.msg).to.contain('missing.txt');
  });

  it('template fails with the undefined variable named when the template uses one', async () => {
    const conn = new ScriptedConnection([]);
    let err: unknown;
    await runModule('template', conn, { src: 'etcd.conf.hbs', dest: '/x' }, { playbookDir: dir, vars: {} }).catch((e) => (err = e));
    expect(String(err)).to.contain('name');
  });

  it('says "binary" in a diff instead of printing bytes', () => {
    expect(diffText(Buffer.from([0, 159, 1]))).to.match(/^\(binary: 3 bytes, sha256 [0-9a-f]{64}\)$/);
    expect(diffText(Buffer.from('text'))).to.equal('text');
  });

  it('names backups DEST.YYYY-MM-DD@HH:MM:SS.mmm-RUNID~', () => {
    expect(backupName('/etc/a', '0a1b2c', new Date('2024-05-06T07:08:09.123Z'))).to.equal('/etc/a.2024-05-06@07:08:09.123-0a1b2c~');
  });
});
