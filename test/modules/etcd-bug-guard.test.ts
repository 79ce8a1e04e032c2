// etcd_bug_guard operation=force-new-cluster: the survivor's live version (manifest image, else `etcd --version`)
// against the learner bug of --force-new-cluster (etcd #20893: fixed in 3.5.25 and 3.6.6, never in 3.4).
import { expect } from 'chai';
import { forceNewClusterVerdict } from '../../engine/etcd/known-bugs.js';
import { moduleNamed, testContext } from './context.js';
import { ScriptedConnection, type Step } from './fake-connection.js';

const MANIFEST = '/etc/kubernetes/manifests/etcd.yaml';
const READ = (path: string) => new RegExp(`^sh -c .* read ${path.replace(/[./]/g, '\\$&')}$`);
/** A kubeadm manifest naming that image (the inventory's etcd_version below always says a fixed release). */
const manifest = (image: string) => `apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - command:\n    - etcd\n    - --name=node1\n    image: ${image}\n`;
const VERSION = (binary: string): RegExp => new RegExp(`^sh -c .* version ${binary.replace(/[./]/g, '\\$&')}$`);
const etcdVersion = (v: string) => `etcd Version: ${v}\nGit SHA: Not provided\nGo Version: go1.26.8\nGo OS/Arch: linux/amd64\n`;

async function run(steps: Step[], args: Record<string, unknown> = {}, vars: Record<string, unknown> = {}) {
  const conn = new ScriptedConnection(steps);
  const ctx = testContext(conn, { vars: { etcd_version: '3.6.16', ...vars } });
  const result = await moduleNamed('etcd_bug_guard').run(ctx, { operation: 'force-new-cluster', ...args });
  expect(conn.unexpected, 'unexpected commands').to.deep.equal([]);
  expect(conn.remaining(), 'steps never reached').to.deep.equal([]);
  return { result, warnings: ctx.warnings };
}
const fromImage = (image: string): Step[] => [{ exec: READ(MANIFEST), reply: { stdout: manifest(image) } }];

describe('etcd_bug_guard operation=force-new-cluster', () => {
  for (const [image, version] of [['registry.k8s.io/etcd:3.5.24-0', '3.5.24'], ['registry.k8s.io/etcd:3.6.5-0', '3.6.5'], ['quay.io/coreos/etcd:v3.4.23', '3.4.23']]) {
    it(`refuses (abort, exit 8) on ${version}, naming the version, where it was read, the fixed releases and what to do`, async () => {
      const { result, warnings } = await run(fromImage(image));
      expect(result).to.include({ failed: true, abort: true, affected: true, version, accepted: false });
      expect(result.msg).to.contain(`node1 runs etcd ${version} (image in ${MANIFEST})`);
      expect(result.msg).to.match(/--force-new-cluster can leave learners of the old cluster in the member list \(etcd issue #20893/);
      expect(result.msg).to.contain('fixed in 3.5.25 and 3.6.6; 3.7 has the fix');
      expect(result.msg).to.match(/nothing was changed\. Upgrade this member's etcd binary\/image to a fixed release first .*-e accept_known_bug=true/);
      expect(warnings).to.deep.equal([]);
    });
  }

  for (const [image, version] of [['registry.k8s.io/etcd:3.5.25-0', '3.5.25'], ['registry.k8s.io/etcd:3.6.6-0', '3.6.6'], ['registry.k8s.io/etcd:3.7.0-0', '3.7.0'], ['registry.k8s.io/etcd:3.7.3-0', '3.7.3']]) {
    it(`allows ${version}`, async () => {
      const { result, warnings } = await run(fromImage(image));
      expect(result.failed).to.equal(undefined);
      expect(result.abort).to.equal(undefined);
      expect(result).to.include({ affected: false, version });
      expect(warnings).to.deep.equal([]);
    });
  }

  it('proceeds on an affected version with accept_known_bug=true, with a warning', async () => {
    const { result, warnings } = await run(fromImage('registry.k8s.io/etcd:3.5.24-0'), { accept_known_bug: true });
    expect(result.failed).to.equal(undefined);
    expect(result.abort).to.equal(undefined);
    expect(result).to.include({ affected: true, accepted: true, version: '3.5.24' });
    expect(warnings).to.have.length(1);
    expect(warnings[0]).to.match(/node1 runs etcd 3\.5\.24 .*known bug.*proceeding because accept_known_bug=true/);
    expect(result.warnings).to.deep.equal(warnings);
  });

  it('reads `etcd --version` on the host when the manifest names no version (the live binary, not the inventory)', async () => {
    const { result } = await run([
      { exec: READ(MANIFEST), reply: { stdout: manifest('my-registry.local/etcd:latest') } },
      { exec: VERSION('etcd'), reply: { stdout: etcdVersion('3.4.23') } },
    ]);
    expect(result).to.include({ failed: true, abort: true, version: '3.4.23', version_source: '`etcd --version` on the host' });
    expect(result.msg).to.contain('etcd 3.4 never got the fix');
  });

  it("reads the systemd unit's ExecStart binary", async () => {
    const unit = '[Service]\nExecStart=/opt/etcd/bin/etcd \\\n  --name=node1\n';
    const { result } = await run([
      { exec: READ('/etc/systemd/system/etcd.service'), reply: { stdout: unit } },
      { exec: VERSION('/opt/etcd/bin/etcd'), reply: { stdout: etcdVersion('3.6.5') } },
    ], {}, { etcd_flavor: 'systemd' });
    expect(result).to.include({ failed: true, abort: true, version: '3.6.5' });
  });

  it('refuses when no version can be read at all (never trusts etcd_version), unless accepted', async () => {
    const steps = (): Step[] => [{ exec: READ(MANIFEST), reply: { code: 3 } }, { exec: VERSION('etcd'), reply: { code: 3 } }];
    const { result } = await run(steps());
    expect(result).to.include({ failed: true, abort: true, affected: 'unknown' });
    expect(result.msg).to.match(/cannot tell which etcd node1 runs \(\/etc\/kubernetes\/manifests\/etcd\.yaml does not exist; `etcd --version` found no such program\)/);
    const accepted = await run(steps(), { accept_known_bug: true });
    expect(accepted.result.failed).to.equal(undefined);
    expect(accepted.warnings).to.have.length(1);
  });

  it('the rule by line: 3.4 always affected, 3.5 before .25, 3.6 before .6, 3.7 fixed, no learners before 3.4', () => {
    const affected = (v: string) => forceNewClusterVerdict(v)?.affected;
    expect(['3.4.0', '3.4.23', '3.4.45', '3.5.0', '3.5.24', '3.6.0', '3.6.5'].map(affected)).to.deep.equal(Array(7).fill(true));
    expect(['3.3.27', '3.5.25', '3.5.35', '3.6.6', '3.6.16', '3.7.0', '3.7.3', '4.0.0'].map(affected)).to.deep.equal(Array(8).fill(false));
    expect(forceNewClusterVerdict('latest')).to.equal(undefined);
  });
});
