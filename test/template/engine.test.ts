// The template engine: strict undefined with origin, conditionals on undefined, native values, helpers, syntax errors.
import { expect } from 'chai';
import { RingError } from '../../engine/errors/index.js';
import { createTemplateEngine, type TemplateOrigin } from '../../engine/template/engine.js';
import { HELPERS } from '../../engine/template/helpers.js';

const VARS = {
  inventory_hostname: 'node2',
  etcd_name: 'node2',
  port: 2380,
  flags: ['--a', '--b'],
  spec: { image: 'registry.k8s.io/etcd:3.5', args: { 'data-dir': '/var/lib/etcd' } },
  groups: { etcd: ['node1', 'node2', 'node3'], empty: [] as string[] },
  hostvars: {
    node1: { etcd_name: 'node1', ansible_host: '10.0.0.1' },
    node2: { etcd_name: 'node2', ansible_host: '10.0.0.2' },
    node3: { etcd_name: 'node3', ansible_host: '10.0.0.3' },
  },
  members: [{ name: 'node1', url: 'https://10.0.0.1:2380' }, { name: 'node2', url: 'https://10.0.0.2:2380' }],
  result: { rc: 0, stdout: 'ok', changed: true },
  item: { name: 'x' },
  text: "it's here",
  multi: 'a: 1\nb: 2',
  zero: 0,
};

const ORIGIN: TemplateOrigin = { task: 'Add member', host: 'node2', what: 'argument `cmd`', location: { file: 'playbooks/x.yml', line: 14, col: 10 } };

function failure(fn: () => unknown): RingError {
  try {
    fn();
  } catch (e) {
    if (e instanceof RingError) return e;
    throw e;
  }
  throw new Error('expected a RingError');
}

describe('templates', () => {
  const engine = createTemplateEngine();
  const render = (t: string, vars: object = VARS) => engine.render(t, vars, ORIGIN);

  describe('variables', () => {
    const cases: Array<[string, string]> = [
      ['{{etcd_name}}', 'node2'],
      ['{{ etcd_name }}:{{port}}', 'node2:2380'],
      ['{{hostvars.node1.etcd_name}}', 'node1'],
      ['{{groups.etcd.[0]}} {{groups.etcd.[2]}}', 'node1 node3'],
      ['{{groups.etcd.length}}', '3'],
      ['{{members.[1].url}}', 'https://10.0.0.2:2380'],
      ['{{item.name}} {{result.rc}}', 'x 0'],
      ['<{{text}}> & "q"', `<it's here> & "q"`],
      ['{{{text}}}', "it's here"],
      ['{{flags}}', '["--a","--b"]'],
      ['{{spec.args}}', '{"data-dir":"/var/lib/etcd"}'],
      ['{{zero}}', '0'],
      ['{{#each groups.etcd}}{{this}}{{#unless @last}},{{/unless}}{{/each}}', 'node1,node2,node3'],
      ['{{#each groups.etcd as |h|}}{{lookup (lookup @root.hostvars h) "ansible_host"}};{{/each}}', '10.0.0.1;10.0.0.2;10.0.0.3;'],
      ['{{#each spec.args}}--{{@key}}={{this}}{{/each}}', '--data-dir=/var/lib/etcd'],
      ['{{#with spec}}{{image}} {{../port}}{{/with}}', 'registry.k8s.io/etcd:3.5 2380'],
      ['{{#each members}}{{name}}={{url}}{{#unless @last}},{{/unless}}{{/each}}', 'node1=https://10.0.0.1:2380,node2=https://10.0.0.2:2380'],
      ['no templates here', 'no templates here'],
    ];
    for (const [tpl, want] of cases) {
      it(`renders ${tpl}`, () => expect(render(tpl)).to.equal(want));
    }
  });

  describe('conditionals on undefined values', () => {
    const cases: Array<[string, string]> = [
      ['{{#if missing}}yes{{else}}no{{/if}}', 'no'],
      ['{{#if missing.deeper.still}}yes{{else}}no{{/if}}', 'no'],
      ['{{#unless missing}}absent{{/unless}}', 'absent'],
      ['{{#if zero}}yes{{else}}no{{/if}}', 'no'],
      ['{{#if groups.empty}}yes{{else}}no{{/if}}', 'no'],
      ["{{default missing 'fallback'}}", 'fallback'],
      ["{{default missing.deep 'fallback'}}", 'fallback'],
      ["{{default etcd_name 'fallback'}}", 'node2'],
      ['{{#if (and etcd_name missing)}}yes{{else}}no{{/if}}', 'no'],
      ['{{#if (or missing etcd_name)}}yes{{else}}no{{/if}}', 'yes'],
      ['{{#if (not missing)}}yes{{/if}}', 'yes'],
      ['{{#with missing}}x{{else}}none{{/with}}', 'none'],
    ];
    for (const [tpl, want] of cases) {
      it(`renders ${tpl}`, () => expect(render(tpl)).to.equal(want));
    }
  });

  describe('strict undefined variables', () => {
    it('names the variable and where it was used', () => {
      const e = failure(() => render('--initial-advertise-peer-urls={{etcd_peer_url}}'));
      expect(e.code).to.equal('E_UNDEFINED_VAR');
      expect(e.message).to.equal("undefined variable `etcd_peer_url` in argument `cmd` of task 'Add member' (host node2, playbooks/x.yml:14)");
      expect(e.location).to.deep.equal({ file: 'playbooks/x.yml', line: 14, col: 42 });
    });

    it('names the whole dotted path and suggests the nearest key', () => {
      const e = failure(() => render('{{hostvars.node1.etcd_nme}}'));
      expect(e.message).to.match(/^undefined variable `hostvars\.node1\.etcd_nme` in/);
      expect(e.hint).to.equal('did you mean `hostvars.node1.etcd_name`?');
    });

    it('says which line of a multi-line template, and points the location there', () => {
      const e = failure(() => engine.render('a: 1\nb: {{nope}}\n', VARS, { what: 'template etcd.yaml.hbs', location: { file: 'etcd.yaml.hbs', line: 1, col: 1 } }));
      expect(e.message).to.equal('undefined variable `nope` on line 2 of the template in template etcd.yaml.hbs (etcd.yaml.hbs:2)');
      expect(e.location).to.deep.equal({ file: 'etcd.yaml.hbs', line: 2, col: 6 });
    });

    it('refuses an undefined argument of a helper that is not a conditional', () => {
      for (const tpl of ['{{quote nope}}', '{{upper nope.x}}', "{{join nope ','}}", '{{#each nope}}x{{/each}}', '{{eq nope 1}}']) {
        const e = failure(() => render(tpl));
        expect(e.code, tpl).to.equal('E_UNDEFINED_VAR');
        expect(e.message, tpl).to.match(/^undefined variable `nope(\.x)?`/);
      }
    });

    it('refuses an undefined variable inside a loop body', () => {
      expect(failure(() => render('{{#each groups.etcd}}{{nope}}{{/each}}')).message).to.match(/^undefined variable `nope`/);
    });

    it('never reaches JavaScript internals', () => {
      for (const tpl of ['{{constructor}}', '{{spec.constructor}}', '{{spec.__proto__}}', '{{text.constructor.name}}', '{{flags.map}}']) {
        expect(failure(() => render(tpl)).code, tpl).to.equal('E_UNDEFINED_VAR');
      }
    });

    it('sees variables behind getters and on a prototype chain (layered scopes)', () => {
      const layered = Object.create({ inherited: 'i' }) as Record<string, unknown>;
      Object.defineProperty(layered, 'lazy', { enumerable: true, get: () => 'l' });
      expect(engine.render('{{inherited}}{{lazy}}', layered)).to.equal('il');
    });
  });

  describe('syntax errors', () => {
    it('gives the line inside the template', () => {
      const e = failure(() => engine.check('line one\nline two {{#if x}}\nline {{three', { what: 'template t.hbs', location: { file: 't.hbs', line: 1, col: 1 } }));
      expect(e.code).to.equal('E_TEMPLATE_SYNTAX');
      expect(e.message).to.match(/^template syntax error on line 3 of the template in template t\.hbs \(t\.hbs:3\)/);
      expect(e.location?.line).to.equal(3);
    });

    it('reports a mismatched block with its place', () => {
      const e = failure(() => render('{{#if x}}a{{/each}}'));
      expect(e.code).to.equal('E_TEMPLATE_SYNTAX');
      expect(e.message).to.match(/if doesn't match each/);
    });

    it('reports a Handlebars run-time complaint as a template error, not an internal one', () => {
      const e = failure(() => render('{{#each}}x{{/each}}'));
      expect(e.code).to.equal('E_TEMPLATE_SYNTAX');
      expect(e.message).to.match(/Must pass iterator to #each in argument `cmd`/);
    });

    it('reports an unknown helper before rendering, with the nearest name', () => {
      const e = failure(() => engine.check('{{qoute etcd_name}}', ORIGIN));
      expect(e.code).to.equal('E_TEMPLATE_SYNTAX');
      expect(e.message).to.match(/^unknown helper `qoute` in argument `cmd`/);
      expect(e.hint).to.match(/did you mean `quote`\?/);
    });

    it('checks without variables and accepts valid templates', () => {
      expect(() => engine.check('{{#each groups.etcd}}{{hostvar this "etcd_name"}}{{/each}}')).not.to.throw();
    });
  });

  describe('renderValue', () => {
    const cases: Array<[unknown, unknown]> = [
      ['{{ groups.etcd }}', ['node1', 'node2', 'node3']],
      ['{{port}}', 2380],
      ['{{ spec.args }}', { 'data-dir': '/var/lib/etcd' }],
      ['{{ zero }}', 0],
      ["{{ default missing 5 }}", 5],
      ["{{ hostattr groups.etcd 'ansible_host' }}", ['10.0.0.1', '10.0.0.2', '10.0.0.3']],
      ['{{ pluck members "name" }}', ['node1', 'node2']],
      ["{{ split ' node3, node4,,' }}", ['node3', 'node4']],
      ["{{ split 'a b' ' ' }}", ['a', 'b']],
      ['port {{port}}', 'port 2380'],
      [' {{port}}', ' 2380'],
      [{ a: ['{{port}}', 'x-{{etcd_name}}'], b: { c: '{{ flags }}' }, d: 5, e: true, f: null }, { a: [2380, 'x-node2'], b: { c: ['--a', '--b'] }, d: 5, e: true, f: null }],
    ];
    for (const [value, want] of cases) {
      it(`renders ${JSON.stringify(value)} to ${JSON.stringify(want)}`, () => {
        expect(engine.renderValue(value, VARS, ORIGIN)).to.deep.equal(want);
      });
    }

    it('stays strict for a lone path', () => {
      expect(failure(() => engine.renderValue({ cmd: '{{ nope }}' }, VARS, ORIGIN)).message).to.match(/^undefined variable `nope` in argument `cmd`/);
    });

    it('renders inside null-prototype mappings too', () => {
      const bare = Object.assign(Object.create(null) as Record<string, unknown>, { p: '{{port}}' });
      expect(engine.renderValue(bare, VARS)).to.deep.equal({ p: 2380 });
    });

    it('does not alter the value it was given', () => {
      const input = { a: ['{{port}}'] };
      engine.renderValue(input, VARS);
      expect(input).to.deep.equal({ a: ['{{port}}'] });
    });
  });

  describe('compiled template cache', () => {
    it('reuses the compiled template for the same text with other variables', () => {
      const e = createTemplateEngine();
      expect(e.render('{{etcd_name}}', { etcd_name: 'a' })).to.equal('a');
      expect(e.render('{{etcd_name}}', { etcd_name: 'b' })).to.equal('b');
      expect(e.renderValue('{{etcd_name}}', { etcd_name: 'c' })).to.equal('c');
    });

    it('keeps engines isolated from each other and from the global Handlebars', async () => {
      const Handlebars = (await import('handlebars')).default;
      expect(Handlebars.helpers).not.to.have.property('quote');
    });
  });
});

describe('template helpers', () => {
  const engine = createTemplateEngine();
  const render = (t: string) => engine.render(t, VARS, ORIGIN);
  const cases: Array<[string, string]> = [
    ['{{#if (and etcd_name port)}}y{{/if}}', 'y'],
    ["{{b64decode 'aGk='}}", 'hi'],
    ["{{b64encode 'hi'}}", 'aGk='],
    ["{{basename '/etc/kubernetes/manifests/etcd.yaml'}}", 'etcd.yaml'],
    ["{{concat etcd_name '=https://' hostvars.node2.ansible_host ':' port}}", 'node2=https://10.0.0.2:2380'],
    ["{{default missing 'd'}}", 'd'],
    ["{{dirname '/etc/kubernetes/manifests/etcd.yaml'}}", '/etc/kubernetes/manifests'],
    ["{{#if (eq etcd_name 'node2')}}me{{/if}}", 'me'],
    ['{{first groups.etcd}}', 'node1'],
    ["{{get spec 'args.data-dir'}}|{{get spec 'nope'}}", '/var/lib/etcd|'],
    ["{{join (hostattr groups.etcd 'ansible_host') ','}}", '10.0.0.1,10.0.0.2,10.0.0.3'],
    ["{{hostvar 'node3' 'etcd_name'}}", 'node3'],
    ['{{indent multi 2}}', 'a: 1\n  b: 2'],
    ['{{indent multi 2 first=true}}', '  a: 1\n  b: 2'],
    ["{{join flags ' '}}", '--a --b'],
    ['{{join groups.etcd}}', 'node1,node2,node3'],
    ['{{json spec.args}}', '{"data-dir":"/var/lib/etcd"}'],
    ['{{json flags 2}}', '[\n  "--a",\n  "--b"\n]'],
    ["{{join (keys spec) ','}}", 'image,args'],
    ['{{last groups.etcd}}', 'node3'],
    ['{{length groups.etcd}} {{length text}} {{length spec}}', '3 9 2'],
    ["{{lower 'ABC'}}", 'abc'],
    ["{{#if (ne etcd_name 'node1')}}other{{/if}}", 'other'],
    ['{{#if (not zero)}}zero{{/if}}', 'zero'],
    ['{{#if (or zero port)}}some{{/if}}', 'some'],
    ["{{join (pluck members 'url') ','}}", 'https://10.0.0.1:2380,https://10.0.0.2:2380'],
    ['{{quote text}}', "'it'\\''s here'"],
    ["{{replace 'a.b.c' '.' '/'}}", 'a/b/c'],
    ["{{join (split 'node3, node4,' ) '+'}}", 'node3+node4'],
    ["{{trim '  x  '}}", 'x'],
    ["{{upper 'abc'}}", 'ABC'],
    ["{{join (without groups.etcd (split 'node2')) ','}}", 'node1,node3'],
    ['{{yaml spec}}', 'image: registry.k8s.io/etcd:3.5\nargs:\n  data-dir: /var/lib/etcd'],
    ['{{#each groups.etcd}}{{hostvar this "etcd_name"}}=https://{{hostvar this "ansible_host"}}:2380{{#unless @last}},{{/unless}}{{/each}}',
      'node1=https://10.0.0.1:2380,node2=https://10.0.0.2:2380,node3=https://10.0.0.3:2380'],
  ];
  for (const [tpl, want] of cases) {
    it(`renders ${tpl}`, () => expect(render(tpl)).to.equal(want));
  }

  it('lists the helpers sorted by name and tests every one of them', () => {
    const names = HELPERS.map(([n]) => n);
    expect(names).to.deep.equal([...names].sort());
    const used = new Set(cases.flatMap(([t]) => [...t.matchAll(/[{(]#?([a-z0-9]+)/g)].map((m) => m[1])));
    expect(names.filter((n) => !used.has(n))).to.deep.equal([]);
  });

  it('makes hostvar as strict as a path, naming the host and the variable', () => {
    const e = failure(() => render("{{hostvar 'node1' 'etcd_nam'}}"));
    expect(e.code).to.equal('E_UNDEFINED_VAR');
    expect(e.message).to.match(/^undefined variable `hostvars\.node1\.etcd_nam`/);
    expect(e.hint).to.equal('did you mean `hostvars.node1.etcd_name`?');
    expect(failure(() => render("{{hostvar 'node9' 'etcd_name'}}")).message).to.match(/^undefined variable `hostvars\.node9`/);
  });

  it('refuses a helper argument of the wrong type with the helper named', () => {
    const e = failure(() => render("{{join etcd_name ','}}"));
    expect(e.code).to.equal('E_TEMPLATE_SYNTAX');
    expect(e.message).to.match(/`join` needs a list, got a string/);
  });
});
