// Turns one host's variables (+ ssh config + ssh args) into an Endpoint: where to connect, as whom, with which keys.
import { isAbsolute, join } from 'node:path';
import { RingError } from '../../errors/index.js';
import { parsePort, parseProxyJump, type HopRef } from './proxy-jump.js';
import type { SshConfig } from './ssh-config.js';
import { parseSshArgs } from './ssh-args.js';

/** How strictly a host key is checked. */
export type HostKeyMode = 'strict' | 'accept-new' | 'off';

/** A private key file and the setting that named it (for error messages). */
export interface IdentityFile {
  path: string;
  /** Named by the user (an error if unreadable) rather than one of OpenSSH's defaults (skipped if absent). */
  explicit: boolean;
  setting: string;
}

/** One SSH server to authenticate to: a target or a jump host. */
export interface Endpoint {
  /** The name the user wrote: inventory host, ssh-config alias or address. */
  name: string;
  hostname: string;
  port: number;
  user: string;
  identityFiles: IdentityFile[];
  knownHostsFiles: string[];
  hostKeyMode: HostKeyMode;
  passwordEnv?: string;
  passphraseEnv?: string;
  connectTimeoutMs: number;
  keepaliveMs: number;
  retries: number;
}

/** What every endpoint resolution needs to know about the run. */
export interface EndpointContext {
  config: SshConfig;
  home: string;
  localUser: string;
  hostKeyChecking: HostKeyMode;
  /** --host-key-checking was given on the command line: it wins over inventory and ssh config settings. */
  hostKeyCheckingExplicit?: boolean;
  knownHostsFile?: string;
  connectTimeoutMs?: number;
  note: (line: string) => void;
}

/** Settings a hop takes from the target when it names none itself (one key for bastion and nodes). */
export interface Inherited {
  identityFiles: IdentityFile[];
  knownHostsFiles?: string[];
  passphraseEnv?: string;
}

/** An endpoint plus the ProxyJump it asks for (unresolved) and where that came from. */
export interface EndpointDraft {
  endpoint: Endpoint;
  jumps: HopRef[];
  jumpSetting: string;
}

const DEFAULT_KEYS = ['id_ed25519', 'id_ecdsa', 'id_rsa'];

function str(v: unknown): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  return String(v);
}

/** Reads one host's vars into an endpoint; `inherit` fills what a jump host leaves unsaid. */
export function draftEndpoint(name: string, vars: Record<string, unknown>, ctx: EndpointContext, inherit?: Inherited): EndpointDraft {
  const alias = str(vars.ansible_host) ?? str(vars.ansible_ssh_host) ?? name;
  const cfg = ctx.config.lookup(alias);
  const args = parseSshArgs([str(vars.ansible_ssh_common_args), str(vars.ansible_ssh_extra_args)].filter((s): s is string => !!s));
  for (const a of args.ignored) ctx.note(`ssh ${name}: ignoring ssh argument '${a}' (only ProxyJump, -J, UserKnownHostsFile, StrictHostKeyChecking are honoured)`);
  const hostname = cfg.hostName ? cfg.hostName.replace(/%h/g, alias) : alias;
  const portVar = vars.ansible_port ?? vars.ansible_ssh_port;
  const portSetting = portVar !== undefined ? `ansible_port of ${name}` : `Port in ${cfg.where.port}`;
  const portValue = portVar ?? cfg.port ?? 22;
  const port = parsePort(portValue, () => bad(name, `${portSetting} is not a TCP port: '${String(portValue)}'`));
  const user = str(vars.ansible_user) ?? str(vars.ansible_ssh_user) ?? cfg.user ?? ctx.localUser;
  const expand = (p: string): string => expandPath(p, { home: ctx.home, hostname, port, user, alias });

  const keyVar = str(vars.ansible_ssh_private_key_file) ?? str(vars.ansible_private_key_file);
  let identityFiles: IdentityFile[];
  if (keyVar) identityFiles = [{ path: expand(keyVar), explicit: true, setting: `ansible_ssh_private_key_file of ${name}` }];
  else if (cfg.identityFiles.length > 0) identityFiles = cfg.identityFiles.map((p) => ({ path: expand(p), explicit: true, setting: `IdentityFile in ${cfg.where.identityFile}` }));
  else identityFiles = [...(inherit?.identityFiles ?? []), ...DEFAULT_KEYS.map((k) => ({ path: join(ctx.home, '.ssh', k), explicit: false, setting: 'default identity' }))];

  const khVar = str(vars.ringmaster_known_hosts);
  let knownHostsFiles = khVar ? [khVar] : args.userKnownHostsFiles ?? cfg.userKnownHostsFiles ?? inherit?.knownHostsFiles;
  knownHostsFiles = (knownHostsFiles ?? [join(ctx.home, '.ssh', 'known_hosts')]).filter((f) => f !== '/dev/null').map(expand);
  // --known-hosts FILE comes first: accept-new records new keys in the first file, and that is the one asked for.
  if (ctx.knownHostsFile) knownHostsFiles = [ctx.knownHostsFile, ...knownHostsFiles.filter((f) => f !== ctx.knownHostsFile)];

  const endpoint: Endpoint = {
    name,
    hostname,
    port,
    user,
    identityFiles,
    knownHostsFiles,
    hostKeyMode: hostKeyMode(name, args.strictHostKeyChecking ?? cfg.strictHostKeyChecking, ctx),
    passwordEnv: str(vars.ringmaster_ssh_password_env),
    passphraseEnv: str(vars.ringmaster_ssh_key_passphrase_env) ?? inherit?.passphraseEnv,
    connectTimeoutMs: seconds(name, 'ringmaster_connect_timeout', vars.ringmaster_connect_timeout ?? cfg.connectTimeout, ctx.connectTimeoutMs ?? 10_000),
    keepaliveMs: seconds(name, 'ringmaster_ssh_keepalive', vars.ringmaster_ssh_keepalive, 15_000),
    retries: count(name, 'ringmaster_connect_retries', vars.ringmaster_connect_retries, 2),
  };
  const { jumps, jumpSetting } = jumpsOf(name, vars, args.proxyJump, cfg.proxyJump, cfg.where.proxyJump);
  return { endpoint, jumps, jumpSetting };
}

function jumpsOf(name: string, vars: Record<string, unknown>, argJump: string | undefined, cfgJump: string | undefined, cfgWhere?: string): { jumps: HopRef[]; jumpSetting: string } {
  const native = vars.ringmaster_proxy_jump;
  if (Array.isArray(native)) {
    const setting = `ringmaster_proxy_jump of ${name}`;
    return { jumps: native.map((h, i) => hopFromObject(h, name, `${setting}[${i}]`)), jumpSetting: setting };
  }
  if (native !== undefined && native !== null) {
    const setting = `ringmaster_proxy_jump of ${name}`;
    return { jumps: parseProxyJump(String(native), { host: name, setting }), jumpSetting: setting };
  }
  if (argJump !== undefined) {
    const setting = `ansible_ssh_common_args/ansible_ssh_extra_args of ${name}`;
    return { jumps: parseProxyJump(argJump, { host: name, setting }), jumpSetting: setting };
  }
  if (cfgJump !== undefined) {
    const setting = `ProxyJump in ${cfgWhere}`;
    return { jumps: parseProxyJump(cfgJump, { host: name, setting }), jumpSetting: setting };
  }
  return { jumps: [], jumpSetting: '' };
}

function hopFromObject(h: unknown, name: string, setting: string): HopRef {
  if (typeof h === 'string') {
    const hops = parseProxyJump(h, { host: name, setting });
    if (hops.length !== 1) throw bad(name, `${setting} must name exactly one hop, got '${h}'`);
    return hops[0];
  }
  if (typeof h !== 'object' || h === null || typeof (h as { host?: unknown }).host !== 'string') {
    throw bad(name, `${setting} must be a string or an object with at least 'host'`);
  }
  const o = h as Record<string, unknown>;
  const known = ['host', 'port', 'user', 'private_key_file', 'known_hosts'];
  const unknown = Object.keys(o).filter((k) => !known.includes(k));
  if (unknown.length > 0) throw bad(name, `${setting} has unknown key '${unknown[0]}' (allowed: ${known.join(', ')})`);
  const hop: HopRef = { host: String(o.host) };
  if (o.port !== undefined) hop.port = parsePort(o.port, () => bad(name, `${setting}.port is not a TCP port: '${String(o.port)}'`));
  if (o.user !== undefined) hop.user = String(o.user);
  if (o.private_key_file !== undefined) hop.privateKeyFile = String(o.private_key_file);
  if (o.known_hosts !== undefined) hop.knownHosts = String(o.known_hosts);
  return hop;
}

function hostKeyMode(name: string, value: string | undefined, ctx: EndpointContext): HostKeyMode {
  if (ctx.hostKeyChecking === 'off' || value === undefined) return ctx.hostKeyChecking;
  if (ctx.hostKeyCheckingExplicit) {
    ctx.note(`ssh ${name}: ignoring StrictHostKeyChecking=${value}: --host-key-checking ${ctx.hostKeyChecking} on the command line wins`);
    return ctx.hostKeyChecking;
  }
  const v = value.toLowerCase();
  if (v === 'yes' || v === 'ask') return 'strict';
  if (v === 'accept-new') return 'accept-new';
  if (v === 'no' || v === 'off') {
    ctx.note(`ssh ${name}: StrictHostKeyChecking=${value} is treated as accept-new; only --host-key-checking off disables the check`);
    return 'accept-new';
  }
  throw bad(name, `StrictHostKeyChecking has an unknown value '${value}' (yes, accept-new, no)`);
}

function seconds(name: string, setting: string, v: unknown, dflt: number): number {
  if (v === undefined || v === null || v === '') return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw bad(name, `${setting} must be a number of seconds, got '${String(v)}'`);
  return n * 1000;
}

function count(name: string, setting: string, v: unknown, dflt: number): number {
  if (v === undefined || v === null || v === '') return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw bad(name, `${setting} must be a whole number, got '${String(v)}'`);
  return n;
}

/** OpenSSH path tokens: ~, %d (home), %h, %p, %r, %n (alias), %%. */
export function expandPath(p: string, t: { home: string; hostname: string; port: number; user: string; alias: string }): string {
  let s = p.startsWith('~/') || p === '~' ? join(t.home, p.slice(1)) : p;
  s = s.replace(/%([dhprn%])/g, (_m, c: string) => ({ d: t.home, h: t.hostname, p: String(t.port), r: t.user, n: t.alias, '%': '%' })[c] ?? '');
  return isAbsolute(s) ? s : join(process.cwd(), s);
}

function bad(host: string, message: string): RingError {
  return new RingError('E_SSH_CONFIG', `host ${host}: ${message}`, { host });
}
