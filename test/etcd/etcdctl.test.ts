// The etcdctl builder per `etcdctl_via`, and its docker form run against real etcdctl binaries with RKE's
// container environment: a flag that shadows an ETCDCTL_* variable makes etcdctl exit 1, so docker passes none.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { etcdctl, etcdctlSettings } from '../../engine/etcd/etcdctl.js';
import { labImages } from '../../engine/lab/etcd-versions.js';

/** What RKE's `BuildEtcdProcess` puts in the etcd container's environment. */
const RKE_ENV = {
  ETCDCTL_API: '3',
  ETCDCTL_CACERT: '/etc/kubernetes/ssl/kube-ca.pem',
  ETCDCTL_CERT: '/etc/kubernetes/ssl/kube-etcd-10-0-1-21.pem',
  ETCDCTL_KEY: '/etc/kubernetes/ssl/kube-etcd-10-0-1-21-key.pem',
  ETCDCTL_ENDPOINTS: 'https://127.0.0.1:2379',
};
const rke = { etcdctl_via: 'docker', etcd_ca_file: '/ssl/ca.pem', etcdctl_cert_file: '/ssl/c.pem', etcdctl_key_file: '/ssl/k.pem' };

/** Runs `etcdctl ARGS` with ENV the way `docker exec -e` would: the container's variables, each -e replacing one. */
function runLikeDockerExec(bin: string, rendered: string[], containerEnv: Record<string, string>): { code: number; stderr: string } {
  const at = rendered.indexOf('etcdctl');
  const env: Record<string, string> = { PATH: '/usr/bin:/bin', ...containerEnv };
  for (let i = 0; i < at; i++) if (rendered[i] === '-e') { const [k, ...v] = rendered[i + 1].split('='); env[k] = v.join('='); }
  const r = spawnSync(join(bin, 'etcdctl'), rendered.slice(at + 1), { env, encoding: 'utf8', timeout: 20_000 });
  return { code: r.status ?? -1, stderr: r.stderr };
}

describe('etcdctl command lines', () => {
  it('docker: hands the endpoints, TLS files and timeouts in as -e variables, never as flags that shadow the container\'s', () => {
    const c = etcdctl(etcdctlSettings(rke, ['https://10.0.1.22:2379']), 'endpoint', 'health', '-w', 'json');
    expect(c.render()).to.equal('docker exec -i -e ETCDCTL_API=3 -e ETCDCTL_ENDPOINTS=https://10.0.1.22:2379 -e ETCDCTL_DIAL_TIMEOUT=2s '
      + '-e ETCDCTL_COMMAND_TIMEOUT=5s -e ETCDCTL_CACERT=/ssl/ca.pem -e ETCDCTL_CERT=/ssl/c.pem -e ETCDCTL_KEY=/ssl/k.pem etcd etcdctl endpoint health -w json');
  });

  it('lets a global flag among the arguments override its setting instead of repeating it', () => {
    const host = etcdctl(etcdctlSettings({ etcd_tls: false }), '--command-timeout=3s', 'get', 'k');
    expect(host.render()).to.equal('env ETCDCTL_API=3 etcdctl --endpoints=http://127.0.0.1:2379 --dial-timeout=2s --command-timeout=3s get k');
    const docker = etcdctl(etcdctlSettings({ ...rke, etcd_tls: false }), '--command-timeout=3s', 'get', 'k').render();
    expect(docker).to.contain('-e ETCDCTL_COMMAND_TIMEOUT=3s').and.to.match(/ etcd etcdctl get k$/);
  });

  it('crictl on RKE2: its own crictl binary and config file, for both the lookup and the exec', () => {
    const c = etcdctl(etcdctlSettings({ etcdctl_via: 'crictl', crictl_path: '/var/lib/rancher/rke2/bin/crictl', crictl_config: '/var/lib/rancher/rke2/agent/etc/crictl.yaml' }), 'member', 'list').render();
    expect(c).to.match(/^sh -c 'id=\$\(\/var\/lib\/rancher\/rke2\/bin\/crictl --config=\/var\/lib\/rancher\/rke2\/agent\/etc\/crictl\.yaml ps -q --label io\.kubernetes\.container\.name=etcd .*; then exec \/var\/lib\/rancher\/rke2\/bin\/crictl --config=\/var\/lib\/rancher\/rke2\/agent\/etc\/crictl\.yaml exec -i "\$id" etcdctl "\$@"; fi; /);
  });

  it('crictl: finds the container by the kubelet\'s labels and runs etcdctl without `env` (kubeadm\'s image is distroless)', () => {
    const c = etcdctl(etcdctlSettings({ etcdctl_via: 'crictl' }), 'member', 'list').render();
    expect(c).to.match(/^sh -c 'id=\$\(crictl ps -q --label io\.kubernetes\.container\.name=etcd --label io\.kubernetes\.pod\.namespace=kube-system --state running \| head -n1\) \|\| id=; if \[ -n "\$id" \]; then exec crictl exec -i "\$id" etcdctl "\$@"; fi; /);
    expect(c).to.match(/' etcdctl --endpoints=https:\/\/127\.0\.0\.1:2379 .* member list$/);
    expect(c).not.to.match(/ env /);
  });

  it('crictl: with no running etcd container, the etcdctl of the image the live (else held) manifest names', () => {
    const c = etcdctl(etcdctlSettings({ etcdctl_via: 'crictl', etcd_manifest: '/etc/kubernetes/manifests/etcd.yaml' }), 'member', 'list').render();
    expect(c).to.contain("fi; set -- '\\'''\\'' /etc/kubernetes/manifests/etcd.yaml /etc/kubernetes/ringmaster/etcd.yaml /usr/local/bin/etcdctl \"$@\"; ");
    expect(c).to.contain('ctr -n k8s.io images mount "$img" "$m"');
  });

  const bins = Object.entries(labImages()).filter(([, dir]) => existsSync(join(dir, 'etcdctl')));
  for (const [version, bin] of bins) {
    it(`etcdctl ${version} under RKE's environment: a shadowing flag exits 1 at once, the -e form does not`, function () {
      // Port 1 answers nothing: a command that got past its flags fails later with a deadline, not with "shadowed".
      const flags = runLikeDockerExec(bin, ['etcdctl', '--endpoints=https://127.0.0.1:1', '--dial-timeout=1s', 'member', 'list'], RKE_ENV);
      expect(flags.code, flags.stderr).to.equal(1);
      expect(flags.stderr).to.match(/shadowed by corresponding command-line flag/);
      const c = etcdctl(etcdctlSettings({ ...rke, etcdctl_dial_timeout: '1s', etcdctl_command_timeout: '2s' }, ['https://127.0.0.1:1']), 'member', 'list');
      const ours = runLikeDockerExec(bin, c.parts.map(String), RKE_ENV);
      expect(ours.stderr).not.to.match(/shadowed/);
      // Past its flags, etcdctl opens the TLS files the -e variables name (absent here), before it dials.
      expect(ours.code, ours.stderr).not.to.equal(0);
      expect(ours.stderr, 'it used the -e TLS files').to.match(/open \/ssl\/c\.pem: no such file/);
    });
  }
  it('has real etcdctl binaries to try (Debian 3.4 at least)', () => expect(bins.length).to.be.above(0));
});
