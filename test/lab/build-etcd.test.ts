// scripts/build-etcd.sh without building anything: bad versions are one clear sentence and exit 1; a cached release
// is left alone (no Go toolchain needed), so npm test's pretest costs nothing once the pins are built.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pinnedReleases } from '../../engine/lab/etcd-versions.js';
import { packageRoot } from '../../engine/paths.js';

describe('scripts/build-etcd.sh', () => {
  let cache: string;
  beforeEach(() => { cache = mkdtempSync(join(tmpdir(), 'rm-build-etcd-')); });
  afterEach(() => rmSync(cache, { recursive: true, force: true }));
  // PATH without Go: proves a cached run never reaches the toolchain.
  const build = (...args: string[]) => spawnSync('bash', [join(packageRoot(), 'scripts', 'build-etcd.sh'), ...args], {
    encoding: 'utf8', env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', RINGMASTER_ETCD_CACHE: cache },
  });

  it('refuses an unpinned line, a non-version and 3.4 with one sentence and exit 1', () => {
    for (const [arg, text] of [['3.9', /^build-etcd: no pinned release for etcd 3\.9 \(pinned: 3\.5,3\.6,3\.7\); add a line to .*etcd-versions\.txt\n$/],
      ['latest', /^build-etcd: 'latest' is not an etcd version/], ['3.4', /^build-etcd: etcd 3\.4: 3\.4 is Debian's etcd-server\/etcd-client package/]] as const) {
      const r = build(arg);
      expect(r.status, arg).to.equal(1);
      expect(r.stderr, arg).to.match(text);
    }
  });

  it('names the version and the step when there is no Go toolchain', () => {
    const r = build('3.6');
    expect(r.status).to.equal(1);
    expect(r.stderr).to.equal(`build-etcd: etcd v${pinnedReleases().get('3.6')}: step 'find Go': no go toolchain on PATH (install Go 1.22+ and retry)\n`);
  });

  it('does nothing for releases already in the cache', () => {
    const pins = [...pinnedReleases()].filter(([line]) => line !== '3.4').map(([, v]) => v);
    for (const v of pins) {
      mkdirSync(join(cache, `v${v}`, 'bin'), { recursive: true });
      writeFileSync(join(cache, `v${v}`, 'bin', '.complete'), '');
    }
    const r = build();
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout.trim().split('\n')).to.deep.equal(pins.map((v) => `etcd v${v}: cached in ${cache}/v${v}/bin`));
  });
});
