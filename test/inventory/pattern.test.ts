// Host patterns: names, globs, regexes, subscripts, union, intersection, exclusion.
import { expect } from 'chai';
import { RingError } from '../../engine/errors/index.js';
import { matchHosts } from '../../engine/inventory/pattern.js';
import { child, emptyInventory, finish, host } from '../../engine/load/inventory-build.js';

function inventory() {
  const inv = emptyInventory();
  for (const n of ['node1', 'node2', 'node3']) host(inv, n, {}, undefined, 'etcd');
  host(inv, 'cp1', {}, undefined, 'control');
  host(inv, 'node1', {}, undefined, 'control');
  host(inv, 'bastion', {});
  child(inv, 'k8s', 'control');
  finish(inv);
  return inv;
}

const cases: Array<[string, string[]]> = [
  ['all', ['node1', 'node2', 'node3', 'cp1', 'bastion']],
  ['*', ['node1', 'node2', 'node3', 'cp1', 'bastion']],
  ['etcd', ['node1', 'node2', 'node3']],
  ['k8s', ['cp1', 'node1']],
  ['node2', ['node2']],
  ['node*', ['node1', 'node2', 'node3']],
  ['~node[13]', ['node1', 'node3']],
  ['etcd:control', ['node1', 'node2', 'node3', 'cp1']],
  ['control,etcd', ['cp1', 'node1', 'node2', 'node3']],
  ['etcd:&control', ['node1']],
  ['etcd:!node2', ['node1', 'node3']],
  ['!etcd', ['cp1', 'bastion']],
  ['etcd:!node2:control', ['node1', 'node3', 'cp1']],
  ['etcd[0]', ['node1']],
  ['etcd[-1]', ['node3']],
  ['etcd[1:]', ['node2', 'node3']],
  ['etcd[0:1]', ['node1', 'node2']],
  ['nosuch', []],
  ['nosuch:etcd', ['node1', 'node2', 'node3']],
  ['ungrouped', ['bastion']],
];

describe('inventory: host patterns', () => {
  for (const [pattern, hosts] of cases) {
    it(`matches '${pattern}' → ${JSON.stringify(hosts)}`, () => {
      expect(matchHosts(inventory(), pattern)).to.deep.equal(hosts);
    });
  }

  for (const bad of ['', 'etcd::control', 'etcd:', 'etcd:!', '&', '~[']) {
    it(`refuses the malformed pattern '${bad}' with E_BAD_PATTERN`, () => {
      expect(() => matchHosts(inventory(), bad)).to.throw(RingError).with.property('code', 'E_BAD_PATTERN');
    });
  }
});
