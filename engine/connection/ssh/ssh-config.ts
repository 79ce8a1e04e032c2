// Reads an OpenSSH client config (Host blocks) and answers "what applies to this alias" with first-value-wins.
import { readFileSync, readdirSync } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { RingError } from '../../errors/index.js';

interface ConfigLine {
  key: string;
  args: string[];
  file: string;
  line: number;
}

interface HostBlock {
  /** Empty for lines before the first Host (they apply to every host). */
  patterns: string[];
  lines: ConfigLine[];
}

/** The settings ringmaster honours for one alias, with where each came from. */
export interface SshConfigMatch {
  hostName?: string;
  user?: string;
  port?: string;
  identityFiles: string[];
  proxyJump?: string;
  userKnownHostsFiles?: string[];
  strictHostKeyChecking?: string;
  connectTimeout?: string;
  /** `file:line` of each value, for error messages. */
  where: Record<string, string>;
}

const SINGLE: Record<string, keyof SshConfigMatch> = {
  hostname: 'hostName',
  user: 'user',
  port: 'port',
  proxyjump: 'proxyJump',
  stricthostkeychecking: 'strictHostKeyChecking',
  connecttimeout: 'connectTimeout',
};

/** A parsed client config; `lookup` is pure. */
export class SshConfig {
  private constructor(private readonly blocks: HostBlock[], readonly file?: string) {}

  static empty(): SshConfig {
    return new SshConfig([]);
  }

  /** Reads `file`; `home` resolves `~` in Include paths. */
  static load(file: string, home: string): SshConfig {
    const blocks: HostBlock[] = [{ patterns: [], lines: [] }];
    readInto(file, home, blocks, 0);
    return new SshConfig(blocks, file);
  }

  static parse(text: string, file: string, home: string): SshConfig {
    const blocks: HostBlock[] = [{ patterns: [], lines: [] }];
    parseInto(text, file, home, blocks, 0);
    return new SshConfig(blocks, file);
  }

  lookup(alias: string): SshConfigMatch {
    const m: SshConfigMatch = { identityFiles: [], where: {} };
    for (const block of this.blocks) {
      if (block.patterns.length > 0 && !hostMatches(block.patterns, alias)) continue;
      for (const l of block.lines) applyLine(m, l);
    }
    return m;
  }
}

function applyLine(m: SshConfigMatch, l: ConfigLine): void {
  const at = `${l.file}:${l.line}`;
  if (l.key === 'identityfile') {
    m.identityFiles.push(l.args.join(' '));
    m.where.identityFile ??= at;
    return;
  }
  if (l.key === 'userknownhostsfile') {
    if (m.userKnownHostsFiles === undefined) {
      m.userKnownHostsFiles = l.args;
      m.where.userKnownHostsFile = at;
    }
    return;
  }
  const field = SINGLE[l.key];
  if (field === undefined || m[field] !== undefined) return;
  (m as unknown as Record<string, string>)[field] = l.args.join(' ');
  m.where[field] = at;
}

/** OpenSSH `Host` matching: any positive pattern matches and no negated one does. */
export function hostMatches(patterns: string[], alias: string): boolean {
  let matched = false;
  for (const p of patterns) {
    const negated = p.startsWith('!');
    const re = globToRegExp(negated ? p.slice(1) : p);
    if (re.test(alias)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

function readInto(file: string, home: string, blocks: HostBlock[], depth: number): void {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new RingError('E_SSH_CONFIG', `cannot read ssh config ${file}: ${(e as Error).message}`, { cause: e });
  }
  parseInto(text, file, home, blocks, depth);
}

function parseInto(text: string, file: string, home: string, blocks: HostBlock[], depth: number): void {
  if (depth > 8) throw new RingError('E_SSH_CONFIG', `ssh config ${file}: Include nested too deeply (a loop?)`);
  let skipping = false;
  text.split(/\r?\n/).forEach((raw, i) => {
    const parsed = splitLine(raw, file, i + 1);
    if (!parsed) return;
    const [key, args] = parsed;
    if (key === 'host') {
      skipping = false;
      blocks.push({ patterns: args, lines: [] });
    } else if (key === 'match') {
      // Match blocks need command execution and user context; they are skipped, not misapplied.
      skipping = true;
    } else if (key === 'include') {
      for (const pattern of args) for (const f of expandInclude(pattern, file, home)) readInto(f, home, blocks, depth + 1);
    } else if (!skipping) {
      blocks[blocks.length - 1].lines.push({ key, args, file, line: i + 1 });
    }
  });
}

function splitLine(raw: string, file: string, line: number): [string, string[]] | undefined {
  const s = raw.trim();
  if (s === '' || s.startsWith('#')) return undefined;
  const m = /^([A-Za-z][A-Za-z0-9]*)\s*(?:=\s*|\s+)(.*)$/.exec(s);
  if (!m) throw new RingError('E_SSH_CONFIG', `ssh config ${file}:${line}: cannot parse '${s}'`, { location: { file, line, col: 1 } });
  const args: string[] = [];
  const re = /"([^"]*)"|(\S+)/g;
  for (let t = re.exec(m[2]); t; t = re.exec(m[2])) args.push(t[1] ?? t[2]);
  if (args.length === 0) throw new RingError('E_SSH_CONFIG', `ssh config ${file}:${line}: '${m[1]}' has no value`, { location: { file, line, col: 1 } });
  return [m[1].toLowerCase(), args];
}

function expandInclude(pattern: string, from: string, home: string): string[] {
  let p = pattern.startsWith('~/') ? join(home, pattern.slice(2)) : pattern;
  if (!isAbsolute(p)) p = join(dirname(from), p);
  const base = basename(p);
  if (!/[*?]/.test(base)) return [p];
  const re = globToRegExp(base);
  try {
    return readdirSync(dirname(p)).filter((n) => re.test(n)).sort().map((n) => join(dirname(p), n));
  } catch {
    return [];
  }
}
