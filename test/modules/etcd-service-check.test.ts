// etcd_service in check mode: starting a member whose manifest an earlier (check-mode) task would have written is a
// plan, not a failure; outside check mode the missing manifest is still an error.
import { expect } from 'chai';
import { runModule } from './context.js';
import { ScriptedConnection } from './fake-connection.js';
import { VARS } from '../etcd/etcd-script.js';

const STATE = /^sh -c .* state \/etc\/kubernetes\/manifests\/etcd\.yaml \/etc\/kubernetes\/ringmaster\/etcd\.yaml$/;

describe('etcd_service check mode with no manifest yet', () => {
  it('plans the start (changed, nothing run) and says the manifest must be written first', async () => {
    const conn = new ScriptedConnection([{ exec: STATE, reply: { stdout: 'missing\n' } }]);
    const r = await runModule('etcd_service', conn, { state: 'started', wait: 'port' }, { vars: VARS, check: true });
    expect(conn.remaining()).to.deep.equal([]);
    expect(r).to.include({ changed: true });
    expect(r.failed).to.equal(undefined);
    expect(r.msg).to.equal('check mode: would start etcd (static-pod) from /etc/kubernetes/manifests/etcd.yaml, which does not exist yet (nor /etc/kubernetes/ringmaster/etcd.yaml): an earlier task must write it, or the real run fails here');
  });

  it('still fails outside check mode', async () => {
    const conn = new ScriptedConnection([{ exec: STATE, reply: { stdout: 'missing\n' } }]);
    const err = await runModule('etcd_service', conn, { state: 'started' }, { vars: VARS }).catch((e: Error) => e);
    expect((err as Error).message).to.match(/^no etcd manifest at \/etc\/kubernetes\/manifests\/etcd\.yaml nor at /);
  });
});
