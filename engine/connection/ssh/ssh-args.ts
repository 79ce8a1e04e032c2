// Reads Ansible's `ansible_ssh_common_args` / `ansible_ssh_extra_args`: the -o options and -J that ringmaster honours.

import { splitWords } from '../split-words.js';

/** What the ssh command-line arguments say, for the options ringmaster understands. */
export interface SshArgs {
  proxyJump?: string;
  userKnownHostsFiles?: string[];
  strictHostKeyChecking?: string;
  /** Human notes about arguments that are ignored (shown with -v). */
  ignored: string[];
}

/** Shell-like split (the same rules as `command`'s free-form split). */
export function splitArgs(text: string): string[] {
  return splitWords(text, 'ssh arguments');
}

/** Parses several argument strings; earlier strings win for the same option (OpenSSH first-value-wins). */
export function parseSshArgs(texts: string[]): SshArgs {
  const res: SshArgs = { ignored: [] };
  for (const text of texts) {
    const toks = splitArgs(text);
    for (let i = 0; i < toks.length; i++) {
      const t = toks[i];
      if (t === '-o' || t.startsWith('-o')) {
        const opt = t === '-o' ? toks[++i] : t.slice(2);
        if (opt !== undefined) applyOption(res, opt);
      } else if (t === '-J' || t.startsWith('-J')) {
        const v = t === '-J' ? toks[++i] : t.slice(2);
        if (v !== undefined) res.proxyJump ??= v;
      } else {
        res.ignored.push(t);
      }
    }
  }
  return res;
}

function applyOption(res: SshArgs, opt: string): void {
  const m = /^([A-Za-z]+)\s*(?:=\s*|\s+)(.*)$/.exec(opt.trim());
  if (!m) {
    res.ignored.push(`-o ${opt}`);
    return;
  }
  const key = m[1].toLowerCase();
  const value = m[2].trim();
  if (key === 'proxyjump') res.proxyJump ??= value;
  else if (key === 'userknownhostsfile') res.userKnownHostsFiles ??= value.split(/\s+/);
  else if (key === 'stricthostkeychecking') res.strictHostKeyChecking ??= value;
  else res.ignored.push(`-o ${opt}`);
}
