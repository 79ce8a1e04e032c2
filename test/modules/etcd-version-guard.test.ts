// etcd_version_guard and etcd_member `version`: a member older than the running cluster (or than the newest member of
// a cluster mid-upgrade) is refused with E_GUARD (exit 8) before `member add`; the same version or newer joins.
import { expect } from 'chai';
import { ERROR_CODES } from '../../engine/errors/codes.js';
import { joinRefusal } from '../../engine/etcd/versions.js';
import { validateModuleArgs } from '../../engine/validate/module-args.js';
import { runModule, testContext, moduleNamed } from './context.js';
import { ScriptedConnection, type Step } from './fake-connection.js';
import { ALL, E, fixture, ID, ok, VARS } from '../etcd/etcd-script.js';

/** A kubeadm static-pod host about to join: the render takes its image from etcd_version (no live read then). */
const TARGET = { etcd_name: 'node3', etcd_peer_url: 'https://10.0.0.13:2380', etcd_client_url: 'https://10.0.0.13:2379', etcd_flavor: 'static-pod' };
const RUNNING_36 = ['3.6.16', '3.6.16'];

async function guard(vars: Record<string, unknown>, steps: Step[], args: Record<string, unknown> = { running: RUNNING_36 }) {
  expect(validateModuleArgs('etcd_version_guard', args)).to.deep.equal([]);
  const conn = new ScriptedConnection(steps, 'node3');
  const ctx = testContext(conn, { vars });
  const out = await moduleNamed('etcd_version_guard').run(ctx, args).then((result) => ({ result, err: undefined }), (err) => ({ result: undefined, err }));
  expect(conn.unexpected, 'unexpected commands').to.deep.equal([]);
  expect(conn.remaining(), 'steps never reached').to.deep.equal([]);
  expect(conn.execs().filter((c) => /member add/.test(c)), 'no member add').to.deep.equal([]);
  return { ...out, warnings: ctx.warnings };
}

describe('etcd_version_guard', () => {
  it('refuses an image older than the cluster with E_GUARD (exit 8), naming both versions, before any member add', async () => {
    const { err } = await guard({ ...TARGET, etcd_version: '3.5.35' }, []);
    expect(err?.code).to.equal('E_GUARD');
    expect(ERROR_CODES[err.code as keyof typeof ERROR_CODES].exit).to.equal(8);
    expect(err.message).to.match(/^version guard: node3's member would run etcd 3\.5\.35 \(image registry\.k8s\.io\/etcd:3\.5\.35-0 of the manifest etcd_manifest would write: 3\.5\.35\): etcd 3\.5\.35 is older than the cluster version 3\.6 \(running members: 3\.6\.16\)/);
    expect(err.message).to.match(/incompatible with current running cluster.*The member was not added.*accept_version_skew=true/);
  });

  it('takes an explicit etcd_image over etcd_version, as the render does', async () => {
    const { err } = await guard({ ...TARGET, etcd_version: '3.6.16', etcd_image: 'registry.k8s.io/etcd:3.5.35-0' }, []);
    expect(err?.code).to.equal('E_GUARD');
    expect(err.message).to.match(/would run etcd 3\.5\.35 \(image registry\.k8s\.io\/etcd:3\.5\.35-0/);
  });

  it('static pod: does not ask the host\'s etcd binary (the kubelet runs the image, never a binary on PATH)', async () => {
    // No exec step scripted: reading a binary here would be an unexpected command.
    const { result, err } = await guard({ ...TARGET, etcd_version: '3.6.16' }, []);
    expect(err).to.equal(undefined);
    expect(result?.sources).to.deep.equal([{ what: 'image registry.k8s.io/etcd:3.6.16-0 of the manifest etcd_manifest would write', version: '3.6.16' }]);
  });

  it('systemd without an etcd binary: says the version cannot be told, and warns instead of guessing', async () => {
    const { result, err, warnings } = await guard({ ...TARGET, etcd_flavor: 'systemd', etcd_version: '3.6.16' }, [{ exec: /--version.* version \/usr\/local\/bin\/etcd$/, reply: { code: 3 } }]);
    expect(err).to.equal(undefined);
    expect(result).to.include({ version: '' });
    expect(warnings.join('\n')).to.match(/cannot tell which etcd version its member will run/);
  });

  it('allows the same version and returns it for etcd_member', async () => {
    const { result, err } = await guard({ ...TARGET, etcd_version: '3.6.16' }, []);
    expect(err).to.equal(undefined);
    expect(result).to.include({ changed: false, version: '3.6.16', cluster_version: '3.6', accept_version_skew: false });
    expect(result?.failed).to.equal(undefined);
  });

  it('allows a newer minor (the upgrade direction) and an older patch of the same minor', async () => {
    const newer = await guard({ ...TARGET, etcd_version: '3.7.3' }, []);
    expect(newer.err).to.equal(undefined);
    expect(newer.result).to.include({ version: '3.7.3' });
    const patch = await guard({ ...TARGET, etcd_version: '3.6.11' }, []);
    expect(patch.err).to.equal(undefined);
    expect(patch.result).to.include({ version: '3.6.11' });
  });

  it('refuses a 3.5 member in a mixed 3.5/3.6 cluster (mid-upgrade), although etcd would take it', async () => {
    const { err } = await guard({ ...TARGET, etcd_version: '3.5.35' }, [], { running: ['3.5.35', '3.6.16', '3.6.16'] });
    expect(err?.code).to.equal('E_GUARD');
    expect(err.message).to.match(/the cluster is being upgraded to 3\.6 \(running members: 3\.5\.35, 3\.6\.16\): adding a 3\.5 member \(etcd 3\.5\.35\) would hold it back/);
  });

  it('with accept_version_skew warns instead of refusing', async () => {
    const { result, err, warnings } = await guard({ ...TARGET, etcd_version: '3.5.35' }, [], { running: RUNNING_36, accept_version_skew: 'true' });
    expect(err).to.equal(undefined);
    expect(result).to.include({ version: '3.5.35', accept_version_skew: true });
    expect(warnings.join('\n')).to.match(/older than the cluster version 3\.6.*adding it anyway \(accept_version_skew\)/);
  });

  it('systemd: reads the unit\'s etcd_binary, not PATH', async () => {
    const step: Step = { exec: /--version.* version \/opt\/etcd\/bin\/etcd$/, ...ok('/opt/etcd/bin/etcd\netcd Version: 3.5.35\n') };
    const { err } = await guard({ ...TARGET, etcd_flavor: 'systemd', etcd_binary: '/opt/etcd/bin/etcd', etcd_version: '3.6.16' }, [step]);
    expect(err?.code).to.equal('E_GUARD');
    expect(err.message).to.match(/would run etcd 3\.5\.35 \(etcd binary \/opt\/etcd\/bin\/etcd on node3: 3\.5\.35\)/);
  });

  it('fails (not a guess) without the running members\' versions', async () => {
    const { err } = await guard({ ...TARGET, etcd_version: '3.6.16' }, [], { running: [''] });
    expect(err?.code).to.equal('E_TASK_FAILED');
    expect(err.message).to.match(/no running member's version in `running`/);
  });
});

describe('joinRefusal', () => {
  it('compares major.minor with the lowest and the newest running member', () => {
    expect(joinRefusal('3.5.35', ['3.6.16'])).to.match(/older than the cluster version 3\.6/);
    expect(joinRefusal('3.4.23', ['3.5.35', '3.6.16'])).to.match(/older than the cluster version 3\.5/);
    expect(joinRefusal('3.5.35', ['3.5.21', '3.6.16'])).to.match(/being upgraded to 3\.6/);
    expect(joinRefusal('3.6.1', ['3.6.16', '3.6.16'])).to.equal(undefined);
    expect(joinRefusal('v3.7.0', ['3.6.16'])).to.equal(undefined);
    expect(joinRefusal('3.6.16', [])).to.equal(undefined);
  });
});

/** endpoint status of the 3-member fixture cluster, each member reporting the given server version. */
function statusWith(versions: string[]): Step {
  // Edited as text: a JSON round trip would round the 64-bit cluster and member IDs.
  let i = 0;
  const text = fixture('endpoint-status-3.json').replace(/"version":"3\.4\.23"/g, () => `"version":"${versions[i++]}"`);
  expect(i).to.equal(versions.length);
  return { exec: E('endpoint status -w json', ALL), ...ok(text) };
}
const LIST: Step = { exec: E('member list -w json'), ...ok(fixture('member-list-3.json')) };
const HEALTHY: Step = { exec: E('endpoint health -w json', ALL), ...ok(fixture('endpoint-health-3.json')) };
const ADD_M4 = E('member add m4 --peer-urls=http://127.0.0.1:24694 --learner -w json');
const M4 = { name: 'm4', peer_urls: ['http://127.0.0.1:24694'] };

describe('etcd_member state=present with version', () => {
  async function present(steps: Step[], args: Record<string, unknown>) {
    expect(validateModuleArgs('etcd_member', args)).to.deep.equal([]);
    const conn = new ScriptedConnection(steps);
    const out = await runModule('etcd_member', conn, args, { vars: VARS }).then((result) => ({ result, err: undefined }), (err) => ({ result: undefined, err }));
    expect(conn.unexpected, 'unexpected commands').to.deep.equal([]);
    expect(conn.remaining(), 'steps never reached').to.deep.equal([]);
    return { ...out, execs: conn.execs() };
  }

  it('re-reads the running versions right before the add and refuses an older member (E_GUARD) without running member add', async () => {
    const { err, execs } = await present([LIST, HEALTHY, statusWith(['3.6.16', '3.6.16', '3.6.16'])], { ...M4, version: '3.5.35' });
    expect(err?.code).to.equal('E_GUARD');
    expect(ERROR_CODES[err.code as keyof typeof ERROR_CODES].exit).to.equal(8);
    expect(err.message).to.match(/version guard: m4 would run etcd 3\.5\.35: etcd 3\.5\.35 is older than the cluster version 3\.6 \(running members: 3\.6\.16\).*The member was not added/);
    expect(execs.filter((c) => /member add/.test(c))).to.deep.equal([]);
  });

  it('refuses an older member in a mixed cluster (the newest member\'s minor counts)', async () => {
    const { err } = await present([LIST, HEALTHY, statusWith(['3.5.35', '3.6.16', '3.6.16'])], { ...M4, version: '3.5.35' });
    expect(err?.code).to.equal('E_GUARD');
    expect(err.message).to.match(/being upgraded to 3\.6 \(running members: 3\.5\.35, 3\.6\.16\): adding a 3\.5 member/);
  });

  it('adds a member of the same version', async () => {
    const { result, err } = await present([LIST, HEALTHY, statusWith(['3.6.16', '3.6.16', '3.6.16']), { exec: ADD_M4, ...ok(fixture('member-add-learner.json')) }], { ...M4, version: '3.6.16' });
    expect(err).to.equal(undefined);
    expect(result).to.include({ changed: true, member_id: ID.m4, learner: true });
  });

  it('adds an older member with accept_version_skew, and checks nothing with an empty version', async () => {
    const skew = await present([LIST, HEALTHY, statusWith(['3.6.16', '3.6.16', '3.6.16']), { exec: ADD_M4, ...ok(fixture('member-add-learner.json')) }], { ...M4, version: '3.5.35', accept_version_skew: true });
    expect(skew.result).to.include({ changed: true });
    const none = await present([LIST, { exec: ADD_M4, ...ok(fixture('member-add-learner.json')) }], { ...M4, version: '' });
    expect(none.result).to.include({ changed: true });
  });
});
