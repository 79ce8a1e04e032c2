// Wraps a command line with environment, working directory and privilege escalation, for any transport.
import { randomBytes } from 'node:crypto';
import { shellQuote } from './command.js';
import type { BecomeSpec } from './types.js';

export interface WrapOptions {
  env?: Record<string, string>;
  cwd?: string;
  become?: BecomeSpec;
}

export interface Wrapped {
  /** The full command line to hand to the remote shell. */
  command: string;
  /**
   * When set, write this to stdin before the caller's stdin: shell assignments (environment values, the sudo
   * password) that the wrapper reads and consumes before the command starts. It holds secrets: never log it.
   */
  stdinPrefix?: string;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * `cd DIR && sh -c CMD`, then `sudo -n -u USER -- sh -c '...'` around it when become is set.
 *
 * Nothing secret is ever in a command line (the remote `ps` shows command lines to every user): environment
 * values and the sudo password travel on stdin, in a header of shell assignments that the wrapper reads with
 * `read` (one byte at a time, so the caller's stdin after it stays untouched) up to a random end marker.
 *
 * The sudo password only ever reaches sudo's own prompt: when `sudo -n` needs no password (root, NOPASSWD,
 * cached credentials) it is dropped unused; otherwise it is handed over by an askpass helper in a fresh
 * 0700 folder that removes itself once read. The command's stdin never carries it, whatever sudo asks.
 */
export function wrapCommand(command: string, options: WrapOptions, controllerEnv: NodeJS.ProcessEnv = process.env): Wrapped {
  const env = Object.entries(options.env ?? {});
  for (const [k] of env) {
    if (!ENV_NAME.test(k)) throw new Error(`invalid environment variable name '${k}'`);
  }
  const headers: string[] = [];
  // The inner part runs as the become user: environment values are read there, after sudo's env_reset.
  const cd = options.cwd ? `cd ${shellQuote(options.cwd)} && ` : '';
  let inner = `${cd}${command}`;
  if (env.length > 0) {
    const h = header(env.map(([k, v]) => `export ${k}=${shellQuote(String(v))}`));
    headers.push(h.text);
    inner = `${h.reader} ${cd}sh -c ${shellQuote(command)}`;
  }
  const prefix = (): string | undefined => (headers.length > 0 ? headers.join('') : undefined);
  const b = options.become;
  if (!b || b.method === 'none') return withPrefix(env.length > 0 ? `sh -c ${shellQuote(inner)}` : inner, prefix());
  const user = shellQuote(b.user);
  if (b.method === 'su') return withPrefix(`su ${user} -c ${shellQuote(inner)}`, prefix());
  const password = b.passwordEnv ? controllerEnv[b.passwordEnv] : undefined;
  const sudoInner = `-u ${user} -- sh -c ${shellQuote(inner)}`;
  if (password === undefined) return withPrefix(`sudo -n ${sudoInner}`, prefix());
  const pw = header([`__rm_pw=${shellQuote(password)}`]);
  headers.unshift(pw.text);
  const script = [
    pw.reader,
    `if sudo -n -u ${user} -- true 2>/dev/null; then unset __rm_pw; exec sudo -n ${sudoInner}; fi;`,
    '__rm_d=$(umask 077 && mktemp -d) || exit 1;',
    `(umask 077 && printf '%s\\n' "$__rm_pw" > "$__rm_d/pw"); unset __rm_pw;`,
    `printf '#!/bin/sh\\ncat "%s/pw"; rm -rf "%s"\\n' "$__rm_d" "$__rm_d" > "$__rm_d/askpass" && chmod 700 "$__rm_d/askpass" || { rm -rf "$__rm_d"; exit 1; };`,
    `SUDO_ASKPASS="$__rm_d/askpass" sudo -A ${sudoInner}; __rm_rc=$?; rm -rf "$__rm_d"; exit $__rm_rc`,
  ].join(' ');
  return withPrefix(`sh -c ${shellQuote(script)}`, prefix());
}

function withPrefix(command: string, stdinPrefix: string | undefined): Wrapped {
  return stdinPrefix === undefined ? { command } : { command, stdinPrefix };
}

/**
 * A stdin header of shell lines ending with a random marker line, and the shell text that reads and runs it.
 * The lines are built here from quoted values only, so `eval` runs nothing but these assignments.
 */
function header(lines: string[]): { text: string; reader: string } {
  const marker = `__ringmaster_end_${randomBytes(8).toString('hex')}`;
  const reader =
    `__rm_h=; while IFS= read -r __rm_l; do [ "$__rm_l" = ${marker} ] && break; __rm_h="$__rm_h$__rm_l\n"; done;` +
    ` eval "$__rm_h"; unset __rm_h __rm_l;`;
  return { text: `${lines.join('\n')}\n${marker}\n`, reader };
}
