// known_hosts files: lookup (plain, hashed and [host]:port entries), fingerprints, and recording new keys.
import { createHash, createHmac } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { RingError } from '../../errors/index.js';
import { hostMatches } from './ssh-config.js';

/** One key line of a known_hosts file. */
interface KnownHostLine {
  file: string;
  line: number;
  marker?: string;
  hosts: string;
  keyType: string;
  key: Buffer;
}

/** The answer for one presented key. */
export type HostKeyVerdict =
  | { kind: 'match'; file: string; line: number }
  | { kind: 'unknown' }
  | { kind: 'changed'; file: string; line: number }
  | { kind: 'other-type'; file: string; line: number; knownTypes: string[] }
  | { kind: 'revoked'; file: string; line: number };

/** `host` on port 22, `[host]:port` otherwise — the name OpenSSH writes and looks up. */
export function knownHostName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** `SHA256:...` as printed by OpenSSH (base64, no padding). */
export function fingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/** The key type named inside an SSH wire-format public key blob (e.g. `ssh-ed25519`). */
export function keyTypeOf(key: Buffer): string {
  if (key.length < 4) return 'unknown';
  const len = key.readUInt32BE(0);
  return key.subarray(4, 4 + len).toString('latin1');
}

function readLines(file: string): KnownHostLine[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new RingError('E_SSH_CONFIG', `cannot read known_hosts file ${file}: ${(e as Error).message}`, { cause: e });
  }
  const out: KnownHostLine[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const s = raw.trim();
    if (s === '' || s.startsWith('#')) return;
    const f = s.split(/\s+/);
    const marker = f[0].startsWith('@') ? f.shift() : undefined;
    if (f.length < 3) return;
    out.push({ file, line: i + 1, marker, hosts: f[0], keyType: f[1], key: Buffer.from(f[2], 'base64') });
  });
  return out;
}

function hashedMatch(entry: string, name: string): boolean {
  const [, kind, salt, hash] = entry.split('|');
  if (kind !== '1' || !salt || !hash) return false;
  const h = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64');
  return h === hash;
}

function lineMatches(l: KnownHostLine, name: string): boolean {
  if (l.hosts.startsWith('|')) return hashedMatch(l.hosts, name);
  return hostMatches(l.hosts.split(','), name);
}

/** Entries in `files` that name this host (cert-authority lines are not host keys and are skipped). */
function entriesFor(files: string[], host: string, port: number): KnownHostLine[] {
  const name = knownHostName(host, port);
  return files.flatMap(readLines).filter((l) => l.marker !== '@cert-authority' && lineMatches(l, name));
}

/** Is `key` the known key of host:port? Same type but different key = changed. */
export function checkHostKey(files: string[], host: string, port: number, key: Buffer): HostKeyVerdict {
  const entries = entriesFor(files, host, port);
  const revoked = entries.find((l) => l.marker === '@revoked' && l.key.equals(key));
  if (revoked) return { kind: 'revoked', file: revoked.file, line: revoked.line };
  const same = entries.find((l) => l.marker === undefined && l.key.equals(key));
  if (same) return { kind: 'match', file: same.file, line: same.line };
  const type = keyTypeOf(key);
  const sameType = entries.find((l) => l.marker === undefined && l.keyType === type);
  if (sameType) return { kind: 'changed', file: sameType.file, line: sameType.line };
  const other = entries.filter((l) => l.marker === undefined);
  if (other.length) return { kind: 'other-type', file: other[0].file, line: other[0].line, knownTypes: [...new Set(other.map((l) => l.keyType))] };
  return { kind: 'unknown' };
}

/** Key types already known for this host, so the handshake asks the server for one of those first. */
export function knownKeyTypes(files: string[], host: string, port: number): string[] {
  return [...new Set(entriesFor(files, host, port).filter((l) => l.marker === undefined).map((l) => l.keyType))];
}

/** Appends a plain entry (trust on first use); creates the folder with 0700 like OpenSSH. */
export function appendKnownHost(file: string, host: string, port: number, key: Buffer): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  appendFileSync(file, `${knownHostName(host, port)} ${keyTypeOf(key)} ${key.toString('base64')}\n`, { mode: 0o600 });
}
