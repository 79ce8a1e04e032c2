// Table tests of `file` on a scripted connection: each state, attributes, recurse, idempotence and check mode.
import { expect } from 'chai';
import { statCommand } from '../../engine/modules/remote-file.js';
import { runModule } from './context.js';
import { ScriptedConnection, type Step } from './fake-connection.js';

const statOf = (path: string) => statCommand(path, false).render();
const DIR = '41ed 4096 755 0 0 1700000000 root root\n';
const FILE = '81a4 10 644 0 0 1700000000 root root\n';
const ABSENT = 'absent\n';

interface Row {
  it: string;
  args: Record<string, unknown>;
  check?: boolean;
  steps: Step[];
  expect: Record<string, unknown>;
}

const rows: Row[] = [
  {
    it: 'creates a missing directory with its parents and mode in one command',
    args: { path: '/var/backups/etcd', state: 'directory', mode: '0700' },
    steps: [{ exec: statOf('/var/backups/etcd'), reply: { stdout: ABSENT } }, { exec: 'mkdir -p -- /var/backups/etcd && chmod 0700 -- /var/backups/etcd' }],
    expect: { changed: true },
  },
  {
    it: 'leaves a directory that is already as wanted alone',
    args: { path: '/d', state: 'directory', mode: '0755', owner: 'root', group: '0' },
    steps: [{ exec: statOf('/d'), reply: { stdout: DIR } }],
    expect: { changed: false },
  },
  {
    it: 'changes owner and group with one chown',
    args: { path: '/d/f', owner: 'etcd', group: 'etcd' },
    steps: [{ exec: statOf('/d/f'), reply: { stdout: FILE } }, { exec: 'chown etcd:etcd -- /d/f' }],
    expect: { changed: true, commands: ['chown etcd:etcd -- /d/f'] },
  },
  {
    it: 'removes an existing path recursively',
    args: { path: '/tmp/old dir', state: 'absent' },
    steps: [{ exec: statOf('/tmp/old dir'), reply: { stdout: DIR } }, { exec: `rm -rf -- '/tmp/old dir'` }],
    expect: { changed: true },
  },
  {
    it: 'reports ok for an absent path that is already gone',
    args: { path: '/gone', state: 'absent' },
    steps: [{ exec: statOf('/gone'), reply: { stdout: ABSENT } }],
    expect: { changed: false },
  },
  {
    it: 'touches a missing file',
    args: { path: '/f', state: 'touch', mode: '0600' },
    steps: [{ exec: statOf('/f'), reply: { stdout: ABSENT } }, { exec: 'touch -- /f && chmod 0600 -- /f' }],
    expect: { changed: true },
  },
  {
    it: 'leaves an existing file alone on touch, so it stays idempotent',
    args: { path: '/f', state: 'touch' },
    steps: [{ exec: statOf('/f'), reply: { stdout: FILE } }],
    expect: { changed: false },
  },
  {
    it: 'fails for state file when the file does not exist',
    args: { path: '/nope' },
    steps: [{ exec: statOf('/nope'), reply: { stdout: ABSENT } }],
    expect: { changed: false, failed: true, msg: '/nope does not exist (use state: touch to create it)' },
  },
  {
    it: 'fails for state directory when a file is in the way',
    args: { path: '/f', state: 'directory' },
    steps: [{ exec: statOf('/f'), reply: { stdout: FILE } }],
    expect: { failed: true, msg: '/f exists and is not a directory' },
  },
  {
    it: 'in check mode reports the change and runs only the read',
    args: { path: '/gone', state: 'directory' },
    check: true,
    steps: [{ exec: statOf('/gone'), reply: { stdout: ABSENT } }],
    expect: { changed: true, commands: ['mkdir -p -- /gone'] },
  },
  {
    it: 'with recurse asks find whether anything inside differs, and fixes it with -R',
    args: { path: '/d', state: 'directory', recurse: true, owner: 'etcd', mode: '0700' },
    steps: [
      { exec: statOf('/d'), reply: { stdout: DIR } },
      { exec: `find /d \\( '!' -perm 0700 -o '!' -user etcd \\) -print -quit`, reply: { stdout: '/d/member\n' } },
      { exec: 'chmod -R 0700 -- /d && chown -R etcd -- /d' },
    ],
    expect: { changed: true },
  },
  {
    it: 'with recurse reports ok when find sees nothing to fix',
    args: { path: '/d', state: 'directory', recurse: true, group: 'etcd' },
    steps: [{ exec: statOf('/d'), reply: { stdout: DIR } }, { exec: `find /d \\( '!' -group etcd \\) -print -quit`, reply: { stdout: '' } }],
    expect: { changed: false },
  },
];

describe('modules: file', () => {
  for (const row of rows) {
    it(`file ${row.it}`, async () => {
      const conn = new ScriptedConnection(row.steps);
      const result = await runModule('file', conn, row.args, { check: row.check });
      expect(result).to.deep.include(row.expect);
      expect(conn.remaining(), 'every scripted command ran').to.deep.equal([]);
    });
  }

  it('turns a failing chmod into a task failure naming the command', async () => {
    const conn = new ScriptedConnection([{ exec: statOf('/f'), reply: { stdout: FILE } }, { exec: 'chmod 0600 -- /f', reply: { code: 1, stderr: 'Operation not permitted' } }]);
    let err: Error | undefined;
    await runModule('file', conn, { path: '/f', mode: '0600' }).catch((e: Error) => (err = e));
    expect(err?.message).to.equal('chmod 0600 -- /f failed: Operation not permitted');
  });
});
