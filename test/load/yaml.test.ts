// YAML with locations: every mapping, key and item knows its file:line:col; Ansible's YAML 1.1 flavour.
import { expect } from 'chai';
import { keyLocationOf, locationOf, sourceOf } from '../../engine/load/located.js';
import { parseYaml, sourceText } from '../../engine/load/yaml.js';

const parse = (text: string) => parseYaml(sourceText('f.yml', text));
const at = (line: number, col: number) => ({ file: 'f.yml', line, col });

describe('load: yaml', () => {
  it('gives every mapping, key, value and list item its location', () => {
    const { value, errors } = parse('- name: x\n  hosts: etcd\n  tasks:\n    - debug: {msg: hi}\n');
    expect(errors).to.be.empty;
    const play = (value as Array<Record<string, unknown>>)[0];
    expect(sourceOf(play)?.loc).to.deep.equal(at(1, 3));
    expect(keyLocationOf(play, 'hosts')).to.deep.equal(at(2, 3));
    expect(locationOf(play, 'hosts')).to.deep.equal(at(2, 10));
    const tasks = play.tasks as unknown[];
    expect(locationOf(tasks, 0)).to.deep.equal(at(4, 7));
    const msg = (tasks[0] as { debug: object }).debug;
    expect(locationOf(msg, 'msg')).to.deep.equal(at(4, 20));
  });

  it('keeps locations invisible to JSON and to object spreads', () => {
    const { value } = parse('a: 1\n');
    expect(JSON.stringify(value)).to.equal('{"a":1}');
    expect(Object.keys(value as object)).to.deep.equal(['a']);
  });

  it('points an empty value at its key', () => {
    const { value } = parse('hosts:\nb: 1\n');
    expect((value as { hosts: unknown }).hosts).to.equal(null);
    expect(locationOf(value, 'hosts')).to.deep.equal(at(1, 1));
  });

  it('reads yes/no/on/off as booleans and 0644 as octal, like Ansible, but not y/n, dates or 1:30', () => {
    const { value } = parse('a: yes\nb: No\nc: on\nd: y\ne: n\nf: 0644\ng: 2024-01-01\nh: 1:30\ni: "yes"\n');
    expect(value).to.deep.equal({ a: true, b: false, c: true, d: 'y', e: 'n', f: 0o644, g: '2024-01-01', h: '1:30', i: 'yes' });
  });

  it('takes keys as written (`yes:` stays "yes", `1:` stays "1")', () => {
    const { value } = parse('yes: 1\n1: a\n');
    expect(Object.keys(value as object).sort()).to.deep.equal(['1', 'yes']);
  });

  it('merges `<<` keys, explicit keys winning whatever their order', () => {
    const { value, errors } = parse('base: &b {a: 1, c: 3}\ny:\n  a: 2\n  <<: *b\n');
    expect(errors).to.be.empty;
    expect((value as { y: unknown }).y).to.deep.equal({ a: 2, c: 3 });
  });

  it('returns null for an empty document or one with only comments', () => {
    expect(parse('').value).to.equal(null);
    expect(parse('# nothing\n').value).to.equal(null);
  });

  it('reports a duplicate key at the second occurrence, naming it', () => {
    const { errors } = parse('a: 1\nb: 2\na: 3\n');
    expect(errors).to.have.length(1);
    expect(errors[0].code).to.equal('E_YAML_SYNTAX');
    expect(errors[0].message).to.contain('duplicate key `a`');
    expect(errors[0].location).to.deep.equal(at(3, 1));
    expect(errors[0].details.sourceLine).to.equal('a: 3');
  });

  it('reports tab indentation without the errors that cascade from it', () => {
    const { errors } = parse('a:\n\tb: 1\n\tc: 2\n');
    expect(errors.map((e) => e.message)).to.satisfy((m: string[]) => m.every((x) => x.includes('tabs are not allowed')));
    expect(errors[0].details.hint).to.contain('spaces');
  });

  it('points an unclosed quote at the quote that opens it, not at the end of the file', () => {
    const { errors } = parse('a: 1\nb: "open\nc: 2\nd: 3\n');
    expect(errors).to.have.length(1);
    expect(errors[0].location).to.deep.equal(at(2, 4));
    expect(errors[0].message).to.contain('double quote opened here is never closed');
  });

  it('refuses an alias inside the collection it names', () => {
    const { errors } = parse('a: &x [1, *x]\n');
    expect(errors[0].message).to.contain('refers to the collection that contains it');
  });

  it('shares an aliased collection instead of copying it', () => {
    const { value } = parse('a: &x {k: 1}\nb: *x\n');
    const v = value as { a: object; b: object };
    expect(v.b).to.equal(v.a);
  });
});
