// The condition evaluator: precedence, literals, every filter and test, undefined handling, errors with columns.
import { expect } from 'chai';
import { RingError } from '../../engine/errors/index.js';
import { checkExpr, evaluate, evaluateCondition, truthy } from '../../engine/template/expr.js';
import { FILTERS } from '../../engine/template/expr-filters.js';
import { TESTS } from '../../engine/template/expr-tests.js';

const VARS = {
  n: 3,
  s: 'hello',
  csv: 'a,b,,c',
  l: [3, 1, 2],
  m: { x: 1, y: 'two' },
  empty: [],
  nothing: null,
  members: [
    { name: 'node1', learner: false, id: 'a1' },
    { name: 'node2', learner: true, id: 'b2' },
    { name: 'node3', learner: false, id: 'c3' },
  ],
  ok: { changed: false, failed: false, skipped: false, rc: 0, stdout: '{"health": true, "n": [1, 2]}', stdout_lines: ['x', 'y'] },
  bad: { changed: true, failed: true, rc: 1, stderr: 'boom', msg: 'non-zero return code' },
  skip: { changed: false, skipped: true },
};

const ORIGIN = { task: 'Add member', host: 'node2', what: '`when`', location: { file: 'playbooks/x.yml', line: 14, col: 11 } };

function fails(expr: string, vars: object = VARS): RingError {
  try {
    evaluate(expr, vars, ORIGIN);
  } catch (e) {
    if (e instanceof RingError) return e;
    throw e;
  }
  throw new Error(`expected \`${expr}\` to fail`);
}

describe('condition expressions', () => {
  const cases: Array<[string, unknown]> = [
    // literals
    ['42', 42], ['1.5', 1.5], ["'single'", 'single'], ['"double"', 'double'], ["'it\\'s'", "it's"],
    ['true', true], ['True', true], ['false', false], ['False', false], ['null', null], ['none', null], ['None', null],
    ['[1, "a", [2]]', [1, 'a', [2]]], ["{'k': 1, \"j\": [n]}", { k: 1, j: [3] }], ['[]', []], ['{}', {}],
    // paths
    ['m.x', 1], ["m['y']", 'two'], ['l[0]', 3], ['l[-1]', 2], ['l.length', 3], ['s.length', 5], ['members[1].name', 'node2'],
    ['members.0.name', 'node1'], ["m['x' ~ '']", 1],
    // precedence
    ['1 + 2 * 3', 7], ['(1 + 2) * 3', 9], ['10 - 4 - 3', 3], ['2 * 3 % 4', 2], ['-n + 1', -2], ['- -n', 3],
    ['not false and false', false], ['not (false and false)', true], ['true or false and false', true], ['(true or false) and false', false],
    ['not n == 3', false], ['l | length + 1', 4], ['1 + l | length', 4], ['not s is defined', false], ['n > 2 and n < 4', true],
    ['"a" ~ 1 + 2', 'a3'], ['1 < n <= 3', true], ['1 < n < 3', false], ['"y" if n > 2 else "n"', 'y'], ['"y" if n > 5 else "n"', 'n'],
    // operators
    ['7 / 2', 3.5], ['7 // 2', 3], ['-7 // 2', -4], ['7 % 3', 1], ['-7 % 3', 2], ["'ab' + 'cd'", 'abcd'], ['[1] + [2]', [1, 2]], ["'-' * 3", '---'],
    ['n == 3', true], ['n != 3', false], ['[1, 2] == [1, 2]', true], ["{'a': 1} == {'a': 1}", true], ["'3' == 3", false],
    ["'b' < 'c'", true], ['n >= 3', true], ['n > 3', false],
    ["'ell' in s", true], ["'x' not in s", true], ['2 in l', true], ['9 not in l', true], ["'x' in m", true], ["'z' in m", false],
    ['!false', true], ['true && false', false], ['false || n', 3], ['n and s', 'hello'], ['empty or "fallback"', 'fallback'],
    // {{ }} tolerated
    ['{{ n == 3 }}', true], ['  {{n}}  ', 3],
    // methods
    ["s.startswith('he')", true], ["s.startswith(['x', 'h'])", true], ["s.endswith('lo')", true], ["csv.split(',')", ['a', 'b', '', 'c']],
    ["'  pad '.strip()", 'pad'], ["'xxpadxx'.strip('x')", 'pad'], ["' a'.lstrip()", 'a'], ["'a '.rstrip()", 'a'], ['s.upper()', 'HELLO'],
    ["'ABC'.lower()", 'abc'], ["s.replace('l', 'L')", 'heLLo'], ["'a b  c'.split()", ['a', 'b', 'c']], ["','.join(['a', 'b'])", 'a,b'],
    ["'1\\n2\\n'.splitlines()", ['1', '2']], ["m.get('x')", 1], ["m.get('q', 5)", 5], ['m.keys()', ['x', 'y']], ['m.values()', [1, 'two']],
    ['m.items()', [['x', 1], ['y', 'two']]],
  ];
  for (const [expr, want] of cases) {
    it(`evaluates ${expr} to ${JSON.stringify(want)}`, () => {
      expect(evaluate(expr, VARS, ORIGIN)).to.deep.equal(want);
    });
  }
});

describe('condition filters', () => {
  const cases: Array<[string, unknown]> = [
    ['-4 | abs', 4], ["'aGk=' | b64decode", 'hi'], ["'hi' | b64encode", 'aGk='], ["'/a/b.yaml' | basename", 'b.yaml'],
    ["'yes' | bool", true], ["'off' | bool", false], ['1 | bool', true], ["m | combine({'x': 9, 'z': 0})", { x: 9, y: 'two', z: 0 }],
    ['l | count', 3], ['missing | d(7)', 7], ['missing | default(7)', 7], ['n | default(7)', 3], ["'' | default('e', true)", 'e'],
    ["'/a/b.yaml' | dirname", '/a'], ['l | first', 3], ["'2.5' | float", 2.5], ["'x' | float", 0], ['ok.stdout | from_json', { health: true, n: [1, 2] }],
    ["'a: 1' | from_yaml", { a: 1 }], ["'42' | int", 42], ["'4.9' | int", 4], ["'x' | int(-1)", -1], ['true | int', 1], ["l | join('-')", '3-1-2'], ['l | join', '312'],
    ['m | keys', ['x', 'y']], ['l | last', 2], ['s | length', 5], ['m | length', 2], ["'ab' | list", ['a', 'b']], ["'AB' | lower", 'ab'],
    ["members | map(attribute='name')", ['node1', 'node2', 'node3']], ["['A', 'B'] | map('lower')", ['a', 'b']], ['l | max', 3], ['l | min', 1],
    ["\"it's\" | quote", "'it'\\''s'"], ["'a1b22' | regex_replace('\\\\d+', '#')", 'a#b#'], ["'ver=3.4.23' | regex_search('\\\\d+\\\\.\\\\d+')", '3.4'],
    ["'abc' | regex_search('z')", null], ["'ABC' | regex_search('b', ignorecase=true)", 'B'],
    ['[0, 1, 2] | reject', [0]], ["members | rejectattr('learner') | map(attribute='name')", ['node1', 'node3']],
    ["'aXa' | replace('X', '-')", 'a-a'], ['2.567 | round(1)', 2.6], ['[0, 1, 2] | select', [1, 2]], ["[1, 2, 3, 4] | select('even')", [2, 4]],
    ["members | selectattr('learner') | map(attribute='name')", ['node2']], ["members | selectattr('name', 'equalto', 'node3') | map(attribute='id')", ['c3']],
    ["members | selectattr('name', 'in', ['node1', 'node2']) | length", 2], ['l | sort', [1, 2, 3]], ['l | sort(reverse=true)', [3, 2, 1]],
    ["members | sort(attribute='id', reverse=true) | first", VARS.members[2]], ["'a,b' | split(',')", ['a', 'b']], ['n | string', '3'],
    ['l | sum', 6], ["true | ternary('y', 'n')", 'y'], ['m | to_json', '{"x":1,"y":"two"}'], ['m | to_yaml', 'x: 1\ny: two\n'],
    ["'  t ' | trim", 't'], ['[1, 2, 1, [1], [1]] | unique', [1, 2, [1]]], ["'ab' | upper", 'AB'], ['m | values', [1, 'two']],
  ];
  for (const [expr, want] of cases) {
    it(`evaluates ${expr} to ${JSON.stringify(want)}`, () => {
      expect(evaluate(expr, VARS, ORIGIN)).to.deep.equal(want);
    });
  }

  it('has a table entry for every registered filter', () => {
    const covered = new Set(cases.map(([e]) => [...e.matchAll(/\|\s*([a-z_0-9]+)/g)].map((m) => m[1])).flat());
    expect([...FILTERS.keys()].filter((f) => !covered.has(f))).to.deep.equal([]);
    expect(covered.size).to.be.greaterThan(40);
  });

  it('refuses a filter on the wrong type with the column of the filter', () => {
    const e = fails("n | upper");
    expect(e.code).to.equal('E_EXPR_EVAL');
    expect(e.message).to.match(/upper needs a string, got number at column 5/);
  });
});

describe('condition tests', () => {
  const cases: Array<[string, boolean]> = [
    ['n is defined', true], ['missing is defined', false], ['missing is undefined', true], ['m.nope is undefined', true],
    ['missing.deeper.still is defined', false], ['n is not defined', false], ['nothing is none', true], ['n is none', false],
    ['true is true', true], ['1 is true', false], ['false is false', true], ['true is boolean', true], ['n is number', true], ["'3' is number", false],
    ['n is integer', true], ['1.5 is float', true], ['s is string', true], ['m is mapping', true], ['l is mapping', false], ['l is sequence', true],
    ['s is iterable', true], ['n is iterable', false], ['bad is failed', true], ['ok is failed', false], ['ok is succeeded', true], ['bad is success', false],
    ['bad is changed', true], ['ok is changed', false], ['skip is skipped', true], ['ok is skipped', false],
    ["s is match('h.l')", true], ["s is match('ell')", false], ["s is search('ell')", true], ["s is search('^l')", false],
    ['3 is in(l)', true], ['9 is in(l)', false], ['l is contains(1)', true], ['n is eq(3)', true], ['n is equalto(4)', false],
    ['n is ne(4)', true], ['n is gt(2)', true], ['n is ge(3)', true], ['n is lt(3)', false], ['n is le(3)', true], ['n is even', false], ['n is odd', true],
    ['empty is empty', true], ['l is empty', false],
  ];
  for (const [expr, want] of cases) {
    it(`answers ${expr} with ${want}`, () => {
      expect(evaluate(expr, VARS, ORIGIN)).to.equal(want);
    });
  }

  it('has a table entry for every registered test', () => {
    const covered = new Set(cases.map(([e]) => /is (?:not )?(\S+?)(?:\(|$| )/.exec(e)![1]));
    expect([...TESTS.keys()].filter((t) => !covered.has(t))).to.deep.equal([]);
  });

  it('refuses `failed` on something that is not a registered result', () => {
    expect(fails('n is failed').message).to.match(/needs a registered result/);
  });
});

describe('undefined variables in conditions', () => {
  it('names the variable, the condition, the task, the host and the place', () => {
    const e = fails('foo == 1');
    expect(e.code).to.equal('E_UNDEFINED_VAR');
    expect(e.message).to.match(/^`foo` is undefined in `when` of task 'Add member' \(host node2, playbooks\/x\.yml:14\)/);
    expect(e.location).to.deep.equal(ORIGIN.location);
    expect(e.hint).to.match(/foo is defined/);
  });

  it('names the whole path and suggests the nearest key of a registered result', () => {
    const e = fails('ok.stdot == ""');
    expect(e.message).to.match(/^`ok\.stdot` is undefined/);
    expect(e.hint).to.match(/did you mean `ok\.stdout`\?/);
  });

  it('is an error in every position except is defined, is undefined and default', () => {
    for (const expr of ['missing', 'not missing', 'missing and true', 'true and missing', 'missing | length', 'missing.x | default(1) + missing',
      '[missing]', "missing ~ 'x'", 'missing in l', 'missing is none', "missing.startswith('a')", 'n | default(missing)']) {
      expect(fails(expr).code, expr).to.equal('E_UNDEFINED_VAR');
    }
  });

  it('lets short-circuiting guard a later undefined', () => {
    expect(evaluate('missing is defined and missing > 1', VARS)).to.equal(false);
    expect(evaluate('missing is undefined or missing > 1', VARS)).to.equal(true);
  });

  it('treats a missing attribute of a missing variable as undefined, not as an error, under `is defined`', () => {
    expect(evaluate('result.stdout is defined', VARS)).to.equal(false);
    expect(evaluate("result.stdout | default('none')", VARS)).to.equal('none');
  });
});

describe('syntax errors in conditions', () => {
  const cases: Array<[string, number, RegExp]> = [
    ['n ==', 5, /ends too early/],
    ['(n', 3, /expected `\)`/],
    ['n | lenght', 5, /unknown filter `lenght`/],
    ['n is defind', 6, /unknown test `defind`/],
    ["s.exec('x')", 3, /unknown method `exec`/],
    ['n n', 3, /unexpected `n` after a complete expression/],
    ["'open", 1, /unterminated string/],
    ['n $ 1', 3, /unexpected character `\$`/],
    ['len(l)', 4, /only methods can be called/],
    ['{{ n | lenght }}', 8, /unknown filter/],
    ['and', 1, /unexpected `and`/],
  ];
  for (const [expr, column, re] of cases) {
    it(`reports \`${expr}\` at column ${column}`, () => {
      const e = fails(expr);
      expect(e.code).to.equal('E_EXPR_SYNTAX');
      expect(e.message).to.match(re);
      expect(e.message).to.include(`at column ${column} of the expression in \`when\` of task 'Add member'`);
      const lines = e.message.split('\n');
      expect(lines[1].trim()).to.equal(expr.trim());
      expect(lines[2].indexOf('^') - lines[1].indexOf(expr.trimStart()[0])).to.equal(column - 1 - (expr.length - expr.trimStart().length));
    });
  }

  it('suggests the nearest filter name', () => {
    expect(fails('n | lenght').hint).to.equal('did you mean `length`?');
  });

  it('checks syntax without any variables', () => {
    expect(() => checkExpr('missing | length > 2 and x.y is defined')).not.to.throw();
    expect(() => checkExpr('missing |')).to.throw(RingError, /a filter name/);
  });
});

describe('forbidden properties in conditions', () => {
  for (const expr of ['m.constructor', 'm.__proto__', 'prototype', "m['constructor']", "s['__proto__']", 'l.constructor.name']) {
    it(`refuses \`${expr}\` before evaluating anything`, () => {
      expect(() => checkExpr(expr)).to.throw(RingError, /is not allowed/);
    });
  }

  it('refuses a computed forbidden key at evaluation time', () => {
    const e = fails("m['__pro' ~ 'to__']");
    expect(e.code).to.equal('E_EXPR_EVAL');
    expect(e.message).to.match(/access to `__proto__` is not allowed/);
  });

  it('never reaches inherited JavaScript properties', () => {
    expect(evaluate('m.toString is defined', VARS)).to.equal(false);
    expect(evaluate('s.charAt is defined', VARS)).to.equal(false);
    expect(evaluate('l.map is defined', VARS)).to.equal(false);
  });

  it('refuses a method that exists in JavaScript but not on the allow-list', () => {
    expect(() => checkExpr("s.concat('x')")).to.throw(RingError, /unknown method `concat`/);
    expect(fails('l.upper()').message).to.match(/is a string method; it cannot be called on list/);
  });
});

describe('evaluation errors in conditions', () => {
  for (const [expr, re] of [
    ["1 + 'a'", /cannot apply `\+` to number and string \(use `~` to join text\)/],
    ["n < 'a'", /cannot order number and string/],
    ['n / 0', /division by zero/],
    ['-s', /cannot negate string/],
    ['n in 5', /`in` needs a string, list or mapping/],
  ] as Array<[string, RegExp]>) {
    it(`refuses ${expr}`, () => {
      const e = fails(expr);
      expect(e.code).to.equal('E_EXPR_EVAL');
      expect(e.message).to.match(re);
    });
  }
});

describe('truthiness', () => {
  const cases: Array<[unknown, boolean]> = [[false, false], [0, false], ['', false], [null, false], [undefined, false], [[], false], [{}, false],
    [true, true], [1, true], ['0', true], [[0], true], [{ a: 0 }, true]];
  for (const [v, want] of cases) {
    it(`treats ${JSON.stringify(v)} as ${want}`, () => expect(truthy(v)).to.equal(want));
  }

  it('takes a YAML boolean or number as its own value', () => {
    expect(evaluate(true as unknown as string, VARS)).to.equal(true);
    expect(evaluate(0 as unknown as string, VARS)).to.equal(0);
    expect(() => checkExpr(false as unknown as string)).not.to.throw();
  });

  it('reduces a condition to a boolean', () => {
    expect(evaluateCondition('l | select("even")', VARS)).to.equal(true);
    expect(evaluateCondition('empty', VARS)).to.equal(false);
  });

  it('sees variables layered on a prototype chain and behind getters', () => {
    const base = { a: 1 };
    const layered = Object.create(base) as Record<string, unknown>;
    Object.defineProperty(layered, 'b', { enumerable: true, get: () => 2 });
    expect(evaluate('a + b', layered)).to.equal(3);
  });
});
