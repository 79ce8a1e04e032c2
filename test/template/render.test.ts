// `ringmaster render`: one host's variables (inventory, extra vars, groups, hostvars) into a template, offline.
import { expect } from 'chai';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { main } from '../../engine/cli.js';
import type { CliIO } from '../../engine/commands/types.js';
import type { Inventory } from '../../engine/load/model.js';
import { createTemplateEngine } from '../../engine/template/engine.js';
import { renderVars, type InventoryApi } from '../../engine/template/render-vars.js';

/** A three-node etcd inventory built by hand (independent of the inventory loader). */
function handInventory(): { inv: Inventory; api: InventoryApi } {
  const hosts = ['node1', 'node2', 'node3'];
  const inv: Inventory = {
    hosts: new Map(hosts.map((h, i) => [h, { name: h, vars: { ansible_host: `10.0.0.${i + 1}` }, groups: ['etcd'] }])),
    groups: new Map([
      ['all', { name: 'all', hosts: [], children: ['etcd'], vars: { cluster_token: 'tok' } }],
      ['etcd', { name: 'etcd', hosts, children: [], vars: { etcd_peer_url: 'https://{{ ansible_host }}:2380' } }],
    ]),
    sources: ['hand'],
  };
  const api: InventoryApi = {
    hostVars: (i, h) => ({ ...i.groups.get('all')!.vars, ...i.groups.get('etcd')!.vars, ...i.hosts.get(h)!.vars }),
    groupMembers: () => ({ all: hosts, etcd: hosts, ungrouped: [] }),
  };
  return { inv, api };
}

describe('render variables', () => {
  const engine = createTemplateEngine();
  const { inv, api } = handInventory();

  it('gives the host its own inventory vars, inventory_hostname and groups', () => {
    const vars = renderVars(inv, 'node2', {}, engine, api);
    expect(vars.inventory_hostname).to.equal('node2');
    expect(vars.ansible_host).to.equal('10.0.0.2');
    expect(vars.cluster_token).to.equal('tok');
    expect((vars.groups as Record<string, string[]>).etcd).to.deep.equal(['node1', 'node2', 'node3']);
  });

  it('renders templated inventory values against each host\'s own variables, in hostvars too', () => {
    const vars = renderVars(inv, 'node2', {}, engine, api);
    expect(vars.etcd_peer_url).to.equal('https://10.0.0.2:2380');
    const hostvars = vars.hostvars as Record<string, Record<string, unknown>>;
    expect(hostvars.node3.etcd_peer_url).to.equal('https://10.0.0.3:2380');
    expect(hostvars.node3.inventory_hostname).to.equal('node3');
  });

  it('lets extra vars win over inventory vars', () => {
    const vars = renderVars(inv, 'node1', { ansible_host: '192.168.0.9' }, engine, api);
    expect(vars.etcd_peer_url).to.equal('https://192.168.0.9:2380');
  });

  it('builds the initial-cluster line of an etcd manifest', () => {
    const vars = renderVars(inv, 'node1', {}, engine, api);
    const tpl = '--initial-cluster={{#each groups.etcd}}{{this}}={{hostvar this "etcd_peer_url"}}{{#unless @last}},{{/unless}}{{/each}}';
    expect(engine.render(tpl, vars)).to.equal('--initial-cluster=node1=https://10.0.0.1:2380,node2=https://10.0.0.2:2380,node3=https://10.0.0.3:2380');
  });
});

/** Captures what a CLI run writes. */
function io(cwd: string): CliIO & { out: () => string; err: () => string } {
  const sink = () => {
    const chunks: string[] = [];
    const stream = new Writable({ write(c, _e, cb) { chunks.push(String(c)); cb(); } });
    return { stream, text: () => chunks.join('') };
  };
  const o = sink();
  const e = sink();
  return { stdout: o.stream, stderr: e.stream, stdin: process.stdin, env: {}, cwd, out: o.text, err: e.text };
}

describe('ringmaster render (command line)', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'ringmaster-render-'));
    writeFileSync(join(dir, 'hosts.yml'), [
      'all:',
      '  vars:',
      '    cluster_token: tok',
      '  children:',
      '    etcd:',
      '      hosts:',
      '        node1: { ansible_host: 10.0.0.1 }',
      '        node2: { ansible_host: 10.0.0.2 }',
      '',
    ].join('\n'));
    writeFileSync(join(dir, 'etcd.yaml.hbs'), [
      'name: {{inventory_hostname}}',
      'token: {{cluster_token}}',
      'image: {{image}}',
      'cluster: {{#each groups.etcd}}{{this}}=https://{{hostvar this "ansible_host"}}:2380{{#unless @last}},{{/unless}}{{/each}}',
      '',
    ].join('\n'));
    writeFileSync(join(dir, 'broken.hbs'), 'ok\n{{missing_var}}\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a command line without --host', async () => {
    const c = io(dir);
    expect(await main(['render', 'etcd.yaml.hbs', '-i', 'hosts.yml'], c)).to.equal(1);
    expect(c.err()).to.match(/error\[E_USAGE\]: `ringmaster render` needs --host NAME/);
  });

  it('refuses an unknown option and a missing template argument', async () => {
    const c = io(dir);
    expect(await main(['render', 'etcd.yaml.hbs', '-i', 'hosts.yml', '--host', 'node1', '--bogus'], c)).to.equal(1);
    expect(c.err()).to.match(/unknown option '--bogus'/);
    const d = io(dir);
    expect(await main(['render', '-i', 'hosts.yml', '--host', 'node1'], d)).to.equal(1);
    expect(d.err()).to.match(/takes one TEMPLATE \(got 0\)/);
  });

  describe('with the inventory loader', () => {
    it('renders a manifest to standard output with the host\'s variables and extra vars', async () => {
      const c = io(dir);
      const code = await main(['render', 'etcd.yaml.hbs', '-i', 'hosts.yml', '--host', 'node2', '-e', 'image=etcd:3.5'], c);
      expect(c.err()).to.equal('');
      expect(code).to.equal(0);
      expect(c.out()).to.equal('name: node2\ntoken: tok\nimage: etcd:3.5\ncluster: node1=https://10.0.0.1:2380,node2=https://10.0.0.2:2380\n');
    });

    it('writes atomically to -o FILE, leaving no temporary file behind', async () => {
      const c = io(dir);
      expect(await main(['render', 'etcd.yaml.hbs', '-i', 'hosts.yml', '--host', 'node1', '-e', 'image=x', '-o', 'out.yaml'], c)).to.equal(0);
      expect(c.out()).to.equal('');
      expect(readFileSync(join(dir, 'out.yaml'), 'utf8')).to.match(/^name: node1\n/);
      expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).to.deep.equal([]);
    });

    it('refuses an unknown host, suggesting the nearest and listing the known ones', async () => {
      const c = io(dir);
      expect(await main(['render', 'etcd.yaml.hbs', '-i', 'hosts.yml', '--host', 'node', '-e', 'image=x'], c)).to.equal(1);
      expect(c.err()).to.match(/unknown host 'node'; did you mean 'node1'\?/);
      expect(c.err()).to.match(/node1, node2/);
    });

    it('names an undefined variable with the template file and line', async () => {
      const c = io(dir);
      expect(await main(['render', 'broken.hbs', '-i', 'hosts.yml', '--host', 'node1'], c)).to.equal(1);
      expect(c.err()).to.match(/^broken\.hbs:2:3: error\[E_UNDEFINED_VAR\]: undefined variable `missing_var` on line 2 of the template in template broken\.hbs \(host node1, broken\.hbs:2\)/);
    });
  });
});
