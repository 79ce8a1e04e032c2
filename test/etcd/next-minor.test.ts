// Version awareness: the 3.6 spelling of each --experimental-* flag, health's findings per member version, etcd_version drift.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { experimentalFlagsIn, replacementOf } from '../../engine/etcd/experimental-flags.js';
import { experimentalProblem, nextMinorFindings, versionDrift } from '../../engine/etcd/versions.js';
import { etcdCacheDir } from '../../engine/lab/etcd-versions.js';

const F = '/etc/kubernetes/manifests/etcd.yaml';

describe('experimental flags and their 3.6 spelling', () => {
  it('turns a boolean flag into its feature gate and a graduated flag into the plain one, keeping the value', () => {
    expect(replacementOf('experimental-initial-corrupt-check', 'true')).to.equal('--feature-gates=InitialCorruptCheck=true');
    expect(replacementOf('experimental-initial-corrupt-check')).to.equal('--feature-gates=InitialCorruptCheck=true');
    expect(replacementOf('experimental-compact-hash-check-enabled', 'false')).to.equal('--feature-gates=CompactHashCheck=false');
    expect(replacementOf('experimental-watch-progress-notify-interval', '5s')).to.equal('--watch-progress-notify-interval=5s');
    expect(replacementOf('experimental-memory-mlock')).to.equal('--memory-mlock');
    expect(replacementOf('experimental-max-learners', '2')).to.equal(undefined);
    expect(replacementOf('initial-cluster-state', 'new')).to.equal(undefined);
  });

  it("knows exactly the flags etcd 3.6's own --help says 3.7 decommissions, with the replacement it names", function () {
    const etcd = join(etcdCacheDir(), 'v3.6.16', 'bin', 'etcd');
    if (!existsSync(etcd)) this.skip();
    const help = spawnSync(etcd, ['--help'], { encoding: 'utf8' });
    const text = `${help.stdout}${help.stderr}`;
    const said = [...text.matchAll(/^ {2}--(experimental-[a-z0-9-]+)[^\n]*\n(?: {4}[^\n]*\n)*? {4}[^\n]*Use '([^']+)' instead\./gm)].map((m) => [m[1], m[2]]);
    expect(said.length).to.be.greaterThan(20);
    // etcd names the gate with `=true`; a bare flag means true.
    for (const [flag, instead] of said) expect(replacementOf(flag), flag).to.equal(instead);
  });

  it('reads the flags and values from a manifest, a systemd unit or a docker-run script, each once, skipping comments', () => {
    const manifest = 'spec:\n  containers:\n  - command:\n    - etcd\n    - --experimental-initial-corrupt-check=true\n    - --experimental-watch-progress-notify-interval=5s\n    - --name=node1\n';
    expect(experimentalFlagsIn(manifest)).to.deep.equal([['experimental-initial-corrupt-check', 'true'], ['experimental-watch-progress-notify-interval', '5s']]);
    const unit = 'ExecStart=/usr/local/bin/etcd \\\n  --experimental-memory-mlock \\\n  --experimental-memory-mlock \\\n# --experimental-initial-corrupt-check=true\n  --name=node1\n';
    expect(experimentalFlagsIn(unit)).to.deep.equal([['experimental-memory-mlock', true]]);
    const docker = `exec docker run --name etcd registry.k8s.io/etcd:3.6.16-0 etcd "--experimental-compaction-batch-limit=500" --data-dir=/var/lib/etcd\n`;
    expect(experimentalFlagsIn(docker)).to.deep.equal([['experimental-compaction-batch-limit', '500']]);
    expect(experimentalFlagsIn('- --feature-gates=InitialCorruptCheck=true\n- --watch-progress-notify-interval=5s\n')).to.deep.equal([]);
  });
});

describe("health's next-minor findings", () => {
  const kubeadm35: Array<[string, string | true]> = [['experimental-initial-corrupt-check', 'true'], ['experimental-watch-progress-notify-interval', '5s']];

  it('on 3.6: a risk per flag, naming 3.7 and the replacement to write before upgrading', () => {
    expect(nextMinorFindings(kubeadm35, '3.6.16', F)).to.deep.equal([
      `risk: ${F}: etcd 3.7 refuses --experimental-initial-corrupt-check: replace --experimental-initial-corrupt-check with --feature-gates=InitialCorruptCheck=true before upgrading (this member runs 3.6.16)`,
      `risk: ${F}: etcd 3.7 refuses --experimental-watch-progress-notify-interval: replace --experimental-watch-progress-notify-interval with --watch-progress-notify-interval=5s before upgrading (this member runs 3.6.16)`,
    ]);
  });

  it('on 3.7: a problem per flag (the member will not start after a restart)', () => {
    expect(nextMinorFindings(kubeadm35.slice(0, 1), '3.7.3', F)).to.deep.equal([
      `problem: ${F}: etcd 3.7.3 refuses --experimental-initial-corrupt-check: this member will not start after a restart: replace --experimental-initial-corrupt-check with --feature-gates=InitialCorruptCheck=true`,
    ]);
  });

  it('on 3.5 and 3.4 nothing (--experimental-* is their spelling), nor without flags or a known version', () => {
    expect(nextMinorFindings(kubeadm35, '3.5.35', F)).to.deep.equal([]);
    expect(nextMinorFindings(kubeadm35, '3.4.23', F)).to.deep.equal([]);
    expect(nextMinorFindings([], '3.6.16', F)).to.deep.equal([]);
    expect(nextMinorFindings([], '3.7.3', F)).to.deep.equal([]);
    expect(nextMinorFindings(kubeadm35, undefined, F)).to.deep.equal([]);
  });

  it('says where to look for a flag the table does not know, and that several gates share one --feature-gates', () => {
    const [unknown] = nextMinorFindings([['experimental-made-up', '1']], '3.6.16', F);
    expect(unknown).to.equal(`risk: ${F}: etcd 3.7 refuses --experimental-made-up: replace --experimental-made-up with the plain flag or feature gate that \`etcd --help\` of 3.6 names for it before upgrading (this member runs 3.6.16)`);
    const two = nextMinorFindings([['experimental-initial-corrupt-check', 'true'], ['experimental-compact-hash-check-enabled', 'true']], '3.6.16', F);
    for (const f of two) expect(f).to.contain('(several gates go in one flag: --feature-gates=InitialCorruptCheck=true,CompactHashCheck=true)');
  });

  it("etcd_manifest's refusal and warning name the same replacements", () => {
    expect(experimentalProblem(kubeadm35, '3.7.3')?.text).to.equal('etcd 3.7.3 refuses to start with --experimental-initial-corrupt-check, --experimental-watch-progress-notify-interval (every --experimental-* flag was removed in 3.7): replace --experimental-initial-corrupt-check with --feature-gates=InitialCorruptCheck=true; replace --experimental-watch-progress-notify-interval with --watch-progress-notify-interval=5s');
    expect(experimentalProblem(kubeadm35, '3.5.35')).to.equal(undefined);
  });
});

describe('versionDrift (etcd_version of the inventory against the live server)', () => {
  it('reports a different release with both versions', () => {
    expect(versionDrift('3.6.15', '3.6.16')).to.equal('etcd_version in the inventory says 3.6.15 but the member runs 3.6.16');
    expect(versionDrift('3.5.15', '3.6.16')).to.equal('etcd_version in the inventory says 3.5.15 but the member runs 3.6.16');
    // major.minor.patch decides: a line is not a release.
    expect(versionDrift('3.6', '3.6.16')).to.equal('etcd_version in the inventory says 3.6 but the member runs 3.6.16');
  });

  it('is silent for the same release however it is spelled, when unset, and when the member does not answer', () => {
    expect(versionDrift('3.6.16', '3.6.16')).to.equal(undefined);
    expect(versionDrift('v3.6.16', '3.6.16')).to.equal(undefined);
    expect(versionDrift('3.6.16-0', '3.6.16')).to.equal(undefined);
    expect(versionDrift(undefined, '3.6.16')).to.equal(undefined);
    expect(versionDrift('', '3.6.16')).to.equal(undefined);
    expect(versionDrift('3.6.15', undefined)).to.equal(undefined);
  });
});
