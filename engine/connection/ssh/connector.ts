// STUB (owned by the SSH room): ssh2 connections, jump chains, host keys; one connection per host per run.
import type { Connection, ConnectionFactory } from '../types.js';

export interface SshOptions {
  /** strict (default): unknown or changed keys refuse; accept-new: record unknown keys (TOFU); off: no check (said in output). */
  hostKeyChecking: 'strict' | 'accept-new' | 'off';
  /** An OpenSSH client config file (default ~/.ssh/config when it exists). */
  sshConfigFile?: string;
  /** Extra known_hosts file (the inventory's `ringmaster_known_hosts` / `UserKnownHostsFile` also apply). */
  knownHostsFile?: string;
  connectTimeoutMs?: number;
  /** -v lines: hops, auth method, host key fingerprint; never a secret. */
  verbose?: (line: string) => void;
  env: NodeJS.ProcessEnv;
  /** A TTY is attached: a key passphrase may be prompted for. */
  interactive: boolean;
}

/** Opens (and caches) one SSH connection per host, sharing bastions between hosts. */
export class SshConnector implements ConnectionFactory {
  constructor(readonly options: SshOptions) {}
  async connect(host: string, vars: Record<string, unknown>): Promise<Connection> {
    void vars;
    throw new Error(`ssh to ${host}: not implemented yet`);
  }
  async closeAll(): Promise<void> {}
}
