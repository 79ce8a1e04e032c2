// Reading and editing the flags of an etcd static-pod manifest (or kubespray's /etc/etcd.env), keeping the rest as it was.
import { isMap, isSeq, parseDocument, type Document } from 'yaml';
import { RingError } from '../errors/index.js';
import { editEnvFlags, isEnvFile, readEnvFlags } from './env-file.js';

/** `--name=value` flags of the etcd container; a bare `--flag` has the value `true`. */
export type Flags = Map<string, string | true>;

export interface FlagEdits {
  /** Set (or add) `--key=value`. */
  set?: Record<string, string>;
  /** Remove these flags if present (`force-new-cluster`). */
  remove?: string[];
}

export interface EditResult {
  text: string;
  changed: boolean;
  before: Flags;
  after: Flags;
}

function load(text: string, file: string): Document {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new RingError('E_TASK_FAILED', `${file} is not valid YAML: ${doc.errors[0].message}`);
  return doc;
}

/** The `command` sequence of the container named etcd (or the first container). */
function commandNode(doc: Document, file: string) {
  const containers = doc.getIn(['spec', 'containers']);
  if (!isSeq(containers) || containers.items.length === 0) {
    throw new RingError('E_TASK_FAILED', `${file} has no spec.containers: is it an etcd static-pod manifest?`);
  }
  const etcd = containers.items.find((c) => isMap(c) && c.get('name') === 'etcd') ?? containers.items[0];
  const command = isMap(etcd) ? etcd.get('command', true) : undefined;
  if (!isSeq(command)) throw new RingError('E_TASK_FAILED', `${file}: the etcd container has no command list`);
  return command;
}

/** The `args` items of the etcd container (empty when it has none). */
function argsNode(doc: Document): unknown[] {
  const containers = doc.getIn(['spec', 'containers']);
  const etcd = isSeq(containers) ? containers.items.find((c) => isMap(c) && c.get('name') === 'etcd') ?? containers.items[0] : undefined;
  const args = isMap(etcd) ? etcd.get('args', true) : undefined;
  return isSeq(args) ? args.items : [];
}

function parseFlag(item: unknown): [string, string | true] | undefined {
  const s = String(item);
  const m = /^--([^=]+)(?:=(.*))?$/s.exec(s);
  if (!m) return undefined;
  return [m[1], m[2] === undefined ? true : m[2]];
}

export function readFlags(text: string, file = 'etcd.yaml'): Flags {
  if (isEnvFile(file)) return readEnvFlags(text);
  const doc = load(text, file);
  const seq = commandNode(doc, file);
  const flags: Flags = new Map();
  // kubeadm puts every flag in `command`; RKE2 runs `command: [etcd]` with its flags in `args`.
  for (const item of [...seq.items, ...argsNode(doc)]) {
    const f = parseFlag((item as { value?: unknown }).value ?? item);
    if (f) flags.set(f[0], f[1]);
  }
  return flags;
}

/** Apply edits in place in the YAML (order and comments kept); new flags are appended. */
export function editFlags(text: string, edits: FlagEdits, file = 'etcd.yaml'): EditResult {
  if (isEnvFile(file)) {
    const before = readFlags(text, file);
    const out = editEnvFlags(text, edits.set ?? {}, edits.remove ?? []);
    const after = readFlags(out, file);
    return { text: out, changed: !sameFlags(before, after), before, after };
  }
  const doc = load(text, file);
  const seq = commandNode(doc, file);
  const before = readFlags(text, file);
  const config = before.get('config-file');
  if (config !== undefined) {
    // etcd reads only that file when --config-file is given: a flag edited here would be silently ignored.
    throw new RingError('E_TASK_FAILED', `${file}: etcd takes its flags from --config-file=${config} (as RKE2 and k3s run it) and ignores the others on its command line, so editing them here would change nothing`,
      { hint: `edit ${config} itself (ringmaster does not edit etcd config files yet), or use the distribution's own tool (rke2 server --cluster-reset, rke2 etcd-snapshot)` });
  }
  const remove = new Set(edits.remove ?? []);
  const pending = new Map(Object.entries(edits.set ?? {}));
  seq.items = seq.items.filter((item) => {
    const f = parseFlag((item as { value?: unknown }).value ?? item);
    return !(f && remove.has(f[0]));
  });
  for (const item of seq.items) {
    const node = item as { value?: unknown };
    const f = parseFlag(node.value ?? item);
    if (f && pending.has(f[0])) {
      node.value = `--${f[0]}=${pending.get(f[0])}`;
      pending.delete(f[0]);
    }
  }
  for (const [k, v] of pending) seq.add(doc.createNode(`--${k}=${v}`));
  const out = closestRendering(doc, text);
  const after = readFlags(out, file);
  return { text: out, changed: !sameFlags(before, after), before, after };
}

/** The manifest with the etcd container's `image` replaced (everything else kept as it was). */
export function setImage(text: string, image: string, file = 'etcd.yaml'): string {
  const doc = load(text, file);
  const containers = doc.getIn(['spec', 'containers']);
  const etcd = isSeq(containers) ? containers.items.find((c) => isMap(c) && c.get('name') === 'etcd') ?? containers.items[0] : undefined;
  if (!isMap(etcd)) throw new RingError('E_TASK_FAILED', `${file} has no spec.containers: is it an etcd static-pod manifest?`);
  etcd.set('image', image);
  return closestRendering(doc, text);
}

/** kubeadm writes block sequences unindented; keep whichever style the file already uses so the diff stays small. */
function closestRendering(doc: Document, original: string): string {
  const a = doc.toString({ indentSeq: false });
  const b = doc.toString({ indentSeq: true });
  const lines = new Set(original.split('\n'));
  const score = (t: string) => t.split('\n').filter((l) => lines.has(l)).length;
  return score(a) >= score(b) ? a : b;
}

function sameFlags(a: Flags, b: Flags): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

/** `name=url,name=url` → map name → urls. */
export function parseInitialCluster(value: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of value.split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    const name = part.slice(0, eq);
    out.set(name, [...(out.get(name) ?? []), part.slice(eq + 1)]);
  }
  return out;
}

/**
 * Problems that make etcd refuse to start (field pain point A4), checked before a manifest is written:
 * `--name` missing from `--initial-cluster`, or listed there with another URL than `--initial-advertise-peer-urls`.
 */
export function identityProblems(flags: Flags): string[] {
  const name = flags.get('name');
  const cluster = flags.get('initial-cluster');
  const advertise = flags.get('initial-advertise-peer-urls');
  if (typeof name !== 'string' || typeof cluster !== 'string') return [];
  const urls = parseInitialCluster(cluster).get(name);
  if (!urls) return [`--name=${name} is not in --initial-cluster=${cluster}`];
  if (typeof advertise === 'string') {
    const missing = advertise.split(',').filter((u) => !urls.includes(u));
    if (missing.length > 0) return [`--initial-cluster lists ${name} at ${urls.join(',')} but --initial-advertise-peer-urls is ${advertise}`];
  }
  return [];
}
