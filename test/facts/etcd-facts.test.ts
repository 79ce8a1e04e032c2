// etcd facts: the commands they run and the parsing of real etcdctl 3.4 JSON.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { etcdEndpointHealth } from '../../engine/facts/etcd-endpoint-health.js';
import { etcdEndpointStatus } from '../../engine/facts/etcd-endpoint-status.js';
import { etcdMembers } from '../../engine/facts/etcd-members.js';

const fixture = (f: string) => readFileSync(new URL(`../../../test/fixtures/etcd/${f}`, import.meta.url), 'utf8');

describe('etcd facts', () => {
  it('asks etcdctl for JSON with kubeadm certificate paths by default', () => {
    expect(etcdMembers.command({}).render()).to.equal(
      'env ETCDCTL_API=3 etcdctl --endpoints=https://127.0.0.1:2379 --dial-timeout=2s --command-timeout=5s ' +
        '--cacert=/etc/kubernetes/pki/etcd/ca.crt --cert=/etc/kubernetes/pki/etcd/healthcheck-client.crt ' +
        '--key=/etc/kubernetes/pki/etcd/healthcheck-client.key member list -w json',
    );
  });

  it('reaches etcdctl through docker exec or crictl exec when told to', () => {
    expect(etcdMembers.command({ etcdctl_via: 'docker', etcd_tls: false }).render()).to.equal(
      'docker exec -i -e ETCDCTL_API=3 -e ETCDCTL_ENDPOINTS=http://127.0.0.1:2379 -e ETCDCTL_DIAL_TIMEOUT=2s -e ETCDCTL_COMMAND_TIMEOUT=5s etcd etcdctl member list -w json',
    );
    expect(etcdMembers.command({ etcdctl_via: 'crictl' }).render()).to.match(
      /^sh -c 'id=\$\(crictl ps -q --label io\.kubernetes\.container\.name=etcd --label io\.kubernetes\.pod\.namespace=kube-system --state running \| head -n1\) \|\| id=; if \[ -n "\$id" \]; then exec crictl exec -i "\$id" etcdctl "\$@"; fi; .*' etcdctl --endpoints=https:\/\/127\.0\.0\.1:2379 /,
    );
    expect(() => etcdMembers.command({ etcdctl_via: 'crictl', etcd_container: 'x;rm -rf /' })).to.throw(/unsafe container name/);
  });

  it('fails member list with etcdctl\'s own error line', () => {
    expect(() => etcdMembers.parse('', '{"level":"warn"}\nError: context deadline exceeded\n', 1)).to.throw(/exit 1\): Error: context deadline exceeded/);
  });

  it('parses endpoint status with exact IDs, leader and raft index', () => {
    const s = etcdEndpointStatus.parse(fixture('endpoint-status.json'), '', 0);
    expect(s).to.have.length(2);
    expect(s[0]).to.include({ endpoint: '127.0.0.1:23791', memberId: 'bb7d371eb677b2bf', leaderId: 'bb7d371eb677b2bf', raftIndex: 6, version: '3.4.23' });
    expect(s[1].clusterId).to.equal(s[0].clusterId);
  });

  it('parses the status of a member that lost quorum (etcd omits the zero leader)', () => {
    const [s] = etcdEndpointStatus.parse(fixture('endpoint-status-no-leader.json'), '', 0);
    expect(s).to.include({ leaderId: '0000000000000000', raftIndex: 17 });
    expect(s.errors).to.deep.equal(['etcdserver: no leader']);
  });

  it('reads etcdctl 3.6\'s `null` (no endpoint answered; 3.4 and 3.5 print `[]`) as no status and no health', () => {
    // As etcdctl 3.6.16 printed it for an endpoint that refused the connection (exit 1).
    expect(etcdEndpointStatus.parse('null\n', 'Failed to get the status of endpoint http://127.0.0.1:1 (context deadline exceeded)', 1)).to.deep.equal([]);
    expect(etcdEndpointHealth.parse('null\n', '', 1)).to.deep.equal([]);
  });

  it('parses endpoint health including the endpoints that are down', () => {
    const h = etcdEndpointHealth.parse(fixture('endpoint-health-one-down.json'), '', 1);
    expect(h.map((x) => x.health)).to.deep.equal([true, false]);
    expect(h[1].error).to.equal('context deadline exceeded');
  });

  it('gives endpoint health a shorter command timeout than other queries, overridable per inventory', () => {
    expect(etcdEndpointHealth.command({}).render()).to.contain('--command-timeout=2s');
    expect(etcdEndpointHealth.command({ etcdctl_health_timeout: '1s' }).render()).to.contain('--command-timeout=1s');
    expect(etcdMembers.command({}).render()).to.contain('--command-timeout=5s');
  });
});
