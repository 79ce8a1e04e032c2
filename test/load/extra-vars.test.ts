// -e: key=value words, JSON or YAML flow, @file; later ones win; every problem located.
import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RingErrors } from '../../engine/errors/index.js';
import { parseExtraVars } from '../../engine/load/extra-vars.js';
import { loadVarsFile } from '../../engine/load/vars-file.js';

const fail = async (args: string[], cwd = '/') => ((await parseExtraVars(args, cwd).catch((e: unknown) => e)) as RingErrors).errors;

describe('load: extra vars', () => {
  it('reads key=value words, with quotes, as strings', async () => {
    expect(await parseExtraVars(['a=1 b="two words" c=\'x y\' d=', 'e=a=b'], '/')).to.deep.equal({ a: '1', b: 'two words', c: 'x y', d: '', e: 'a=b' });
  });

  it('reads JSON and YAML flow mappings with their types', async () => {
    expect(await parseExtraVars(['{"n": 1, "list": [1, 2]}', '{flag: true}'], '/')).to.deep.equal({ n: 1, list: [1, 2], flag: true });
  });

  it('reads @file relative to the working directory; later values win', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ringmaster-ev-'));
    writeFileSync(join(dir, 'v.yml'), 'member: node4\ncount: 3\n');
    expect(await parseExtraVars(['member=node1', '@v.yml', 'count=5'], dir)).to.deep.equal({ member: 'node4', count: '5' });
  });

  it('locates errors inside the -e value, with the value as the source line', async () => {
    const [e] = await fail(['a=1 oops']);
    expect(e.code).to.equal('E_EXTRA_VARS');
    expect(e.location).to.deep.equal({ file: '-e #1', line: 1, col: 5 });
    expect(e.details.sourceLine).to.equal('a=1 oops');
  });

  it('reports every bad value at once', async () => {
    const errors = await fail(['ok=1', '1x=2', '{"a": ', "q='open", '["list"]']);
    expect(errors.map((e) => e.location?.file)).to.deep.equal(['-e #2', '-e #3', '-e #4', '-e #5']);
    expect(errors[3].message).to.contain('must be a mapping');
  });

  it('reports errors of an @file in that file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ringmaster-ev-'));
    writeFileSync(join(dir, 'bad.yml'), 'ok: 1\nbad-name: 2\n');
    const [e] = await fail(['@bad.yml'], dir);
    expect(e.location).to.deep.equal({ file: join(dir, 'bad.yml'), line: 2, col: 1 });
    expect(e.message).to.contain('`bad-name` in the extra vars file is not a valid variable name');
  });
});

describe('load: vars file', () => {
  it('reads a mapping; an empty file is an empty mapping', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ringmaster-vf-'));
    writeFileSync(join(dir, 'a.yml'), 'a: 1\nb: [x]\n');
    writeFileSync(join(dir, 'e.yml'), '# nothing\n');
    expect(await loadVarsFile(join(dir, 'a.yml'))).to.deep.equal({ a: 1, b: ['x'] });
    expect(await loadVarsFile(join(dir, 'e.yml'))).to.deep.equal({});
  });

  it('refuses a list, pointing at it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ringmaster-vf-'));
    writeFileSync(join(dir, 'l.yml'), '# vars\n- a\n');
    const err = (await loadVarsFile(join(dir, 'l.yml')).catch((e: unknown) => e)) as RingErrors;
    expect(err.errors[0].location).to.deep.equal({ file: join(dir, 'l.yml'), line: 2, col: 1 });
  });
});
