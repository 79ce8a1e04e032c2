// The two Ansible configurations the bench compares against: Ansible's defaults, and pipelining + ControlPersist.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** One Ansible configuration: a label for the report and the ansible.cfg ANSIBLE_CONFIG points to. */
export interface AnsibleConfig {
  label: string;
  file: string;
}

/**
 * Writes `ansible-default.cfg` (nothing changed: Ansible 2.14 already multiplexes with ControlPersist=60s, but
 * copies each module over SFTP and runs it in a separate step) and `ansible-pipelining.cfg` (pipelining on,
 * ControlPersist explicit, a short ControlPath under /tmp so the socket path stays under the 108-byte limit).
 */
export function writeAnsibleConfigs(dir: string): AnsibleConfig[] {
  const def = join(dir, 'ansible-default.cfg');
  writeFileSync(def, '# bench: Ansible defaults (no setting changed)\n[defaults]\n');
  const pipe = join(dir, 'ansible-pipelining.cfg');
  writeFileSync(pipe, [
    '# bench: pipelining + ControlPersist',
    '[defaults]',
    '[ssh_connection]',
    'pipelining = True',
    'ssh_args = -C -o ControlMaster=auto -o ControlPersist=60s',
    'control_path = /tmp/rmb-%%C',
    '',
  ].join('\n'));
  return [{ label: 'ansible (defaults)', file: def }, { label: 'ansible (pipelining + ControlPersist)', file: pipe }];
}

/** The environment ansible-playbook runs with: clean PATH (no pyenv shims), the chosen config, no colour. */
export function ansibleEnv(cfg: AnsibleConfig): NodeJS.ProcessEnv {
  return {
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', HOME: '/root', LANG: 'C.UTF-8',
    ANSIBLE_CONFIG: cfg.file, ANSIBLE_NOCOLOR: '1',
  };
}
