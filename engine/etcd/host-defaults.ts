// The values an etcd host's variables default to, per flavour, declared once: a run (runHostVars gives
// them to every host of the `etcd` group, below every inventory value) and the modules read them from here.

/** Where each flavour keeps the file that holds etcd's flags. */
export const FLAG_FILES: Readonly<Record<string, string>> = {
  'static-pod': '/etc/kubernetes/manifests/etcd.yaml',
  docker: '/etc/kubernetes/ringmaster/etcd-docker-run.sh',
  systemd: '/etc/systemd/system/etcd.service',
};

/** kubeadm's PKI folder; RKE's for the docker flavour. */
export function pkiDirOf(flavor: unknown): string {
  return flavor === 'docker' ? '/etc/kubernetes/ssl' : '/etc/kubernetes/pki/etcd';
}

/** The defaults for one host, from the flavour its other variables name (`static-pod` when none). */
export function etcdHostDefaults(vars: Readonly<Record<string, unknown>>): Record<string, string> {
  const flavor = typeof vars.etcd_flavor === 'string' && vars.etcd_flavor ? vars.etcd_flavor : 'static-pod';
  return {
    etcd_flavor: flavor,
    etcd_data_dir: '/var/lib/etcd',
    etcd_manifest: FLAG_FILES[flavor] ?? FLAG_FILES['static-pod'],
    etcd_pki_dir: pkiDirOf(flavor),
    etcdctl_via: flavor === 'docker' ? 'docker' : 'host',
  };
}
