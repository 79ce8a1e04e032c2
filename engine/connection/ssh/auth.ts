// Chooses and prepares SSH authentication for one endpoint: agent, private keys (with passphrases), password.
import { readFileSync } from 'node:fs';
import ssh2, { type AnyAuthMethod, type ParsedKey } from 'ssh2';
import { RingError } from '../../errors/index.js';
import type { Endpoint } from './endpoint.js';

/** One authentication attempt, with a description safe to print. */
export interface AuthAttempt {
  method: AnyAuthMethod;
  describe: string;
}

/** What auth needs from the run: the controller environment and, on a TTY, a way to ask for a passphrase. */
export interface AuthContext {
  env: NodeJS.ProcessEnv;
  askPassphrase?: (question: string) => Promise<string>;
  note: (line: string) => void;
  /** The run's interrupt: a connect in progress stops at once (socket destroyed, no retry). */
  signal?: AbortSignal;
}

/** The attempts in OpenSSH's order: agent keys, then key files, then a password when one is configured. */
export async function authAttempts(ep: Endpoint, ctx: AuthContext): Promise<AuthAttempt[]> {
  const attempts: AuthAttempt[] = [];
  const username = ep.user;
  const sock = ctx.env.SSH_AUTH_SOCK;
  if (sock) attempts.push({ method: { type: 'agent', username, agent: sock }, describe: `ssh-agent (${sock})` });
  for (const f of ep.identityFiles) {
    const key = await loadKey(ep, f.path, f.explicit, f.setting, ctx);
    if (key) attempts.push({ method: { type: 'publickey', username, key }, describe: `publickey ${key.type} (${f.path})` });
  }
  if (ep.passwordEnv) {
    const password = ctx.env[ep.passwordEnv];
    if (password === undefined) {
      throw new RingError('E_AUTH', `host ${ep.name}: environment variable ${ep.passwordEnv} (named by ringmaster_ssh_password_env) is not set`, {
        host: ep.name,
        hint: `export ${ep.passwordEnv}=... before the run, or use a key`,
      });
    }
    attempts.push({ method: { type: 'password', username, password }, describe: `password (from $${ep.passwordEnv})` });
  }
  if (attempts.length === 0) {
    throw new RingError('E_AUTH', `host ${ep.name}: no way to authenticate as ${ep.user}: no ssh-agent (SSH_AUTH_SOCK), no usable key file, no password configured`, {
      host: ep.name,
      hint: 'set ansible_ssh_private_key_file, start an ssh-agent, or set ringmaster_ssh_password_env',
    });
  }
  return attempts;
}

async function loadKey(ep: Endpoint, path: string, explicit: boolean, setting: string, ctx: AuthContext): Promise<ParsedKey | undefined> {
  let data: Buffer;
  try {
    data = readFileSync(path);
  } catch (e) {
    if (!explicit) return undefined;
    throw new RingError('E_AUTH', `host ${ep.name}: cannot read private key ${path} (${setting}): ${(e as Error).message}`, { host: ep.name, cause: e });
  }
  const plain = firstKey(ssh2.utils.parseKey(data));
  if (!(plain instanceof Error)) return plain;
  if (!/encrypted|passphrase/i.test(plain.message)) {
    if (!explicit) return undefined;
    throw new RingError('E_AUTH', `host ${ep.name}: ${path} (${setting}) is not a private key ssh2 can read: ${plain.message}`, {
      host: ep.name,
      hint: 'use an OpenSSH or PEM private key (ssh-keygen -p -f KEY converts it)',
    });
  }
  const { passphrase, source } = await passphraseFor(ep, path, setting, ctx);
  if (passphrase === undefined) {
    if (!explicit) {
      ctx.note(`ssh ${ep.name}: skipping encrypted default key ${path} (no passphrase configured)`);
      return undefined;
    }
    throw new RingError('E_AUTH', `host ${ep.name}: private key ${path} (${setting}) is encrypted and no passphrase is available`, {
      host: ep.name,
      hint: 'set ringmaster_ssh_key_passphrase_env to the name of an environment variable holding the passphrase, or load the key into ssh-agent',
    });
  }
  const key = firstKey(ssh2.utils.parseKey(data, passphrase));
  if (key instanceof Error) {
    throw new RingError('E_AUTH', `host ${ep.name}: wrong passphrase for private key ${path} (${setting}; passphrase from ${source})`, {
      host: ep.name,
      hint: 'check the passphrase; it is never printed',
    });
  }
  return key;
}

async function passphraseFor(ep: Endpoint, path: string, setting: string, ctx: AuthContext): Promise<{ passphrase?: string; source: string }> {
  if (ep.passphraseEnv) {
    const v = ctx.env[ep.passphraseEnv];
    if (v === undefined) {
      throw new RingError('E_AUTH', `host ${ep.name}: environment variable ${ep.passphraseEnv} (ringmaster_ssh_key_passphrase_env) is not set; it should hold the passphrase of ${path} (${setting})`, { host: ep.name });
    }
    return { passphrase: v, source: `$${ep.passphraseEnv}` };
  }
  if (ctx.askPassphrase) return { passphrase: await ctx.askPassphrase(`Passphrase for ${path}: `), source: 'the prompt' };
  return { source: 'nowhere' };
}

function firstKey(k: ParsedKey | ParsedKey[] | Error): ParsedKey | Error {
  return Array.isArray(k) ? k[0] : k;
}

/** Reads a line from the controlling terminal without echo (only used when a TTY is attached). */
export async function promptHidden(question: string): Promise<string> {
  const { openSync, createReadStream, createWriteStream } = await import('node:fs');
  const { createInterface } = await import('node:readline');
  const fd = openSync('/dev/tty', 'r+');
  const input = createReadStream('', { fd, autoClose: false });
  const output = createWriteStream('', { fd, autoClose: false });
  output.write(question);
  const rl = createInterface({ input, output: undefined, terminal: false });
  const { execFileSync } = await import('node:child_process');
  const stty = (arg: string): void => {
    try {
      execFileSync('stty', [arg], { stdio: [fd, 'ignore', 'ignore'] });
    } catch {
      /* not a real terminal: echo stays on */
    }
  };
  stty('-echo');
  try {
    return await new Promise<string>((resolve) => rl.once('line', resolve));
  } finally {
    stty('echo');
    output.write('\n');
    rl.close();
    input.destroy();
  }
}
