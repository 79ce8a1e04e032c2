// Builds etcdctl command lines from a host's variables: where etcdctl runs, TLS files, endpoints, timeouts.
import { cmd, raw, shellQuote, type Command, type Part } from '../connection/command.js';
import { IMAGE_TOOL_SCRIPT } from './image-tool.js';
import { heldManifest, liveManifest } from './manifest-paths.js';
import { tlsFiles } from './tls-files.js';

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
  /** crictl: the program (`crictl_path`; RKE2 ships it as /var/lib/rancher/rke2/bin/crictl) and its `--config` (`crictl_config`). */
  crictl: string;
  crictlConfig?: string;
  /** crictl: the member's manifest, live and held, whose `image:` has the tools when no etcd container runs. */
  manifest: string;
  heldManifest: string;
}

const str = (v: unknown, d: string): string => (typeof v === 'string' && v !== '' ? v : d);

/** Settings from inventory vars, with the flavour's defaults (kubeadm stacked control plane, RKE's certificates). */
export function etcdctlSettings(vars: Record<string, unknown>, endpoints?: string[]): EtcdctlSettings {
  const files = tlsFiles(vars);
  const tls = vars.etcd_tls !== false;
  const local = str(vars.etcd_local_client_url, tls ? 'https://127.0.0.1:2379' : 'http://127.0.0.1:2379');
  return {
    via: (str(vars.etcdctl_via, 'host') as EtcdctlVia),
    tls,
    caFile: files.ca,
    certFile: files.clientCert,
    keyFile: files.clientKey,
    endpoints: endpoints && endpoints.length > 0 ? endpoints : [local],
    dialTimeout: str(vars.etcdctl_dial_timeout, '2s'),
    commandTimeout: str(vars.etcdctl_command_timeout, '5s'),
    container: str(vars.etcd_container, 'etcd'),
    crictl: str(vars.crictl_path, 'crictl'),
    crictlConfig: typeof vars.crictl_config === 'string' && vars.crictl_config ? vars.crictl_config : undefined,
    manifest: liveManifest(vars), heldManifest: heldManifest(vars),
  };
}

/** etcdctl's global flags this builder sets, and the `ETCDCTL_*` variable etcdctl reads for each. */
const GLOBALS: Record<string, string> = {
  endpoints: 'ETCDCTL_ENDPOINTS', 'dial-timeout': 'ETCDCTL_DIAL_TIMEOUT', 'command-timeout': 'ETCDCTL_COMMAND_TIMEOUT',
  cacert: 'ETCDCTL_CACERT', cert: 'ETCDCTL_CERT', key: 'ETCDCTL_KEY',
};

/**
 * `etcdctl --endpoints=... --cacert=... <args>`, reached the way the host allows; every part quoted. A global flag
 * among `args` (`--command-timeout=3s`) overrides the setting rather than repeating it.
 * - host: `env ETCDCTL_API=3 etcdctl …`.
 * - docker: the globals go in as `docker exec -e ETCDCTL_*=…`, never as flags: RKE's container sets ETCDCTL_CACERT,
 *   _CERT, _KEY and _ENDPOINTS, and etcdctl exits 1 when a flag shadows a variable of its environment; `-e` replaces
 *   the container's value for this one process.
 * - crictl: the running container the kubelet labels `io.kubernetes.container.name=<etcd_container>` in kube-system;
 *   kubeadm's image is distroless (etcd, etcdctl, sh: no `env`), and etcdctl 3.4+ speaks v3 without ETCDCTL_API.
 *   When none runs, the etcdctl of the image the manifest names (image-tool.ts).
 * docker and crictl pass stdin through (`-i`): `txn` reads its operations from it.
 */
export function etcdctl(s: EtcdctlSettings, ...args: Part[]): Command {
  const globals: Record<string, string> = { endpoints: s.endpoints.join(','), 'dial-timeout': s.dialTimeout, 'command-timeout': s.commandTimeout };
  if (s.tls) Object.assign(globals, { cacert: s.caFile, cert: s.certFile, key: s.keyFile });
  const rest: Part[] = [];
  for (const a of args) {
    const m = typeof a === 'string' ? /^--([a-z-]+)=(.*)$/s.exec(a) : null;
    if (m && m[1] in GLOBALS) globals[m[1]] = m[2];
    else rest.push(a);
  }
  const flags = Object.entries(globals).map(([k, v]) => `--${k}=${v}`);
  switch (s.via) {
    case 'docker': {
      const env = Object.entries(globals).flatMap(([k, v]) => ['-e', `${GLOBALS[k]}=${v}`]);
      return cmd('docker', 'exec', '-i', '-e', 'ETCDCTL_API=3', ...env, s.container, 'etcdctl', ...rest);
    }
    case 'crictl': {
      // A node whose etcd container does not run (stopped, crash-looping, wiped) has no etcdctl to exec into; the
      // member image's own etcdctl, mounted for the call, still reaches the other members (image-tool.ts).
      const crictl = crictlArgv(s).map(shellQuote).join(' ');
      const script = `id=$(${crictlFind(s.container, crictlArgv(s))}) || id=; if [ -n "$id" ]; then exec ${crictl} exec -i "$id" etcdctl "$@"; fi; `
        + `set -- '' ${shellQuote(s.manifest)} ${shellQuote(s.heldManifest)} /usr/local/bin/etcdctl "$@"; ${IMAGE_TOOL_SCRIPT}`;
      return cmd('sh', '-c', script, 'etcdctl', ...flags, ...rest);
    }
    default:
      return cmd('env', 'ETCDCTL_API=3', 'etcdctl', ...flags, ...rest);
  }
}

/** crictl with the host's binary and config (`crictl_path`, `crictl_config`: RKE2 has its own). */
export function crictlArgv(s: EtcdctlSettings): string[] {
  return [s.crictl, ...(s.crictlConfig ? [`--config=${s.crictlConfig}`] : [])];
}

/** `crictl exec -i <the running etcd container> <args>`: a tool of kubeadm's image run in the member's container. */
export function crictlExec(s: EtcdctlSettings, ...args: Part[]): Command {
  const crictl = crictlArgv(s);
  return cmd(...crictl, 'exec', '-i', raw(`"$(${crictlFind(s.container, crictl)})"`), ...args);
}

/** The ID of the running etcd container as runbook 001 finds it (kubelet's labels), for use inside `$(…)`. */
export function crictlFind(container: string, crictl: string[] = ['crictl']): string {
  return `${crictl.map(shellQuote).join(' ')} ps -q --label io.kubernetes.container.name=${shellWord(container)} --label io.kubernetes.pod.namespace=kube-system --state running | head -n1`;
}

/** Container names are inventory values: allow only a conservative alphabet inside the raw $(...). */
function shellWord(s: string): string {
  if (!/^[A-Za-z0-9_.-]+$/.test(s)) throw new Error(`unsafe container name '${s}'`);
  return s;
}
