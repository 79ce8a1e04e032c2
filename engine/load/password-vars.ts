// Ansible's password variables, which ringmaster never reads: refused where they are written, with the replacement.
import { RingError, type Location } from '../errors/index.js';
import { keyLocationOf } from './located.js';
import { errorAt } from './yaml.js';

/** Ansible variable → the ringmaster variable that names an environment variable holding that secret. */
const REPLACEMENT: Record<string, string> = {
  ansible_become_password: 'ringmaster_become_password_env',
  ansible_become_pass: 'ringmaster_become_password_env',
  ansible_sudo_pass: 'ringmaster_become_password_env',
  ansible_password: 'ringmaster_ssh_password_env',
  ansible_ssh_pass: 'ringmaster_ssh_password_env',
  ansible_ssh_password: 'ringmaster_ssh_password_env',
};

/**
 * One error per Ansible password variable in `vars` (`where` says whose vars they are). Ignoring one silently
 * would leave sudo or SSH failing later, mid-run, with the password sitting in a plain file meanwhile.
 * `reported` holds messages already given (where the same vars were checked at their precise location).
 */
export function passwordVarErrors(vars: Record<string, unknown>, where: string, fallback: Location | undefined, reported?: Set<string>): RingError[] {
  const errors: RingError[] = [];
  for (const key of Object.keys(vars)) {
    const instead = REPLACEMENT[key];
    if (!instead) continue;
    const message = `\`${key}\` (${where}) is not supported: ringmaster never reads passwords from variables`;
    if (reported?.has(message)) continue;
    reported?.add(message);
    const hint = `put the password in an environment variable and name it instead: \`${instead}: MY_PW\`, then \`export MY_PW=...\` before the run`;
    errors.push(errorAt('E_SCHEMA', message, keyLocationOf(vars, key) ?? fallback, undefined, hint));
  }
  return errors;
}
