// `-e key=value ...`, `-e '{"json": 1}'` (or YAML flow), `-e @file.yml` → one mapping; later ones win.
import { resolve } from 'node:path';
import { RingErrors, type Location, type RingError } from '../errors/index.js';
import { VAR_NAME } from '../validate/translate.js';
import { passwordVarErrors } from './password-vars.js';
import { checkVars, checkVarsFile } from './vars-file.js';
import { errorAt, parseYaml, sourceText, type SourceText } from './yaml.js';

const NAME = new RegExp(VAR_NAME);

/** Parses every `-e` value in order; all problems are reported together (RingErrors). */
export async function parseExtraVars(args: string[], cwd: string): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const errors: RingError[] = [];
  for (const [i, arg] of args.entries()) {
    const src = sourceText(`-e #${i + 1}`, arg);
    const text = arg.trim();
    if (!text) continue;
    let vars: Record<string, unknown> | undefined;
    let found: RingError[];
    if (text.startsWith('@')) {
      ({ vars, errors: found } = await checkVarsFile(resolve(cwd, text.slice(1)), 'extra vars file'));
    } else if (text.startsWith('{') || text.startsWith('[')) {
      ({ vars, errors: found } = checkVars(parseYaml(src), 'extra vars value'));
      found = found.map((e) => (e.location?.file === src.file ? errorAt('E_EXTRA_VARS', `in -e '${arg}': ${e.message}`, e.location, src, e.details.hint) : e));
    } else {
      ({ vars, errors: found } = keyValues(src));
    }
    errors.push(...found);
    if (vars) Object.assign(out, vars);
  }
  errors.push(...passwordVarErrors(out, '-e', undefined));
  if (errors.length) throw new RingErrors(errors);
  return out;
}

/** `a=1 b="two words" c='x'`: values stay strings, as in Ansible. */
function keyValues(src: SourceText): { vars?: Record<string, string>; errors: RingError[] } {
  const errors: RingError[] = [];
  const vars: Record<string, string> = {};
  // Every line counts: `-e $'a=1\nb=2'` sets both (a newline separates words like a space does).
  const words = src.lines.flatMap((_, i) => splitWords(src, errors, 'E_EXTRA_VARS', i + 1).map((w) => ({ ...w, line: i + 1 })));
  for (const w of words) {
    const loc: Location = { file: src.file, line: w.line, col: w.col };
    const eq = w.text.indexOf('=');
    if (eq <= 0) {
      errors.push(errorAt('E_EXTRA_VARS', `\`${w.text}\` in -e '${src.text}' is not a key=value pair`, loc, src, "use -e key=value, -e '{\"json\": 1}' or -e @file.yml"));
      continue;
    }
    const key = w.text.slice(0, eq);
    if (!NAME.test(key)) {
      errors.push(errorAt('E_EXTRA_VARS', `\`${key}\` in -e '${src.text}' is not a valid variable name: use letters, digits and \`_\`, not starting with a digit`, loc, src));
      continue;
    }
    vars[key] = w.text.slice(eq + 1);
  }
  return errors.length ? { errors } : { vars, errors };
}

interface Word {
  text: string;
  col: number;
}

/** Shell-like words: whitespace separates, quotes group (and are removed), backslash escapes. */
export function splitWords(src: SourceText, errors: RingError[], code: RingError['code'] = 'E_EXTRA_VARS', line = 1): Word[] {
  const words: Word[] = [];
  const s = src.lines[line - 1] ?? '';
  let i = 0;
  while (i < s.length) {
    while (i < s.length && /\s/.test(s[i])) i++;
    if (i >= s.length) break;
    const col = i + 1;
    let text = '';
    while (i < s.length && !/\s/.test(s[i])) {
      const c = s[i];
      if (c === '"' || c === "'") {
        const end = closing(s, i + 1, c);
        if (end < 0) {
          errors.push(errorAt(code, `a ${c === '"' ? 'double' : 'single'} quote opened here is never closed`, { file: src.file, line, col: i + 1 }, src));
          return words;
        }
        text += c === '"' ? s.slice(i + 1, end).replace(/\\(["\\])/g, '$1') : s.slice(i + 1, end);
        i = end + 1;
      } else if (c === '\\' && i + 1 < s.length) {
        text += s[i + 1];
        i += 2;
      } else {
        text += c;
        i++;
      }
    }
    words.push({ text, col });
  }
  return words;
}

function closing(s: string, from: number, quote: string): number {
  for (let j = from; j < s.length; j++) {
    if (s[j] === '\\' && quote === '"') j++;
    else if (s[j] === quote) return j;
  }
  return -1;
}
