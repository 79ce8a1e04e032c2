// yaml's syntax errors in plain words, at the place that needs fixing (the opening quote or bracket, the second key).
import type { YAMLError } from 'yaml';
import type { Location, RingError } from '../errors/index.js';
import { errorAt, type SourceText } from './source-text.js';

/** Values that aliases may add to a document; past this it is an alias bomb ("billion laughs"), not a config. */
export const MAX_ALIAS_EXPANSION = 100_000;
/** Lists and mappings nested deeper than this are refused (every later walk of the value recurses). */
export const MAX_YAML_DEPTH = 100;

// Where yaml's own wording is unclear, say it plainly; elsewhere its message is kept.
export const SYNTAX_SENTENCES: Partial<Record<YAMLError['code'], string>> = {
  TAB_AS_INDENT: 'tabs are not allowed for indentation in YAML',
  MULTILINE_IMPLICIT_KEY: 'a key must fit on one line: a `:` is probably missing, or the line above is not indented like its neighbours',
  BLOCK_AS_IMPLICIT_KEY: 'a mapping cannot start on the same line as its key; put it on the next line, indented',
  MULTIPLE_DOCS: 'the file holds several YAML documents (`---`); only one is allowed',
  BAD_ALIAS: 'this alias (`*name`) refers to no anchor (`&name`) defined before it',
};

const SYNTAX_HINTS: Array<[RegExp, string]> = [
  [/Tabs are not allowed/, 'indent with spaces only (replace the tab characters)'],
  [/Map keys must be unique/, 'remove or rename one of the two keys; YAML would silently keep only the last one'],
  [/Implicit keys need to be on a single line/, 'check for a missing `:` after a key, or for a line indented differently from its neighbours'],
  [/sequence item without - indicator/, 'this line is indented less than the keys above it but more than their `-`: align it with the keys of its list item'],
  [/indent/i, 'check the indentation of this line against the lines above it'],
];

/** Syntax errors cascade: keep every tab and duplicate-key error, and otherwise only the first one. */
export function syntaxErrors(errors: YAMLError[], src: SourceText): RingError[] {
  const tabs = errors.filter((e) => e.code === 'TAB_AS_INDENT');
  const dups = errors.filter((e) => e.code === 'DUPLICATE_KEY');
  const first = errors.find((e) => e.code !== 'TAB_AS_INDENT' && e.code !== 'DUPLICATE_KEY');
  const kept = tabs.length ? [...tabs, ...dups] : [...dups, ...(first ? [first] : [])];
  return kept.map((e) => syntaxError(e, src));
}

function syntaxError(e: YAMLError, src: SourceText): RingError {
  let [start] = e.linePos ?? [{ line: 1, col: 1 }];
  const raw = e.message.split(/ at line \d+, column \d+/)[0];
  let sentence = SYNTAX_SENTENCES[e.code] ?? lowerFirst(raw);
  let hint = SYNTAX_HINTS.find(([re]) => re.test(raw))?.[1];
  if (/call stack/i.test(raw)) return tooDeep({ file: src.file, line: start.line, col: start.col }, src);
  if (e.code === 'DUPLICATE_KEY') {
    // yaml points at the end of the previous entry (after an empty value, that is the line before): the key is the next token.
    start = nextToken(src, e.pos[0]) ?? start;
    const key = keyAt(src, start.line, start.col);
    sentence = `duplicate key${key ? ` \`${key}\`` : ''}: a key may appear only once in a mapping`;
  } else if (e.code === 'MISSING_CHAR' && /quote/.test(raw)) {
    // yaml reports the end of the file; the opening quote is what needs a partner.
    const q = raw.includes('"') ? '"' : "'";
    const open = openingQuote(src, start.line, q);
    if (open) start = open;
    sentence = `a ${q === '"' ? 'double' : 'single'} quote opened here is never closed`;
  } else if (/end with an? [\]}]/.test(raw) || start.line > src.lines.length || (start.line === src.lines.length && src.lines[start.line - 1] === '')) {
    // An unclosed `[`/`{` is found at the end of the file; the bracket that needs a partner is more useful.
    const open = unclosedBracket(src);
    if (open) {
      start = open.at;
      sentence = `a \`${open.char}\` opened here is never closed (YAML says: ${lowerFirst(raw)})`;
      hint = `close it with \`${open.char === '[' ? ']' : '}'}\` where the ${open.char === '[' ? 'list' : 'mapping'} ends`;
    }
  } else if (SYNTAX_SENTENCES[e.code] && e.code !== 'TAB_AS_INDENT') {
    sentence = `${sentence} (YAML says: ${lowerFirst(raw)})`;
  }
  return errorAt('E_YAML_SYNTAX', `YAML syntax error: ${sentence}`, { file: src.file, line: start.line, col: start.col }, src, hint);
}

/** The last line at or before `line` with an odd number of `q`: where the unclosed quote opens. */
function openingQuote(src: SourceText, line: number, q: string): { line: number; col: number } | undefined {
  for (let l = Math.min(line, src.lines.length); l >= 1; l--) {
    const text = src.lines[l - 1];
    if ((text.split(q).length - 1) % 2 === 1) return { line: l, col: text.lastIndexOf(q) + 1 };
  }
  return undefined;
}

export function tooDeep(loc: Location, src: SourceText): RingError {
  return errorAt('E_YAML_SYNTAX', `YAML syntax error: lists and mappings nest too deeply here (at most ${MAX_YAML_DEPTH} levels)`, loc, src, 'flatten the structure; no playbook, inventory or vars file needs this depth');
}

/** Line and column of the first character at or after `offset` that is not blank or a comment. */
function nextToken(src: SourceText, offset: number): { line: number; col: number } | undefined {
  const t = src.text;
  let i = offset;
  while (i < t.length) {
    if (/\s/.test(t[i])) i++;
    else if (t[i] === '#') while (i < t.length && t[i] !== '\n') i++;
    else break;
  }
  if (i >= t.length) return undefined;
  const before = t.slice(0, i);
  const line = before.split('\n').length;
  return { line, col: i - before.lastIndexOf('\n') };
}

/** The last `[` or `{` left open at the end of the text (quotes and comments skipped). */
function unclosedBracket(src: SourceText): { char: string; at: { line: number; col: number } } | undefined {
  const stack: Array<{ char: string; at: { line: number; col: number } }> = [];
  src.lines.forEach((text, li) => {
    let quote = '';
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (quote) {
        if (c === quote) quote = '';
      } else if (c === '"' || c === "'") {
        if (i === 0 || /[\s[{,:]/.test(text[i - 1])) quote = c;
      } else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]))) {
        break;
      } else if (c === '[' || c === '{') {
        stack.push({ char: c, at: { line: li + 1, col: i + 1 } });
      } else if (c === ']' || c === '}') {
        stack.pop();
      }
    }
  });
  return stack.pop();
}

function keyAt(src: SourceText, line: number, col: number): string | undefined {
  const rest = src.lines[line - 1]?.slice(col - 1) ?? '';
  return /^(["']?)([^:"']+)\1\s*:/.exec(rest)?.[2]?.trim();
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}
