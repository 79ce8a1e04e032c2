// Host patterns as in Ansible: `all`, `*`, names, globs, `~regex`, `g[0]` / `g[1:3]`, and `a:b` / `a,b`
// (union), `a:&b` (intersection), `a:!b` (exclusion).
import { RegexTimeout, regexExec } from '../template/safe-regex.js';
import { RingError } from '../errors/index.js';
import type { Inventory } from '../load/model.js';
import { membersOf } from './vars.js';

interface Term {
  op: '' | '&' | '!';
  text: string;
}

/** Hosts matching the pattern; throws RingError E_BAD_PATTERN on malformed input. A name that matches nothing adds nothing. */
export function matchHosts(inv: Inventory, pattern: string): string[] {
  const terms = splitPattern(pattern);
  // Ansible's order: unions first, then intersections, then exclusions; only exclusions → from `all`.
  const unions = terms.filter((t) => t.op === '');
  const ands = terms.filter((t) => t.op === '&');
  const nots = terms.filter((t) => t.op === '!');
  let hosts: string[] = [];
  for (const t of unions.length ? unions : [{ op: '' as const, text: 'all' }]) {
    for (const h of matchTerm(inv, t.text, pattern)) if (!hosts.includes(h)) hosts.push(h);
  }
  for (const t of ands) {
    const keep = new Set(matchTerm(inv, t.text, pattern));
    hosts = hosts.filter((h) => keep.has(h));
  }
  for (const t of nots) {
    const drop = new Set(matchTerm(inv, t.text, pattern));
    hosts = hosts.filter((h) => !drop.has(h));
  }
  return hosts;
}

/** Splits on `,` and on `:` outside brackets; each term keeps its `&` / `!` prefix as `op`. */
export function splitPattern(pattern: string): Term[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const c of pattern.trim()) {
    if (c === '[') depth++;
    if (c === ']') depth = Math.max(0, depth - 1);
    if ((c === ',' || c === ':') && depth === 0 && !cur.startsWith('~')) {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  parts.push(cur);
  const terms: Term[] = [];
  for (const raw of parts.map((p) => p.trim())) {
    if (raw === '' && parts.length > 1) throw bad(pattern, 'it has an empty part (two separators in a row, or one at an end)');
    if (raw === '') throw bad(pattern, 'it is empty');
    const op = raw[0] === '&' || raw[0] === '!' ? raw[0] : '';
    const text = raw.slice(op.length).trim();
    if (!text) throw bad(pattern, `\`${op}\` must be followed by a group or host name`);
    terms.push({ op, text });
  }
  return terms;
}

function matchTerm(inv: Inventory, text: string, pattern: string): string[] {
  const sub = /^(.+?)\[(-?[0-9]+)(?::(-?[0-9]*))?\]$/.exec(text);
  if (sub && !text.startsWith('~') && !inv.hosts.has(text)) {
    const list = matchName(inv, sub[1], pattern);
    const at = (n: number) => (n < 0 ? list.length + n : n);
    const from = at(Number(sub[2]));
    if (sub[3] === undefined) return list[from] === undefined ? [] : [list[from]];
    const to = sub[3] === '' ? list.length - 1 : at(Number(sub[3]));
    return list.slice(from, to + 1);
  }
  return matchName(inv, text, pattern);
}

/** Groups matching the name give their hosts; hosts are matched too when no group did, or for globs/regexes. */
function matchName(inv: Inventory, text: string, pattern: string): string[] {
  if (text === 'all' || text === '*') return [...inv.hosts.keys()];
  const test = matcher(text, pattern);
  const out: string[] = [];
  const groups = [...inv.groups.keys()].filter(test);
  for (const g of groups) for (const h of membersOf(inv, g)) if (!out.includes(h)) out.push(h);
  if (!groups.length || /[~*?[.]/.test(text)) for (const h of inv.hosts.keys()) if (test(h) && !out.includes(h)) out.push(h);
  return out;
}

function matcher(text: string, pattern: string): (name: string) => boolean {
  if (text.startsWith('~')) {
    let re: RegExp;
    try {
      re = new RegExp(text.slice(1));
    } catch (e) {
      throw bad(pattern, `\`${text}\` is not a valid regular expression (${(e as Error).message})`);
    }
    // A user regex: bounded in time like the ones in conditions (`~(a+)+$` must not hang the run).
    return (name) => {
      try {
        return regexExec(re.source, re.flags, name) !== null;
      } catch (e) {
        if (e instanceof RegexTimeout) throw bad(pattern, `\`${text}\` took too long on host \`${name}\` (the regular expression backtracks catastrophically)`);
        throw e;
      }
    };
  }
  if (!/[*?[]/.test(text)) return (name) => name === text;
  let re: RegExp;
  try {
    re = new RegExp(`^${text.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  } catch {
    throw bad(pattern, `\`${text}\` has a \`[\` without its \`]\` (write \`[abc]\` for one of a, b, c)`);
  }
  return (name) => re.test(name);
}

function bad(pattern: string, why: string): RingError {
  return new RingError('E_BAD_PATTERN', `host pattern '${pattern}' is malformed: ${why}`, {
    hint: 'patterns: `all`, a group or host name, `node*`, `a:b` (either), `a:&b` (both), `a:!b` (a but not b)',
  });
}
