// The lab's PKI in kubeadm's layout (etcd CA; per node server, peer, healthcheck-client; apiserver-etcd-client), via openssl.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rkeCertBase } from './flavor.js';
import { runOk } from './proc.js';
import type { LabHost, LabSpec } from './spec.js';

const DAYS = '3650';
const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** The folder holding one node's `/etc/kubernetes/pki` tree (copied into the node at boot). */
export function nodePkiDir(spec: LabSpec, node: LabHost): string {
  return join(spec.dir, 'hosts', node.name, 'pki');
}

async function leaf(caDir: string, outDir: string, base: string, subj: string, eku: string, san?: string): Promise<void> {
  const args = ['req', '-x509', ...EC, '-days', DAYS, '-subj', subj,
    '-CA', join(caDir, 'ca.crt'), '-CAkey', join(caDir, 'ca.key'),
    '-keyout', join(outDir, `${base}.key`), '-out', join(outDir, `${base}.crt`),
    '-addext', 'basicConstraints=critical,CA:FALSE',
    '-addext', 'keyUsage=critical,digitalSignature,keyEncipherment',
    '-addext', `extendedKeyUsage=${eku}`];
  if (san) args.push('-addext', `subjectAltName=${san}`);
  await runOk('openssl', args, `creating certificate ${base}`);
}

/**
 * Creates `<lab>/pki/etcd/ca.{crt,key}` and, per node, `hosts/<node>/pki/{etcd/*, apiserver-etcd-client.*}`.
 * ECDSA P-256 keeps this at about half a second (RSA-2048 costs five times as much).
 */
export async function createPki(spec: LabSpec): Promise<void> {
  const caDir = join(spec.dir, 'pki', 'etcd');
  mkdirSync(caDir, { recursive: true, mode: 0o700 });
  await runOk('openssl', ['req', '-x509', ...EC, '-days', DAYS, '-subj', '/CN=etcd-ca',
    '-keyout', join(caDir, 'ca.key'), '-out', join(caDir, 'ca.crt'),
    '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,digitalSignature,keyEncipherment,keyCertSign'], 'creating the etcd CA');
  await Promise.all(spec.etcdNodes.map(async (n) => {
    const root = nodePkiDir(spec, n);
    const etcd = join(root, 'etcd');
    mkdirSync(etcd, { recursive: true, mode: 0o700 });
    const san = `DNS:${n.name},DNS:localhost,IP:${n.address},IP:127.0.0.1,IP:0:0:0:0:0:0:0:1`;
    await Promise.all([
      leaf(caDir, etcd, 'server', `/CN=${n.name}`, 'serverAuth,clientAuth', san),
      leaf(caDir, etcd, 'peer', `/CN=${n.name}`, 'serverAuth,clientAuth', san),
      leaf(caDir, etcd, 'healthcheck-client', '/CN=kube-etcd-healthcheck-client', 'clientAuth'),
      leaf(caDir, root, 'apiserver-etcd-client', '/O=system:masters/CN=kube-apiserver-etcd-client', 'clientAuth'),
    ]);
  }));
  if (spec.flavor === 'rke') {
    writeRkeSsl(spec, caDir);
    return;
  }
  if (spec.flavor === 'systemd') {
    writeKubespraySsl(spec, caDir);
    return;
  }
  // kubeadm keeps the CA (key included) on every control-plane node: replacing a member needs new certs.
  for (const n of spec.etcdNodes) {
    const etcd = join(nodePkiDir(spec, n), 'etcd');
    for (const f of ['ca.crt', 'ca.key']) {
      writeFileSync(join(etcd, f), readFileSync(join(caDir, f)), { mode: f.endsWith('.key') ? 0o600 : 0o644 });
    }
  }
}


/** The folder holding one rke node's `/etc/kubernetes/ssl` (copied into the node at boot). */
export function nodeSslDir(spec: LabSpec, node: LabHost): string {
  return join(spec.dir, 'hosts', node.name, 'ssl');
}

/**
 * kubespray's names in /etc/ssl/etcd/ssl: `ca.pem` (and `ca-key.pem`), per etcd host `member-<host>.pem` (serving and
 * peering) and `admin-<host>.pem` (etcdctl's), each with `-key.pem`; every etcd host holds all of them.
 */
function writeKubespraySsl(spec: LabSpec, caDir: string): void {
  for (const n of spec.etcdNodes) {
    const ssl = nodeSslDir(spec, n);
    mkdirSync(ssl, { recursive: true, mode: 0o700 });
    writeFileSync(join(ssl, 'ca.pem'), readFileSync(join(caDir, 'ca.crt')), { mode: 0o644 });
    writeFileSync(join(ssl, 'ca-key.pem'), readFileSync(join(caDir, 'ca.key')), { mode: 0o600 });
    for (const m of spec.etcdNodes) {
      const src = join(nodePkiDir(spec, m), 'etcd');
      for (const [kind, base] of [['member', 'server'], ['admin', 'healthcheck-client']]) {
        writeFileSync(join(ssl, `${kind}-${m.name}.pem`), readFileSync(join(src, `${base}.crt`)), { mode: 0o644 });
        writeFileSync(join(ssl, `${kind}-${m.name}-key.pem`), readFileSync(join(src, `${base}.key`)), { mode: 0o600 });
      }
    }
  }
}

/**
 * RKE's names: `kube-ca.pem` and, for every etcd node, `kube-etcd-<ip-with-dashes>.pem` / `-key.pem` (one certificate
 * serves as server, peer and client); every etcd node holds all of them, and no CA key.
 */
function writeRkeSsl(spec: LabSpec, caDir: string): void {
  for (const n of spec.etcdNodes) {
    const ssl = nodeSslDir(spec, n);
    mkdirSync(ssl, { recursive: true, mode: 0o700 });
    writeFileSync(join(ssl, 'kube-ca.pem'), readFileSync(join(caDir, 'ca.crt')), { mode: 0o644 });
    for (const m of spec.etcdNodes) {
      const base = rkeCertBase(m.address).split('/').pop() as string;
      const src = join(nodePkiDir(spec, m), 'etcd');
      writeFileSync(join(ssl, `${base}.pem`), readFileSync(join(src, 'server.crt')), { mode: 0o644 });
      writeFileSync(join(ssl, `${base}-key.pem`), readFileSync(join(src, 'server.key')), { mode: 0o600 });
    }
  }
}
