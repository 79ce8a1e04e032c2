// ajv errors → sentences: types, enums, unknown keys, oneOf/anyOf collapsed, templates forgiven; did-you-mean.
import { expect } from 'chai';
import { parseYaml, sourceText } from '../../engine/load/yaml.js';
import { ajv } from '../../engine/validate/ajv.js';
import { suggest } from '../../engine/validate/suggest.js';
import { translateErrors, type Segs } from '../../engine/validate/translate.js';

const schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    count: { description: 'How many.', type: 'integer', minimum: 1 },
    mode: { type: 'string', enum: ['fast', 'safe'] },
    name: { type: 'string', minLength: 1 },
    that: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
    target: {
      oneOf: [
        { type: 'object', additionalProperties: false, properties: { host: { type: 'string' }, port: { type: 'integer' } }, required: ['host'] },
        { type: 'string', pattern: '^[a-z]+:[0-9]+$' },
      ],
    },
  },
  oneOf: [
    { properties: { name: true }, required: ['name'] },
    { properties: { that: true }, required: ['that'] },
  ],
};

function check(yaml: string, templates = false): string[] {
  const validate = ajv().compile(schema);
  const src = sourceText('t.yml', yaml);
  const { value } = parseYaml(src);
  if (validate(value)) return [];
  return translateErrors(validate.errors, { root: value, src, templates, context: (segs: Segs) => ({ label: 'the thing', rel: segs }) }).map(
    (e) => `${e.location?.line}:${e.location?.col} ${e.message}`,
  );
}

describe('validate: translating schema errors', () => {
  it('says what type was expected and what was found, at the value', () => {
    expect(check('name: x\ncount: three\n')).to.deep.equal(["2:8 `count` in the thing must be an integer, got the string 'three'"]);
  });

  it('lists an enum\'s values and suggests the nearest', () => {
    expect(check('name: x\nmode: fsat\n')).to.deep.equal(["2:7 `mode` in the thing must be one of `fast`, `safe`, got the string 'fsat'; did you mean `fast`?"]);
  });

  it('points an unknown key at the key and suggests the nearest allowed one', () => {
    expect(check('name: x\nmdoe: fast\n')).to.deep.equal(['2:1 unknown key `mdoe` in the thing; did you mean `mode`?']);
  });

  it('gives the limits of minimum and minLength in words', () => {
    expect(check('name: ""\ncount: 0\n')).to.deep.equal(['1:7 `name` in the thing must not be empty', '2:8 `count` in the thing must be at least 1, got 0']);
  });

  it('collapses an anyOf whose branches all fail on type into one type error', () => {
    expect(check('that: {a: 1}\n')).to.deep.equal(['1:7 `that` in the thing must be a string or a list, got a mapping']);
  });

  it('collapses a oneOf of required keys into "needs one of"', () => {
    expect(check('count: 2\n')).to.deep.equal(['1:1 the thing is missing one of the keys `name` or `that`']);
  });

  it('says "either … not both" when several oneOf branches match', () => {
    expect(check('name: x\nthat: y\n')).to.deep.equal(['1:1 the thing takes either `name` or `that`, not `name` and `that`']);
  });

  it('reports only the branch whose type the value has', () => {
    expect(check('name: x\ntarget: {host: a, prot: 1}\n')).to.deep.equal(['2:19 unknown key `prot` in `target` in the thing; did you mean `port`?']);
  });

  it('forgives {{ templates }} wherever another type or value is expected, when asked', () => {
    const yaml = 'name: x\ncount: "{{ n }}"\nmode: "{{ m }}"\ntarget: "{{ t }}"\n';
    expect(check(yaml, true)).to.deep.equal([]);
    expect(check(yaml, false)).to.have.length(3);
  });
});

describe('validate: did you mean', () => {
  const words = ['retries', 'register', 'command', 'shell', 'when', 'vars', 'tags', 'delegate_to'];
  for (const [typo, want] of [
    ['retry', 'retries'],
    ['comand', 'command'],
    ['wehn', 'when'],
    ['regsiter', 'register'],
    ['delegate', 'delegate_to'],
    ['sehll', 'shell'],
  ]) {
    it(`suggests \`${want}\` for \`${typo}\``, () => expect(suggest(typo, words)).to.equal(want));
  }
  it('suggests nothing for a word that is not close to any', () => {
    expect(suggest('frobnicate', words)).to.equal(undefined);
    expect(suggest('tars', ['vars', 'tags'])).to.be.oneOf(['vars', 'tags']);
    expect(suggest('abcd', ['wxyz'])).to.equal(undefined);
  });
});
