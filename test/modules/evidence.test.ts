// Evidence is never overwritten: two runs in the same millisecond keep both key backups; a collision is an error.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandText } from '../../engine/connection/command.js';
import { evidenceClock, evidenceStamp, moveExclusive, newRunId, copyExclusive } from '../../engine/modules/evidence.js';
import { runModule } from './context.js';
import { ScriptedConnection } from './fake-connection.js';
import { E, fixture, ok, VARS } from '../etcd/etcd-script.js';

const KEY = '/registry/pods/kube-system/a';
const GET = { exec: E(`get ${KEY} -w json`), ...ok(fixture('get-key.json')) };
const DEL = { exec: E(`del ${KEY} -w json`), ...ok(fixture('del-key.json')) };
const SAME_MS = new Date('2026-12-02T03:04:05.678Z');

describe('evidence names and exclusive creation', () => {
  let dir = '';
  const realNow = evidenceClock.now;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ring-evidence-'));
    evidenceClock.now = () => new Date(SAME_MS);
  });
  afterEach(() => {
    evidenceClock.now = realNow;
    rmSync(dir, { recursive: true, force: true });
  });

  const deleteKey = async (runId: string) => {
    const conn = new ScriptedConnection([GET, DEL]);
    const result = await runModule('etcd_keys', conn, { action: 'delete', key: KEY, backup_dest: dir }, { vars: { ...VARS, ringmaster_run_id: runId } });
    return { result, conn };
  };

  it('two runs deleting in the same millisecond keep both key backups, under different names', async () => {
    const a = await deleteKey(newRunId());
    const b = await deleteKey(newRunId());
    expect(a.result.backup_file).to.not.equal(b.result.backup_file);
    expect(readdirSync(dir).sort()).to.deep.equal([a.result.backup_file, b.result.backup_file].map((f) => (f as string).slice(dir.length + 1)).sort());
    for (const r of [a, b]) {
      expect(r.result.backup_file).to.match(/\/etcd-keys-node1-20261202T030405678Z-[0-9a-f]{12}\.json$/);
      expect(JSON.parse(readFileSync(r.result.backup_file as string, 'utf8')).kvs[0]).to.include({ key: KEY, value_base64: 'aGVsbG8=' });
    }
  });

  it('a name collision (same run, same millisecond) is an error before the delete, and the first backup is untouched', async () => {
    const first = await deleteKey('r1');
    const before = readFileSync(first.result.backup_file as string, 'utf8');
    const conn = new ScriptedConnection([GET]);
    const err = await runModule('etcd_keys', conn, { action: 'delete', key: KEY, backup_dest: dir }, { vars: { ...VARS, ringmaster_run_id: 'r1' } }).catch((e: Error) => e);
    expect((err as Error).message).to.match(/refusing to overwrite .*etcd-keys-node1-20261202T030405678Z-r1\.json: it already exists .*; nothing was deleted$/);
    expect(conn.execs().some((c) => / del /.test(c))).to.equal(false);
    expect(readFileSync(first.result.backup_file as string, 'utf8')).to.equal(before);
  });

  it('stamps carry the millisecond and the run ID', () => {
    expect(evidenceStamp({ ringmaster_run_id: 'abc123' })).to.equal('20261202T030405678Z-abc123');
    expect(newRunId()).to.match(/^[0-9a-f]{12}$/).and.not.equal(newRunId());
  });

  it('on a host, an existing destination is refused, not replaced (copy and move)', () => {
    const sh = (c: ReturnType<typeof moveExclusive>) => {
      try {
        execFileSync('sh', ['-c', commandText(c)], { stdio: 'pipe' });
        return '';
      } catch (e) {
        return String((e as { stderr: Buffer }).stderr);
      }
    };
    writeFileSync(join(dir, 'src'), 'new');
    writeFileSync(join(dir, 'kept'), 'evidence');
    expect(sh(copyExclusive(join(dir, 'src'), join(dir, 'kept')))).to.match(/kept/);
    expect(readFileSync(join(dir, 'kept'), 'utf8')).to.equal('evidence');
    expect(sh(moveExclusive(join(dir, 'src'), join(dir, 'kept')))).to.contain(`refusing to overwrite ${join(dir, 'kept')}`);
    expect(readFileSync(join(dir, 'kept'), 'utf8')).to.equal('evidence');
    expect(readFileSync(join(dir, 'src'), 'utf8')).to.equal('new');
    expect(sh(copyExclusive(join(dir, 'src'), join(dir, 'copy')))).to.equal('');
    expect(readFileSync(join(dir, 'copy'), 'utf8')).to.equal('new');
    expect(sh(moveExclusive(join(dir, 'src'), join(dir, 'moved')))).to.equal('');
    expect(readdirSync(dir).sort()).to.deep.equal(['copy', 'kept', 'moved']);
  });
});
