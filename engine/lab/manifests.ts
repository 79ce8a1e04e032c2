// The kubeadm-shaped static-pod manifest (`/etc/kubernetes/manifests/etcd.yaml`) of one lab node.
import { stringify } from 'yaml';
import { clientUrl, ETCD_VERSION, peerUrl, type LabHost, type LabSpec } from './spec.js';

const PKI = '/etc/kubernetes/pki/etcd';

/** etcd's flags as kubeadm's `getEtcdCommand` builds them (sorted), adapted to etcd 3.4 flag names. */
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
    'experimental-initial-corrupt-check': 'true',
    'experimental-watch-progress-notify-interval': '5s',
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
        image: `registry.k8s.io/etcd:${ETCD_VERSION}-0`,
        imagePullPolicy: 'IfNotPresent',
        livenessProbe: probe('/health', 8),
        name: 'etcd',
        resources: { requests: { cpu: '100m', memory: '100Mi' } },
        startupProbe: probe('/health', 24),
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
