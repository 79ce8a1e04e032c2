// Test helpers for the etcd modules: real etcdctl 3.4 fixtures and the exact etcdctl command lines the modules run.
import { readFileSync } from 'node:fs';

/** A captured etcdctl output (test/fixtures/etcd). */
export const fixture = (f: string): string => readFileSync(new URL(`../../../test/fixtures/etcd/${f}`, import.meta.url), 'utf8');

/** Host variables matching the captured 3-member loopback cluster (m1..m3, no TLS). */
export const VARS = {
  etcd_tls: false,
  etcd_local_client_url: 'http://127.0.0.1:24591',
  etcd_name: 'm1',
  etcd_peer_url: 'http://127.0.0.1:24691',
  etcd_version: '3.4.23',
};

/** IDs of the captured members, in etcdctl's hex form. */
export const ID = { m1: 'da0c86105c2549da', m2: '9e0b5faf90bb398a', m3: '27571c27a0389ac3', m4: 'e9ff8ace14ff4d95', m5: 'e0fd4c2bc78d138e' };

export const ALL = 'http://127.0.0.1:24593,http://127.0.0.1:24592,http://127.0.0.1:24591';

/** `env ETCDCTL_API=3 etcdctl --endpoints=... <args>` exactly as etcdctl() renders it without TLS (a `--command-timeout=` argument replaces the default). */
export function E(args: string, endpoints = 'http://127.0.0.1:24591', commandTimeout?: string): string {
  // endpoint health and status have their own, shorter command timeout (etcdctl_health_timeout, default 2s)
  const timeout = commandTimeout ?? (args.startsWith('endpoint health') || args.startsWith('endpoint status') ? '2s' : '5s');
  return `env ETCDCTL_API=3 etcdctl --endpoints=${endpoints} --dial-timeout=2s --command-timeout=${timeout} ${args}`;
}

export const ok = (stdout: string) => ({ reply: { code: 0, stdout } });
export const fail = (stderr: string, code = 1, stdout = '') => ({ reply: { code, stdout, stderr } });
