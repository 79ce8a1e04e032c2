// Which variables hold secrets, by name, and the controller environment values that secret `*_env` variables name.
import type { Inventory } from '../load/model.js';
import { hostVars } from './vars.js';

/** Names that look like passwords, passphrases, secrets, tokens or private keys. */
export const SECRET_NAME = /pass(word|phrase)?|secret|token|private_key/i;

/**
 * `*_env` and `*_file` variables name where a secret is (an environment variable, a key file), not the secret:
 * masking their values would hide ordinary words and paths (`RM_PW`, `~/.ssh/id_ed25519`) in every output.
 */
const POINTER = /_(env|file)$/i;

/** True for a variable whose value must be masked in every output. */
export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name) && !POINTER.test(name);
}

/** True for a variable like `ringmaster_become_password_env`: it names a controller variable holding a secret. */
export function isSecretEnvPointer(name: string): boolean {
  return SECRET_NAME.test(name) && /_env$/i.test(name);
}

/**
 * The values of controller environment variables named by secret `*_env` variables of any inventory host or of
 * `more` (extra vars, play vars): the sudo and SSH passwords, so they are masked even if a command prints them.
 */
export function envSecrets(inv: Inventory, env: NodeJS.ProcessEnv, more: Array<Record<string, unknown>> = []): string[] {
  const names = new Set<string>();
  const scan = (vars: Record<string, unknown>) => {
    for (const [k, v] of Object.entries(vars)) if (typeof v === 'string' && isSecretEnvPointer(k)) names.add(v);
  };
  for (const host of inv.hosts.keys()) scan(hostVars(inv, host));
  for (const vars of more) scan(vars);
  return [...names].map((n) => env[n]).filter((v): v is string => typeof v === 'string' && v.length > 0);
}
