// Wraps a command line with environment, working directory and privilege escalation, for any transport.
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
  /** When set, write this to stdin before the caller's stdin (the sudo password line). Never log it. */
  stdinPrefix?: string;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * `cd DIR && env K=V sh -c CMD`, then `sudo -n -u USER -- sh -c '...'` around it when become is set.
 * A sudo password is read from the controller's environment variable named by `passwordEnv`
 * and fed on stdin (`sudo -S -p ''`), so it never appears in a command line or a process list.
 */
export function wrapCommand(command: string, options: WrapOptions, controllerEnv: NodeJS.ProcessEnv = process.env): Wrapped {
  let text = command;
  const env = Object.entries(options.env ?? {});
  for (const [k] of env) {
    if (!ENV_NAME.test(k)) throw new Error(`invalid environment variable name '${k}'`);
  }
  if (env.length > 0) text = `env ${env.map(([k, v]) => `${k}=${shellQuote(String(v))}`).join(' ')} sh -c ${shellQuote(text)}`;
  if (options.cwd) text = `cd ${shellQuote(options.cwd)} && ${text}`;
  const b = options.become;
  if (!b || b.method === 'none') return { command: text };
  if (b.method === 'su') return { command: `su ${shellQuote(b.user)} -c ${shellQuote(text)}` };
  const password = b.passwordEnv ? controllerEnv[b.passwordEnv] : undefined;
  if (password !== undefined) {
    return { command: `sudo -S -p '' -u ${shellQuote(b.user)} -- sh -c ${shellQuote(text)}`, stdinPrefix: `${password}\n` };
  }
  return { command: `sudo -n -u ${shellQuote(b.user)} -- sh -c ${shellQuote(text)}` };
}
