// The lab's etcd version without building a lab: flags per line, image, probes, inventory, init script and bad versions.
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { defaultEtcdLine, pinnedReleases, resolveEtcdRelease } from '../../engine/lab/etcd-versions.js';
import { checkUpgrade } from '../../engine/lab/upgrade.js';
import { inventoryData } from '../../engine/lab/inventory.js';
import { etcdFlags, etcdManifest } from '../../engine/lab/manifests.js';
import { initScript } from '../../engine/lab/node-init.js';
import { makeSpec } from '../../engine/lab/spec.js';

const at = (version: string) => makeSpec('demo', 3, true, { version, binDir: `/cache/v${version}/bin` });
const names = (version: string) => etcdFlags(at(version), at(version).etcdNodes[0]).map((f) => f.slice(2).split('=')[0]);

describe('lab etcd versions', () => {
  let cache: string;
  const saved = process.env.RINGMASTER_ETCD_CACHE;
  before(() => {
    cache = mkdtempSync(join(tmpdir(), 'rm-etcd-cache-'));
    process.env.RINGMASTER_ETCD_CACHE = cache;
  });
  after(() => {
    if (saved === undefined) delete process.env.RINGMASTER_ETCD_CACHE;
    else process.env.RINGMASTER_ETCD_CACHE = saved;
    rmSync(cache, { recursive: true, force: true });
  });

  it('spells corruption check and watch progress as kubeadm does per line: --experimental-* to 3.5, gates and plain flags from 3.6', () => {
    for (const v of ['3.4.23', '3.5.35']) {
      expect(names(v), v).to.include.members(['experimental-initial-corrupt-check', 'experimental-watch-progress-notify-interval']);
      expect(names(v), v).to.not.include('feature-gates');
    }
    for (const v of ['3.6.16', '3.7.3']) {
      expect(names(v).filter((n) => n.startsWith('experimental-')), v).to.deep.equal([]);
      expect(etcdFlags(at(v), at(v).etcdNodes[0]), v).to.include.members(['--feature-gates=InitialCorruptCheck=true', '--watch-progress-notify-interval=5s']);
      expect(names(v)).to.deep.equal([...names(v)].sort());
    }
  });

  it('tags the image with the version and probes /livez and /readyz from 3.5.11 (kubeadm 1.31+), /health before', () => {
    const c = (v: string) => (parse(etcdManifest(at(v), at(v).etcdNodes[0])) as { spec: { containers: Array<Record<string, { httpGet: { path: string } } | string>> } }).spec.containers[0];
    expect(c('3.6.16').image).to.equal('registry.k8s.io/etcd:3.6.16-0');
    expect(c('3.6.16').livenessProbe).to.have.nested.property('httpGet.path', '/livez');
    expect(c('3.5.35').readinessProbe).to.have.nested.property('httpGet.path', '/readyz');
    expect(c('3.4.23').livenessProbe).to.have.nested.property('httpGet.path', '/health');
    expect(c('3.4.23')).to.not.have.property('readinessProbe');
  });

  it('writes the version into the inventory and puts built binaries on each node\'s PATH', () => {
    const inv = inventoryData(at('3.6.16')) as { all: { children: { etcd: { vars: Record<string, unknown> } } } };
    expect(inv.all.children.etcd.vars.etcd_version).to.equal('3.6.16');
    expect(initScript(at('3.6.16'), at('3.6.16').etcdNodes[0])).to.contain(`cp '/cache/v3.6.16/bin/etcd' '/cache/v3.6.16/bin/etcdctl' '/cache/v3.6.16/bin/etcdutl' /usr/local/bin/`);
    const debian = makeSpec('demo', 3, true);
    expect(debian.etcdVersion).to.equal('3.4.23');
    expect(initScript(debian, debian.etcdNodes[0])).to.not.contain('etcdutl');
  });

  it('resolves a line or an exact release to a built release, no version to the default line (3.6), and 3.4 to Debian\'s package', () => {
    const pin = pinnedReleases().get('3.6')!;
    mkdirSync(join(cache, `v${pin}`, 'bin'), { recursive: true });
    writeFileSync(join(cache, `v${pin}`, 'bin', '.complete'), '');
    expect(resolveEtcdRelease('3.6')).to.deep.equal({ version: pin, binDir: join(cache, `v${pin}`, 'bin') });
    expect(resolveEtcdRelease(`v${pin}`).version).to.equal(pin);
    expect(defaultEtcdLine()).to.equal('3.6');
    expect(resolveEtcdRelease(undefined)).to.deep.equal({ version: pin, binDir: join(cache, `v${pin}`, 'bin') });
    expect(resolveEtcdRelease('3.4')).to.deep.equal({ version: '3.4.23' });
  });

  it('refuses an unknown line, naming what is available and how to build another', () => {
    expect(() => resolveEtcdRelease('3.9')).to.throw(/--etcd-version 3\.9: no such etcd/).with.property('hint').that.matches(/available: 3\.4 \(3\.4\.23\), 3\.5 .*build-etcd\.sh/);
    expect(() => resolveEtcdRelease('3.4.30')).to.throw(/no such etcd/);
    expect(() => resolveEtcdRelease('latest')).to.throw(/no such etcd/);
  });

  it('refuses a version that is not built, naming the build command', () => {
    const pin = pinnedReleases().get('3.7')!;
    expect(() => resolveEtcdRelease('3.7')).to.throw(new RegExp(`etcd ${pin.replace(/\./g, '\\.')} is not built`)).with.property('hint').that.contains(`scripts/build-etcd.sh ${pin}`);
  });

  it('--upgrade-from takes the previous minor only, saying how to ask', () => {
    expect(() => checkUpgrade({ version: '3.5.35' }, { version: '3.6.16' })).to.not.throw();
    expect(() => checkUpgrade({ version: '3.5.35' }, { version: '3.7.3' })).to.throw(/one minor version at a time/).with.property('hint').that.contains('--etcd-version 3.6 --upgrade-from 3.5');
    expect(() => checkUpgrade({ version: '3.6.16' }, { version: '3.5.35' })).to.throw(/one minor version at a time/);
  });

  it('a node the rolling upgrade has not reached keeps its image, flags and inventory version', () => {
    const mixed = makeSpec('mix', 3, true, { version: '3.6.16', binDir: '/cache/v3.6.16/bin', nodeVersions: { node3: '3.5.35' } });
    const [n1, , n3] = mixed.etcdNodes;
    expect(etcdManifest(mixed, n1)).to.contain('registry.k8s.io/etcd:3.6.16-0').and.contain('--feature-gates=InitialCorruptCheck=true');
    expect(etcdManifest(mixed, n3)).to.contain('registry.k8s.io/etcd:3.5.35-0').and.contain('--experimental-initial-corrupt-check=true');
    const inv = inventoryData(mixed) as { all: { children: { etcd: { vars: Record<string, unknown>; hosts: Record<string, Record<string, unknown>> } } } };
    expect(inv.all.children.etcd.vars.etcd_version).to.equal('3.6.16');
    expect(inv.all.children.etcd.hosts.node3.etcd_version).to.equal('3.5.35');
    expect(inv.all.children.etcd.hosts.node1.etcd_version).to.equal(undefined);
  });
});
