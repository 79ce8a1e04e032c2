// Parses OpenSSH ProxyJump strings (`user@host:port,user2@host2`) into hop references.
import { RingError } from '../../errors/index.js';

/** One hop as written by the user, before ssh-config or inventory lookup fills in the rest. */
export interface HopRef {
  /** A host name, an address, an ssh-config alias or an inventory host name. */
  host: string;
  port?: number;
  user?: string;
  privateKeyFile?: string;
  knownHosts?: string;
}

/** Where a ProxyJump value came from, for error messages. */
export interface SettingSource {
  host: string;
  setting: string;
}

/** `none` means "no jump host" in OpenSSH; it returns an empty list. */
export function parseProxyJump(text: string, src: SettingSource): HopRef[] {
  const trimmed = text.trim();
  if (trimmed.toLowerCase() === 'none') return [];
  if (trimmed === '') throw malformed(text, src, 'it is empty');
  return trimmed.split(',').map((part) => parseHop(part, text, src));
}

function parseHop(part: string, whole: string, src: SettingSource): HopRef {
  let s = part.trim();
  if (s === '') throw malformed(whole, src, 'it has an empty hop (two commas, or a comma at an end)');
  if (/\s/.test(s)) throw malformed(whole, src, `hop '${s}' contains white space`);
  if (s.startsWith('ssh://')) s = s.slice('ssh://'.length).replace(/\/$/, '');
  let user: string | undefined;
  const at = s.lastIndexOf('@');
  if (at >= 0) {
    user = s.slice(0, at);
    s = s.slice(at + 1);
    if (user === '') throw malformed(whole, src, `hop '${part}' has an empty user before '@'`);
  }
  let host = s;
  let portText: string | undefined;
  const v6 = /^\[([^\]]+)\](?::(.*))?$/.exec(s);
  if (v6) {
    host = v6[1];
    portText = v6[2];
  } else if (s.includes(':')) {
    const colon = s.lastIndexOf(':');
    host = s.slice(0, colon);
    portText = s.slice(colon + 1);
    if (host.includes(':')) throw malformed(whole, src, `hop '${part}' has several ':'; write an IPv6 address as [addr]:port`);
  }
  if (host === '') throw malformed(whole, src, `hop '${part}' has no host`);
  const hop: HopRef = { host };
  if (user !== undefined) hop.user = user;
  if (portText !== undefined) hop.port = parsePort(portText, () => malformed(whole, src, `hop '${part}' has a bad port '${portText}'`));
  return hop;
}

/** A TCP port 1..65535 from text or a number; `fail` builds the error. */
export function parsePort(value: unknown, fail: () => Error): number {
  const text = String(value).trim();
  if (!/^\d+$/.test(text)) throw fail();
  const n = Number(text);
  if (n < 1 || n > 65535) throw fail();
  return n;
}

function malformed(text: string, src: SettingSource, why: string): RingError {
  return new RingError('E_SSH_CONFIG', `host ${src.host}: malformed ProxyJump '${text}' in ${src.setting}: ${why}`, {
    host: src.host,
    hint: 'write jump hosts as user@host:port, separated by commas (e.g. admin@bastion:2222,root@inner)',
  });
}
