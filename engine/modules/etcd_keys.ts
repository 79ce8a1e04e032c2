// `etcd_keys`: list, get, count or delete keys; delete takes exact keys only and saves their old raw values on the controller first.
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseEtcdJson } from '../etcd/json.js';
import type { EtcdKeysArgs } from '../generated/schema-types.js';
import { defineModule, type ModuleContext, type ModuleResult } from './define.js';
import { endpointsArg, etcdctlCommand, etcdError, runEtcdctl } from './etcd-common.js';
import { evidenceClock, evidenceStamp, writeExclusive } from './evidence.js';

interface RawKv { key: string; value?: string; create_revision?: number; mod_revision?: number; version?: number }
interface RawGet { header: { revision: number }; kvs?: RawKv[]; count?: number; more?: boolean }

const decode = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');

export const etcdKeysModule = defineModule<EtcdKeysArgs>({
  name: 'etcd_keys',
  description: 'List, read, count or delete etcd keys; delete takes exact keys only, refuses a missing key before changing anything, and first saves the old raw values to a controller file.',
  schema: 'modules/etcd_keys.json',
  supportsCheckMode: true,
  idempotent: false,
  example: `- name: Delete one corrupted pod object, keeping its raw value
  etcd_keys:
    action: delete
    key: /registry/pods/kube-system/broken-pod
    backup_dest: backups/keys
  run_once: true
`,
  async run(ctx, args) {
    const keys = Array.isArray(args.key) ? args.key : [args.key];
    // An empty key means "everything" to etcdctl: allowed only where that is what the user asked for.
    if (keys.includes('') && !(args.prefix && (args.action === 'count' || args.action === 'list'))) throw etcdError(ctx, `etcd_keys action=${args.action}: the key is empty`, 'an empty key with prefix: true counts or lists every key; nothing else takes it');
    if (args.action === 'delete') return del(ctx, args, keys);
    if (keys.length !== 1) throw etcdError(ctx, `etcd_keys action=${args.action} takes one key`);
    const key = keys[0];
    if (args.action === 'count') {
      // etcd 3.4 has no --count-only: a one-key page still carries the total in `count`.
      const flags = args.prefix ? ['--prefix'] : [];
      const r = await get(ctx, args, key, ...flags, '--keys-only', '--limit=1');
      return { changed: false, key, count: Number(r.count ?? 0), revision: Number(r.header.revision), msg: `${Number(r.count ?? 0)} key(s) ${args.prefix ? `under ${key}` : `named ${key}`}` };
    }
    const keysOnly = args.action === 'list' || args.keys_only === true;
    const flags = [...(args.prefix || args.action === 'list' ? ['--prefix'] : []), ...(keysOnly ? ['--keys-only'] : []), ...(args.limit ? [`--limit=${args.limit}`] : [])];
    const r = await get(ctx, args, key, ...flags);
    const kvs = (r.kvs ?? []).map((kv) => ({ key: decode(kv.key), ...(keysOnly ? {} : { value: decode(kv.value ?? ''), value_base64: kv.value ?? '' }), mod_revision: Number(kv.mod_revision), version: Number(kv.version) }));
    return { changed: false, revision: Number(r.header.revision), count: Number(r.count ?? 0), more: r.more === true, keys: kvs.map((k) => k.key), ...(keysOnly ? {} : { kvs }), msg: `${kvs.length} key(s)${r.more ? ` of ${r.count}` : ''}` };
  },
});

async function get(ctx: ModuleContext, args: EtcdKeysArgs, key: string, ...flags: string[]): Promise<RawGet> {
  const c = etcdctlCommand(ctx, endpointsArg(args.endpoints), 'get', key, ...flags, '-w', 'json');
  const out = await runEtcdctl(ctx, c);
  if (!out.ok) throw etcdError(ctx, `etcdctl get ${key} failed: ${out.error}`, 'check that etcd has quorum (etcd_health)');
  return parseEtcdJson(out.stdout, `get ${key}`) as RawGet;
}

async function del(ctx: ModuleContext, args: EtcdKeysArgs, keys: string[]): Promise<ModuleResult> {
  if (args.prefix) throw etcdError(ctx, 'etcd_keys refuses to delete by prefix', 'list the keys (action=list) and delete them by exact name');
  if (!args.backup_dest) throw etcdError(ctx, 'etcd_keys action=delete needs `backup_dest` (a controller folder for the old values)');
  // Read every key before touching any: a missing one stops the task with nothing changed.
  const saved: Array<{ key: string; value_base64: string; mod_revision: number; create_revision: number; version: number }> = [];
  let revisionBefore = 0;
  for (const key of keys) {
    const r = await get(ctx, args, key);
    revisionBefore = Math.max(revisionBefore, Number(r.header.revision));
    const kv = (r.kvs ?? []).find((x) => decode(x.key) === key);
    if (!kv) throw etcdError(ctx, `key ${key} does not exist (revision ${r.header.revision}); nothing was deleted`, 'check the exact key with etcd_keys action=list and a prefix');
    saved.push({ key, value_base64: kv.value ?? '', mod_revision: Number(kv.mod_revision), create_revision: Number(kv.create_revision), version: Number(kv.version) });
  }
  const dels = keys.map((k) => etcdctlCommand(ctx, endpointsArg(args.endpoints), 'del', k, '-w', 'json'));
  // Run ID + millisecond in the name, created exclusively: two runs' backups can never replace each other.
  const now = evidenceClock.now();
  const file = join(resolve(ctx.playbookDir, args.backup_dest), `etcd-keys-${ctx.host}-${evidenceStamp(ctx.vars, now)}.json`);
  const commands = [`save ${keys.length} old value(s) to ${file}`, ...dels.map((c) => c.display())];
  if (ctx.check) return { changed: true, commands, revision_before: revisionBefore, keys, msg: `check mode: would save ${keys.length} value(s) to ${file} and delete ${keys.join(', ')}` };
  await mkdir(resolve(ctx.playbookDir, args.backup_dest), { recursive: true });
  await writeExclusive(file, `${JSON.stringify({ host: ctx.host, revision: revisionBefore, time: now.toISOString(), kvs: saved }, null, 2)}\n`, 0o600)
    .catch((e: Error) => { throw etcdError(ctx, `${e.message}; nothing was deleted`); });
  let revisionAfter = revisionBefore;
  for (const c of dels) {
    const out = await runEtcdctl(ctx, c);
    if (!out.ok) throw etcdError(ctx, `${c.display()} failed: ${out.error}`, `old values are saved in ${file}`);
    revisionAfter = Number((parseEtcdJson(out.stdout, 'del') as RawGet).header.revision);
  }
  return { changed: true, commands, backup_file: file, revision_before: revisionBefore, revision_after: revisionAfter, keys, msg: `deleted ${keys.join(', ')} (revision ${revisionBefore} → ${revisionAfter}); old values in ${file}` };
}
