// `ringmaster render` of every shipped template for the example inventories and each etcd line, against golden
// files (test/golden/render; regenerate with UPDATE_GOLDEN=1 and review the diff), and the same text from
// etcd_manifest's render for every etcd host: one code path for both.
import { expect } from 'chai';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Writable } from 'node:stream';
import { main } from '../../engine/cli.js';
import type { CliIO } from '../../engine/commands/types.js';
import { loadInventories } from '../../engine/load/inventory.js';
import { render } from '../../engine/modules/etcd_manifest.js';
import { TEMPLATES } from '../../engine/modules/manifest-template.js';
import { packageRoot } from '../../engine/paths.js';
import { createTemplateEngine } from '../../engine/template/engine.js';
import { renderVars } from '../../engine/template/render-vars.js';
import { ScriptedConnection } from '../modules/fake-connection.js';
import { testContext } from '../modules/context.js';

const ROOT = packageRoot();
const GOLDEN = join(ROOT, 'test', 'golden', 'render');
const INVENTORIES = ['kubeadm-stacked.yml', 'rke-docker.yml', 'bastion.ini', 'rke2.yml'];
/** One release per supported line, as users run them. */
const LINES = ['3.5.35', '3.6.16', '3.7.3'];

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io = {
    stdout: new Writable({ write(c, _e, cb) { out += String(c); cb(); } }),
    stderr: new Writable({ write(c, _e, cb) { err += String(c); cb(); } }),
    stdin: process.stdin,
    cwd: ROOT,
    env: {},
  } as CliIO;
  const code = await main(argv, io);
  return { code, out, err };
}

describe('manifest generation (ringmaster render and etcd_manifest, golden files)', () => {
  for (const invFile of INVENTORIES) {
    for (const [flavor, template] of Object.entries(TEMPLATES)) {
      for (const version of LINES) {
        it(`${invFile} × ${template} × etcd ${version}: render prints the golden file, and etcd_manifest writes the same for every etcd host`, async () => {
          const inv = await loadInventories([join(ROOT, 'inventories', invFile)]);
          const hosts = [...inv.hosts.keys()].filter((h) => (inv.groups.get('etcd')?.hosts ?? []).includes(h));
          expect(hosts.length, 'etcd hosts').to.be.above(0);
          for (const [i, host] of hosts.entries()) {
            const r = await cli(['render', `playbooks/templates/${template}`, '-i', `inventories/${invFile}`, '--host', host, '-e', `etcd_version=${version}`]);
            expect(r.code, r.err).to.equal(0);
            const vars = renderVars(inv, host, { etcd_version: version }, createTemplateEngine());
            const ctx = testContext(new ScriptedConnection([], host), { vars });
            const written = await render(ctx, {}, flavor);
            expect(written, `etcd_manifest's render for ${host}`).to.equal(r.out);
            if (i > 0) continue;
            const file = join(GOLDEN, basename(invFile).replace(/\.[a-z]+$/, ''), `${host}.${template.replace(/\.hbs$/, '')}.${version}`);
            if (process.env.UPDATE_GOLDEN === '1') { mkdirSync(join(file, '..'), { recursive: true }); writeFileSync(file, r.out); }
            expect(existsSync(file), `${file} (create it with UPDATE_GOLDEN=1, then review it)`).to.equal(true);
            expect(r.out).to.equal(readFileSync(file, 'utf8'));
          }
        });
      }
    }
  }

  it('refuses -e initial_cluster_state and force_new_cluster values etcd_manifest does not take', async () => {
    const r = await cli(['render', 'playbooks/templates/etcd-static-pod.yaml.hbs', '-i', 'inventories/kubeadm-stacked.yml', '--host', 'cp1', '-e', 'initial_cluster_state=joining']);
    expect(r.code).to.equal(1);
    expect(r.err).to.match(/initial_cluster_state=joining: must be new or existing/);
    const f = await cli(['render', 'playbooks/templates/etcd-static-pod.yaml.hbs', '-i', 'inventories/kubeadm-stacked.yml', '--host', 'cp1', '-e', 'force_new_cluster=yes']);
    expect(f.code).to.equal(1);
    expect(f.err).to.match(/force_new_cluster=yes: must be true or false/);
  });

  it('takes etcd_manifest\'s inputs from -e: a joining member\'s state and peer list', async () => {
    const r = await cli(['render', 'playbooks/templates/etcd-static-pod.yaml.hbs', '-i', 'inventories/kubeadm-stacked.yml', '--host', 'cp3', '-e', 'initial_cluster_state=existing', '-e', 'initial_cluster=cp1=https://192.0.2.11:2380,cp3=https://192.0.2.13:2380']);
    expect(r.code, r.err).to.equal(0);
    expect(r.out).to.contain('- --initial-cluster-state=existing\n').and.to.contain('- --initial-cluster=cp1=https://192.0.2.11:2380,cp3=https://192.0.2.13:2380\n');
  });
});
