// Where a static-pod member's manifest is: in the kubelet's folder while it runs, held outside it while stopped.
import { FLAG_FILES } from './host-defaults.js';

const str = (v: unknown, d: string): string => (typeof v === 'string' && v !== '' ? v : d);

/** The member's manifest in the watched folder (`etcd_manifest`). */
export function liveManifest(vars: Readonly<Record<string, unknown>>): string {
  return str(vars.etcd_manifest, FLAG_FILES['static-pod']);
}

/** Where a stopped static-pod member's manifest is held (etcd_manifest edits it there on a rejoin). */
export function heldManifest(vars: Readonly<Record<string, unknown>>, holdingDir = '/etc/kubernetes/ringmaster'): string {
  const file = liveManifest(vars).split('/').pop() ?? 'etcd.yaml';
  return `${holdingDir.replace(/\/+$/, '')}/${file}`;
}
