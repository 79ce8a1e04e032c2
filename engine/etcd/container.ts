// The docker flavour's member definition: the etcd container as `docker inspect` shows it (RKE keeps no file with
// etcd's flags), its flags, the host path behind a container path, and the `docker run` that re-creates it.
import { RingError } from '../errors/index.js';
import type { Flags } from './manifest.js';

/** What a re-created container must keep from the old one (RKE's BuildEtcdProcess sets exactly these). */
export interface ContainerDef {
  name: string;
  image: string;
  /** The process: `Path` then `Args` (RKE: `/usr/local/bin/etcd --name=… …`). */
  command: string[];
  env: string[];
  binds: string[];
  mounts: Array<{ source: string; destination: string }>;
  labels: Record<string, string>;
  network: string;
  restart: string;
  running: boolean;
  user: string;
}

interface Inspect {
  Name?: string; Path?: string; Args?: string[];
  State?: { Running?: boolean };
  Config?: { Image?: string; Env?: string[] | null; Labels?: Record<string, string> | null; User?: string };
  HostConfig?: { Binds?: string[] | null; NetworkMode?: string; RestartPolicy?: { Name?: string; MaximumRetryCount?: number } };
  Mounts?: Array<{ Type?: string; Source?: string; Destination?: string }> | null;
}

/** The definition from `docker inspect <name>` output (a JSON array of one); `where` names it in errors. */
export function parseInspect(text: string, where: string): ContainerDef {
  let list: Inspect[];
  try {
    list = JSON.parse(text) as Inspect[];
  } catch (e) {
    throw new RingError('E_TASK_FAILED', `${where}: docker inspect printed no JSON (${(e as Error).message})`);
  }
  const c = Array.isArray(list) ? list[0] : undefined;
  if (!c?.Path || !c.Config?.Image) throw new RingError('E_TASK_FAILED', `${where}: docker inspect shows no container with a command and an image`);
  const r = c.HostConfig?.RestartPolicy;
  return {
    name: (c.Name ?? '').replace(/^\//, ''),
    image: c.Config.Image,
    command: [c.Path, ...(c.Args ?? [])],
    env: c.Config.Env ?? [],
    binds: c.HostConfig?.Binds ?? [],
    mounts: (c.Mounts ?? []).filter((m) => m.Type === 'bind' && m.Source && m.Destination).map((m) => ({ source: m.Source as string, destination: m.Destination as string })),
    labels: c.Config.Labels ?? {},
    network: c.HostConfig?.NetworkMode ?? 'default',
    restart: r?.Name ? (r.Name === 'on-failure' && r.MaximumRetryCount ? `on-failure:${r.MaximumRetryCount}` : r.Name) : 'no',
    running: Boolean(c.State?.Running),
    user: c.Config.User ?? '',
  };
}

/** `--name=value` flags of the container's etcd (a bare `--flag` is `true`), as readFlags gives them for a manifest. */
export function containerFlags(def: ContainerDef): Flags {
  const flags: Flags = new Map();
  for (const a of def.command.slice(1)) {
    const m = /^--([^=]+)(?:=(.*))?$/s.exec(a);
    if (m) flags.set(m[1], m[2] === undefined ? true : m[2]);
  }
  return flags;
}

/** The host path behind a path inside the container (the longest bind mount that holds it), or undefined. */
export function hostPathOf(def: ContainerDef, inContainer: string): string | undefined {
  const p = inContainer.replace(/\/+$/, '') || '/';
  const m = [...def.mounts].sort((a, b) => b.destination.length - a.destination.length)
    .find((x) => p === x.destination.replace(/\/+$/, '') || p.startsWith(`${x.destination.replace(/\/+$/, '')}/`));
  return m ? `${m.source.replace(/\/+$/, '')}${p.slice(m.destination.replace(/\/+$/, '').length)}` : undefined;
}

/** The container's command with `set` flags replaced or appended and `remove` flags dropped (order kept). */
export function editCommand(def: ContainerDef, set: Record<string, string>, remove: string[]): string[] {
  const out: string[] = [def.command[0]];
  const done = new Set<string>();
  for (const a of def.command.slice(1)) {
    const key = /^--([^=]+)/.exec(a)?.[1];
    if (key && remove.includes(key)) continue;
    if (key && key in set) {
      if (!done.has(key)) out.push(set[key] === 'true' && !a.includes('=') ? `--${key}` : `--${key}=${set[key]}`);
      done.add(key);
      continue;
    }
    out.push(a);
  }
  for (const [k, v] of Object.entries(set)) if (!done.has(k)) out.push(v === 'true' && k === 'force-new-cluster' ? `--${k}` : `--${k}=${v}`);
  return out;
}

/** `docker create` arguments for a container like `def` (same name, image, mounts, env, labels, network, restart) running `command`. */
export function createArgs(def: ContainerDef, command: string[]): string[] {
  const args = ['create', '--name', def.name, `--net=${def.network}`, `--restart=${def.restart}`];
  for (const [k, v] of Object.entries(def.labels)) args.push('--label', `${k}=${v}`);
  for (const b of def.binds) args.push('-v', b);
  for (const e of def.env) args.push('-e', e);
  if (def.user) args.push('--user', def.user);
  return [...args, def.image, ...command];
}

/** A readable one-line `docker run` of the definition (what audits scan for flags, what a backup records). */
export function definitionText(def: ContainerDef): string {
  const q = (s: string) => (/^[A-Za-z0-9_./:=,@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
  return `docker run -d ${createArgs(def, def.command).slice(1).map(q).join(' ')}\n`;
}
