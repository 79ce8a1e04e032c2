// The corpus of broken playbooks and inventories: each file says, in `# expect:` lines, exactly which
// errors it must produce (code, line:col, a fragment of the sentence); nothing more, nothing less.
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { join, relative } from 'node:path';
import { main } from '../../engine/cli.js';
import { RingErrors, type RingError } from '../../engine/errors/index.js';
import { loadInventories } from '../../engine/load/inventory.js';
import { checkPlaybook } from '../../engine/load/playbook.js';
import { packageRoot } from '../../engine/paths.js';

const root = packageRoot();
const dir = join(root, 'test', 'fixtures', 'invalid');

interface Expectation {
  code: string;
  file: string;
  line: number;
  col: number;
  fragment: string;
}

function expectations(file: string): Expectation[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => /^# expect: (E_[A-Z_]+) (?:(\S+):)?(\d+):(\d+) (.+)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ code: m[1], file: m[2] ? join(file, '..', m[2]) : file, line: Number(m[3]), col: Number(m[4]), fragment: m[5] }));
}

function assertErrors(file: string, errors: RingError[]): void {
  const want = expectations(file);
  expect(want, `${file} has no # expect: lines`).to.not.be.empty;
  const got = errors.map((e) => `${e.code} ${relative(root, e.location?.file ?? '?')}:${e.location?.line}:${e.location?.col} ${e.message}`);
  expect(errors, `errors of ${file}:\n${got.join('\n')}`).to.have.length(want.length);
  want.forEach((w, i) => {
    const e = errors[i];
    expect(e.code, got[i]).to.equal(w.code);
    expect(e.location?.file, got[i]).to.equal(w.file);
    expect(`${e.location?.line}:${e.location?.col}`, got[i]).to.equal(`${w.line}:${w.col}`);
    expect(e.message, got[i]).to.contain(w.fragment);
    expect(e.details.sourceLine, `${got[i]} quotes its source line`).to.be.a('string');
  });
}

const files = (sub: string) => readdirSync(join(dir, sub)).filter((f) => /\.(ya?ml|ini)$/.test(f)).sort();

describe('the invalid corpus (test/fixtures/invalid)', () => {
  it('holds at least 30 broken playbooks and inventories', () => {
    expect(files('playbooks').length + files('inventories').length).to.be.at.least(30);
  });

  describe('playbooks', () => {
    for (const f of files('playbooks')) {
      it(`reports exactly the expected errors for ${f}`, async () => {
        const file = join(dir, 'playbooks', f);
        const { playbook, errors } = await checkPlaybook(file);
        expect(playbook).to.equal(undefined);
        assertErrors(file, errors);
      });
    }
  });

  describe('inventories', () => {
    for (const f of files('inventories')) {
      it(`reports exactly the expected errors for ${f}`, async () => {
        const file = join(dir, 'inventories', f);
        const err = await loadInventories([file]).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).to.be.instanceOf(RingErrors);
        assertErrors(file, (err as RingErrors).errors);
      });
    }
  });

  describe('command lines (cli.json)', () => {
    const cases = JSON.parse(readFileSync(join(dir, 'cli.json'), 'utf8')) as Array<{ name: string; argv: string[]; code: string; at?: string; fragment: string }>;
    for (const c of cases) {
      it(`exits 1 and explains ${c.name}`, async () => {
        const out = new PassThrough();
        const err = new PassThrough();
        let text = '';
        err.on('data', (d) => (text += d));
        const code = await main(c.argv, { stdout: out, stderr: err, stdin: new PassThrough(), env: {}, cwd: root });
        expect(code, text).to.equal(1);
        expect(text).to.contain(`error[${c.code}]`).and.to.contain(c.fragment);
        if (c.at) expect(text).to.contain(`${c.at.startsWith('-e') ? c.at : join(root, c.at)}: error[${c.code}]`);
      });
    }
  });
});
