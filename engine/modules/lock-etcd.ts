// etcd_lock's etcd backend: a key created only if absent (one txn) on a lease renewed while the run lasts.
import { parseEtcdJson, toHexId } from '../etcd/json.js';
import type { EtcdLockArgs } from '../generated/schema-types.js';
import type { ModuleContext, ModuleResult } from './define.js';
import { endpointsArg, etcdctlCommand, etcdError, runEtcdctl } from './etcd-common.js';
import { majorityEndpoints } from './etcd-view.js';
import { describeHolder, execOutside, heldId, heldLocks, hold, holderRecord, isMine, lastLine, refusal } from './lock-record.js';

/** The lock key as read: its value and lease (hex, '' for none). */
export interface KeyLock { value: string; lease: string }

interface RawKv { key: string; value?: string; lease?: string | number }

const decode = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');

function kvOf(kv: RawKv | undefined): KeyLock | undefined {
  if (!kv) return undefined;
  return { value: decode(kv.value ?? ''), lease: kv.lease && String(kv.lease) !== '0' ? toHexId(String(kv.lease)) : '' };
}

/** The lock key now; undefined when free. `quiet`: etcd not answering is undefined too (the files backend's look). */
export async function readKeyLock(ctx: ModuleContext, args: EtcdLockArgs, key: string, quiet = false): Promise<KeyLock | undefined> {
  const flags = quiet ? ['--command-timeout=3s'] : [];
  const out = await runEtcdctl(ctx, etcdctlCommand(ctx, endpointsArg(args.endpoints), ...flags, 'get', key, '-w', 'json'));
  if (!out.ok) {
    if (quiet) return undefined;
    throw etcdError(ctx, `cannot read the lock ${key}: ${out.error}`, 'the etcd lock needs a cluster with quorum; a playbook for a cluster without quorum locks with files (backend: files)');
  }
  return kvOf(((parseEtcdJson(out.stdout, `get ${key}`) as { kvs?: RawKv[] }).kvs ?? [])[0]);
}

/** The note a refusal adds about an etcd lock: a key without a lease never goes away by itself. */
export function leaseNote(lock: KeyLock): string {
  return lock.lease ? `, lease ${lock.lease}` : ' (a key without a lease: it never expires by itself)';
}

export async function acquireEtcd(ctx: ModuleContext, args: EtcdLockArgs, key: string, ttl: number, crossCheck: () => Promise<ModuleResult | undefined>): Promise<ModuleResult> {
  const id = heldId(ctx, 'etcd', key);
  if (heldLocks.has(id)) return { changed: false, key, msg: `${key} is already held by this run (${ctx.run.id})` };
  const ep = await majorityEndpoints(ctx, endpointsArg(args.endpoints));
  const current = await readKeyLock(ctx, { ...args, endpoints: ep }, key);
  if (current && isMine(ctx, current.value)) return { changed: false, key, msg: `${key} is already held by this run (${ctx.run.id})` };
  if (current && !ctx.run.breakLock) return refusal(ctx, key, current.value, leaseNote(current));
  const del = etcdctlCommand(ctx, ep, 'del', key);
  const grant = etcdctlCommand(ctx, ep, 'lease', 'grant', String(ttl));
  const txn = etcdctlCommand(ctx, ep, 'txn', '-w', 'json');
  const commands = [...(current ? [del.display()] : []), grant.display(), `${txn.display()} <<< 'create("${key}") = "0" → put --lease=LEASE ${key} <holder record>'`];
  if (ctx.check) {
    const other = await crossCheck();
    if (other) return other;
    return { changed: current !== undefined, key, commands, msg: `check mode: would ${current ? `break the lock of ${describeHolder(current.value)} and ` : ''}acquire ${key} (lease TTL ${ttl}s)` };
  }
  if (current) {
    const out = await runEtcdctl(ctx, del);
    if (!out.ok) throw etcdError(ctx, `--break-lock: cannot delete ${key}: ${out.error}`);
    ctx.warn(`--break-lock: broke the lock ${key} of ${describeHolder(current.value)}${leaseNote(current)}`);
  }
  const granted = await runEtcdctl(ctx, grant);
  const lease = /lease ([0-9a-f]+) granted/.exec(granted.stdout)?.[1];
  if (!granted.ok || !lease) throw etcdError(ctx, `cannot take the lock ${key}: lease grant failed: ${granted.error || lastLine(granted.stdout)}`, 'the etcd lock needs a cluster with quorum');
  const revoke = (signal?: AbortSignal) => execOutside(ctx, etcdctlCommand(ctx, ep, 'lease', 'revoke', lease), 15_000, signal);
  const record = holderRecord(ctx, 'etcd', ttl, lease);
  // etcdctl's txn reads compares, then success ops, then failure ops, each ended by an empty line; the value is a
  // Go-quoted string (JSON string quoting is a subset of it).
  const script = [`create(${JSON.stringify(key)}) = "0"`, '', `put --lease=${lease} ${key} ${JSON.stringify(JSON.stringify(record))}`, '', `get ${key}`, '', ''].join('\n');
  // Registered before the txn: a run interrupted while the txn is in flight (the key may be written already) still
  // revokes the lease at its end, instead of leaving the lock to its TTL.
  hold(ctx, id, `the lock ${key} (lease ${lease})`, ttl, () => execOutside(ctx, etcdctlCommand(ctx, ep, 'lease', 'keep-alive', '--once', lease), (ttl * 1000) / 3), async (signal) => {
    const r = await revoke(signal);
    if (r.code === 0) return `released ${key} (lease ${lease} revoked)`;
    const err = lastLine(r.stderr) || `exit code ${r.code}`;
    if (/lease not found/.test(err)) return `${key}: lease ${lease} had already expired`;
    throw new Error(`${err}; the lock expires by itself within ${ttl}s`);
  });
  const letGo = () => heldLocks.get(id)?.release(new AbortController().signal).catch(() => undefined);
  const out = await ctx.exec(txn, { stdin: script });
  if (out.code !== 0) {
    await letGo();
    throw etcdError(ctx, `cannot take the lock ${key}: ${lastLine(out.stderr) || `exit code ${out.code}`}`);
  }
  // The range response's JSON name: `ResponseRange` up to etcdctl 3.5 (gogo protobuf), `response_range` from 3.6.
  const answer = parseEtcdJson(out.stdout, `txn on ${key}`) as { succeeded?: boolean; responses?: Array<{ Response?: { ResponseRange?: { kvs?: RawKv[] }; response_range?: { kvs?: RawKv[] } } }> };
  if (answer.succeeded !== true) {
    // Taken between our read and our txn: by whom is in the same answer.
    await letGo();
    const range = answer.responses?.[0]?.Response;
    const now = kvOf((range?.ResponseRange ?? range?.response_range)?.kvs?.[0]);
    return refusal(ctx, key, now?.value ?? '', now ? leaseNote(now) : '');
  }
  const other = await crossCheck();
  if (other) return other; // our key goes with the run-end release
  return { changed: current !== undefined, key, lease, holder: record, commands, msg: `acquired ${key} for run ${ctx.run.id} (lease ${lease}, TTL ${ttl}s, renewed every ${Math.floor(ttl / 3)}s)` };
}
