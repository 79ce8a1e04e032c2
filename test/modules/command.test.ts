// Table tests of `command` and `shell`: the exact command line sent, guards, check mode and result shape.
import { expect } from 'chai';
import { splitWords } from '../../engine/connection/split-words.js';
import { SKIP_MARK } from '../../engine/modules/run-command.js';
import { runModule } from './context.js';
import { ScriptedConnection, type Step } from './fake-connection.js';

interface Row {
  it: string;
  module: 'command' | 'shell';
  args: Record<string, unknown>;
  check?: boolean;
  steps: Step[];
  expect: Record<string, unknown>;
  stdin?: string;
}

const SKIP = `{ printf %s ${SKIP_MARK} ; exit 0 ; } ;`;

const rows: Row[] = [
  {
    it: 'runs a free-form command with each word quoted, so $HOME and globs stay literal',
    module: 'command',
    args: { cmd: `echo "a b" 'c d' $HOME *.txt` },
    steps: [{ exec: `echo 'a b' 'c d' '$HOME' '*.txt'`, reply: { stdout: 'a b c d $HOME *.txt\n' } }],
    expect: { changed: true, rc: 0, stdout: 'a b c d $HOME *.txt', stdout_lines: ['a b c d $HOME *.txt'], cmd: ['echo', 'a b', 'c d', '$HOME', '*.txt'] },
  },
  {
    it: 'quotes every argv word, including shell operators that must not be interpreted',
    module: 'command',
    args: { argv: ['etcdctl', 'put', 'k', 'v; rm -rf /'] },
    steps: [{ exec: `etcdctl put k 'v; rm -rf /'` }],
    expect: { changed: true, rc: 0 },
  },
  {
    it: 'reports a non-zero exit as failed with rc, stderr and stderr_lines',
    module: 'command',
    args: { cmd: 'false' },
    steps: [{ exec: 'false', reply: { code: 1, stderr: 'boom\nbang\n' } }],
    expect: { changed: true, failed: true, rc: 1, stderr: 'boom\nbang', stderr_lines: ['boom', 'bang'], msg: 'non-zero return code' },
  },
  {
    it: 'changes into chdir and guards with creates in the same round trip',
    module: 'command',
    args: { cmd: 'tar xf a.tar', chdir: '/opt/my dir', creates: '/opt/my dir/a' },
    steps: [{ exec: `test -e '/opt/my dir/a' && ${SKIP} cd '/opt/my dir' && tar xf a.tar`, reply: { stdout: SKIP_MARK } }],
    expect: { changed: false, msg: 'skipped, since /opt/my dir/a exists', rc: 0 },
  },
  {
    it: 'runs when the removes path exists',
    module: 'command',
    args: { cmd: 'rm /tmp/x', removes: '/tmp/x' },
    steps: [{ exec: `test -e /tmp/x || ${SKIP} rm /tmp/x` }],
    expect: { changed: true, rc: 0 },
  },
  {
    it: 'in check mode runs nothing and reports the plan with changed: true',
    module: 'command',
    args: { cmd: 'etcdctl member remove abc' },
    check: true,
    steps: [],
    expect: { changed: true, commands: ['etcdctl member remove abc'] },
  },
  {
    it: 'in check mode only reads a creates guard, and reports the skip it would make',
    module: 'command',
    args: { cmd: 'make', creates: '/done' },
    check: true,
    steps: [{ exec: `test -e /done && ${SKIP} true`, reply: { stdout: SKIP_MARK } }],
    expect: { changed: false, msg: 'skipped, since /done exists' },
  },
  {
    it: 'feeds stdin with a trailing newline',
    module: 'command',
    args: { cmd: 'cat', stdin: 'hello' },
    stdin: 'hello\n',
    steps: [{ exec: 'cat', reply: { stdout: 'hello\n' } }],
    expect: { stdout: 'hello' },
  },
  {
    it: 'runs shell commands as one quoted sh -c argument, so pipes work on the host only',
    module: 'shell',
    args: { cmd: "ls /etc | grep -c 'ku'" },
    steps: [{ exec: `/bin/sh -c 'ls /etc | grep -c '\\''ku'\\'''`, reply: { stdout: '3\n' } }],
    expect: { changed: true, stdout: '3', cmd: "ls /etc | grep -c 'ku'" },
  },
  {
    it: 'uses the given executable for shell',
    module: 'shell',
    args: { cmd: 'echo $BASH_VERSION', executable: '/bin/bash', chdir: '/tmp' },
    steps: [{ exec: `cd /tmp && /bin/bash -c 'echo $BASH_VERSION'` }],
    expect: { changed: true },
  },
];

describe('modules: command and shell', () => {
  for (const row of rows) {
    it(`${row.module} ${row.it}`, async () => {
      const conn = new ScriptedConnection(row.steps);
      const result = await runModule(row.module, conn, row.args, { check: row.check });
      expect(result).to.deep.include(row.expect);
      expect(conn.remaining(), 'every scripted command ran').to.deep.equal([]);
      if (row.stdin !== undefined) expect(conn.calls[0].stdin).to.equal(row.stdin);
    });
  }
});

describe('modules: splitWords', () => {
  const table: Array<[string, string[]]> = [
    ['a  b\tc', ['a', 'b', 'c']],
    [`"a \\"q\\" b" 'c\\d'`, ['a "q" b', 'c\\d']],
    ['e\\ f g', ['e f', 'g']],
    [`x="" ''`, ['x=', '']],
  ];
  for (const [line, words] of table) {
    it(`splits ${JSON.stringify(line)} like a shell would`, () => expect(splitWords(line)).to.deep.equal(words));
  }
  it('refuses an unterminated quote', () => expect(() => splitWords(`echo 'oops`)).to.throw(/unterminated single quote/));
});
