// Builds etcdctl command lines from a host's variables: where etcdctl runs, TLS files, endpoints, timeouts.
import { cmd, raw, type Command, type Part } from '../connection/command.js';

/** How etcdctl is reached on a host (inventory `etcdctl_via`). */
export type EtcdctlVia = 'host' | 'crictl' | 'docker';

export interface EtcdctlSettings {
  via: EtcdctlVia;
  tls: boolean;
  caFile: string;
  certFile: string;
  keyFile: string;
  /** Client URLs to talk to; default: this member's local client URL. */
  endpoints: string[];
  dialTimeout: string;
  commandTimeout: string;
  /** docker: container name; crictl: container name filter. */
  container: string;
}

const str = (v: unknown, d: string): string => (typeof v === 'string' && v !== '' ? v : d);

/** Settings from inventory vars, with kubeadm stacked control-plane defaults. */
export function etcdctlSettings(vars: Record<string, unknown>, endpoints?: string[]): EtcdctlSettings {
  const pki = str(vars.etcd_pki_dir, '/etc/kubernetes/pki/etcd');
  const tls = vars.etcd_tls !== false;
  const local = str(vars.etcd_local_client_url, tls ? 'https://127.0.0.1:2379' : 'http://127.0.0.1:2379');
  return {
    via: (str(vars.etcdctl_via, 'host') as EtcdctlVia),
    tls,
    caFile: str(vars.etcd_ca_file, `${pki}/ca.crt`),
    certFile: str(vars.etcdctl_cert_file, `${pki}/healthcheck-client.crt`),
    keyFile: str(vars.etcdctl_key_file, `${pki}/healthcheck-client.key`),
    endpoints: endpoints && endpoints.length > 0 ? endpoints : [local],
    dialTimeout: str(vars.etcdctl_dial_timeout, '2s'),
    commandTimeout: str(vars.etcdctl_command_timeout, '5s'),
    container: str(vars.etcd_container, 'etcd'),
  };
}

/** `etcdctl --endpoints=... --cacert=... <args>`, wrapped for crictl/docker; every part quoted. */
export function etcdctl(s: EtcdctlSettings, ...args: Part[]): Command {
  const flags: Part[] = [`--endpoints=${s.endpoints.join(',')}`, `--dial-timeout=${s.dialTimeout}`, `--command-timeout=${s.commandTimeout}`];
  if (s.tls) flags.push(`--cacert=${s.caFile}`, `--cert=${s.certFile}`, `--key=${s.keyFile}`);
  const base: Part[] = ['etcdctl', ...flags, ...args];
  switch (s.via) {
    case 'docker':
      return cmd('docker', 'exec', '-e', 'ETCDCTL_API=3', s.container, ...base);
    case 'crictl':
      return cmd('crictl', 'exec', raw(`"$(crictl ps -q --name ${shellWord(s.container)} --state running | head -n1)"`), 'env', 'ETCDCTL_API=3', ...base);
    default:
      return cmd('env', 'ETCDCTL_API=3', ...base);
  }
}

/** Container names are inventory values: allow only a conservative alphabet inside the raw $(...). */
function shellWord(s: string): string {
  if (!/^[A-Za-z0-9_.-]+$/.test(s)) throw new Error(`unsafe container name '${s}'`);
  return s;
}
