// The kubeadm-shaped static-pod manifest (`/etc/kubernetes/manifests/etcd.yaml`) of one lab node.
import { stringify } from 'yaml';
import { clientUrl, peerUrl, type LabHost, type LabSpec } from './spec.js';

const PKI = '/etc/kubernetes/pki/etcd';

/** [major, minor, patch] of `3.6.16`. */
function parts(version: string): number[] {
  return version.replace(/^v/, '').split('.').map(Number);
}

/** Whether `version` is at least `min` (both `X.Y.Z`). */
export function versionAtLeast(version: string, min: string): boolean {
  const a = parts(version);
  const b = parts(min);
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  return true;
}

/**
 * The corruption-check and watch-progress flags of kubeadm's manifest for that etcd: 3.4/3.5 (kubeadm ≤ 1.33) spell them
 * `--experimental-*`; 3.6 deprecates those for a feature gate and a plain flag (kubeadm 1.34+), and 3.7 refuses to start
 * with any `--experimental-*` flag at all.
 */
function versionedFlags(version: string): Record<string, string> {
  if (versionAtLeast(version, '3.6.0')) return { 'feature-gates': 'InitialCorruptCheck=true', 'watch-progress-notify-interval': '5s' };
  return { 'experimental-initial-corrupt-check': 'true', 'experimental-watch-progress-notify-interval': '5s' };
}

/** The release `node` runs: the lab's, unless a rolling upgrade has not reached it yet. */
export function nodeVersion(spec: LabSpec, node: LabHost): string {
  return spec.nodeVersions?.[node.name] ?? spec.etcdVersion;
}

/** etcd's flags as kubeadm's `getEtcdCommand` builds them (sorted), in the spelling of the lab's etcd version. */
export function etcdFlags(spec: LabSpec, node: LabHost): string[] {
  const cluster = spec.etcdNodes.map((n) => `${n.name}=${peerUrl(spec, n)}`).join(',');
  const flags: Record<string, string> = {
    name: node.name,
    'advertise-client-urls': clientUrl(spec, node),
    'listen-client-urls': `${spec.tls ? 'https' : 'http'}://127.0.0.1:2379,${clientUrl(spec, node)}`,
    'listen-peer-urls': peerUrl(spec, node),
    'initial-advertise-peer-urls': peerUrl(spec, node),
    'initial-cluster': cluster,
    'initial-cluster-state': 'new',
    'initial-cluster-token': spec.clusterToken,
    'data-dir': '/var/lib/etcd',
    ...versionedFlags(nodeVersion(spec, node)),
    'listen-metrics-urls': 'http://127.0.0.1:2381',
    'snapshot-count': '10000',
  };
  if (spec.tls) {
    Object.assign(flags, {
      'cert-file': `${PKI}/server.crt`, 'key-file': `${PKI}/server.key`,
      'trusted-ca-file': `${PKI}/ca.crt`, 'client-cert-auth': 'true',
      'peer-cert-file': `${PKI}/peer.crt`, 'peer-key-file': `${PKI}/peer.key`,
      'peer-trusted-ca-file': `${PKI}/ca.crt`, 'peer-client-cert-auth': 'true',
    });
  }
  return Object.keys(flags).sort().map((k) => `--${k}=${flags[k]}`);
}

function probe(path: string, failureThreshold: number): Record<string, unknown> {
  return {
    failureThreshold, initialDelaySeconds: 10, periodSeconds: 10, timeoutSeconds: 15,
    httpGet: { host: '127.0.0.1', path, port: 2381, scheme: 'HTTP' },
  };
}

/** The manifest text; the lab's static-pod runner runs `spec.containers[0].command` directly on the node. */
export function etcdManifest(spec: LabSpec, node: LabHost): string {
  const version = nodeVersion(spec, node);
  const health = !versionAtLeast(version, '3.5.11');
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      annotations: { 'kubeadm.kubernetes.io/etcd.advertise-client-urls': clientUrl(spec, node) },
      labels: { component: 'etcd', tier: 'control-plane' },
      name: 'etcd',
      namespace: 'kube-system',
    },
    spec: {
      containers: [{
        command: ['etcd', ...etcdFlags(spec, node)],
        image: `registry.k8s.io/etcd:${version}-0`,
        imagePullPolicy: 'IfNotPresent',
        // kubeadm 1.31+ probes /livez and /readyz, which etcd serves from 3.5.11.
        livenessProbe: probe(health ? '/health' : '/livez', 8),
        name: 'etcd',
        ...(health ? {} : { readinessProbe: { failureThreshold: 3, periodSeconds: 1, timeoutSeconds: 15, httpGet: probe('/readyz', 3).httpGet } }),
        resources: { requests: { cpu: '100m', memory: '100Mi' } },
        startupProbe: probe(health ? '/health' : '/readyz', 24),
        volumeMounts: [
          { mountPath: '/var/lib/etcd', name: 'etcd-data' },
          { mountPath: PKI, name: 'etcd-certs' },
        ],
      }],
      hostNetwork: true,
      priority: 2000001000,
      priorityClassName: 'system-node-critical',
      securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
      volumes: [
        { hostPath: { path: PKI, type: 'DirectoryOrCreate' }, name: 'etcd-certs' },
        { hostPath: { path: '/var/lib/etcd', type: 'DirectoryOrCreate' }, name: 'etcd-data' },
      ],
    },
    status: {},
  };
  return stringify(pod, { lineWidth: 0 });
}
