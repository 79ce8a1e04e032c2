// YAML text → plain JS values that remember where every mapping, key and item came from (SOURCE).
import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type YAMLError } from 'yaml';
import { RingError, type Location } from '../errors/index.js';
import { attachSource, sourceOf, type SourceInfo } from './located.js';

/** A file's text split into lines, so errors can quote the offending line. */
export interface SourceText {
  file: string;
  text: string;
  lines: string[];
}

export interface ParsedYaml {
  /** The document as plain values (objects and arrays carry SOURCE); null for an empty document. */
  value: unknown;
  source: SourceText;
  errors: RingError[];
}

export function sourceText(file: string, text: string): SourceText {
  // A UTF-8 byte-order mark (Windows editors add one) is not content: without this, yaml sees a stray scalar at 1:4.
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  return { file, text: body, lines: body.split(/\r?\n/) };
}

/** Values that aliases may add to a document; past this it is an alias bomb ("billion laughs"), not a config. */
export const MAX_ALIAS_EXPANSION = 100_000;
/** Lists and mappings nested deeper than this are refused (every later walk of the value recurses). */
export const MAX_YAML_DEPTH = 100;

/** Reads a file; a missing or unreadable file is a RingError naming the path. */
export async function readSource(file: string, what = 'file'): Promise<SourceText> {
  try {
    return sourceText(file, await readFile(file, 'utf8'));
  } catch (e) {
    throw fileError(e, file, what);
  }
}

export function fileError(e: unknown, file: string, what = 'file'): RingError {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return new RingError('E_FILE_NOT_FOUND', `${what} not found: ${file}`, { cause: e });
  if (code === 'EISDIR') return new RingError('E_FILE_UNREADABLE', `${what} ${file} is a folder, not a file`, { cause: e });
  return new RingError('E_FILE_UNREADABLE', `cannot read ${what} ${file}: ${(e as Error)?.message ?? e}`, { cause: e });
}

/** A RingError pointing at `loc`, quoting its line from `src` (or from the file itself). */
export function errorAt(code: RingError['code'], message: string, loc: Location | undefined, src?: SourceText, hint?: string): RingError {
  const details: RingError['details'] = {};
  if (loc) {
    details.location = loc;
    const line = src && src.file === loc.file ? src.lines[loc.line - 1] : sourceLine(loc);
    if (line !== undefined) details.sourceLine = line;
  }
  if (hint) details.hint = hint;
  return new RingError(code, message, details);
}

/** File order is kept; inside a file, errors read top to bottom. */
export function sortErrors(errors: RingError[]): void {
  const files = [...new Set(errors.map((e) => e.location?.file ?? ''))];
  errors.sort((a, b) => {
    const fa = files.indexOf(a.location?.file ?? '');
    const fb = files.indexOf(b.location?.file ?? '');
    return fa - fb || (a.location?.line ?? 0) - (b.location?.line ?? 0) || (a.location?.col ?? 0) - (b.location?.col ?? 0);
  });
}

/** The text of the line a location points at, read from disk (error paths only). */
export function sourceLine(loc: Location): string | undefined {
  try {
    return readFileSync(loc.file, 'utf8').split(/\r?\n/)[loc.line - 1];
  } catch {
    return undefined;
  }
}

// YAML 1.1 like Ansible (PyYAML): yes/no/on/off are booleans, 0644 is octal, `<<` merges. But not
// y/n (PyYAML does not either), and no timestamps or base-60 numbers: `1:30` and dates stay strings.
const TRUE = /^(?:[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/;
const FALSE = /^(?:[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/;
type Tag = { tag: string; format?: string; test?: RegExp; identify?: (v: unknown) => boolean };
function ansibleTags(tags: Tag[]): Tag[] {
  return tags
    .filter((t) => t.tag !== 'tag:yaml.org,2002:timestamp' && t.format !== 'TIME')
    .map((t) => (t.tag === 'tag:yaml.org,2002:bool' ? { ...t, test: t.identify?.(true) ? TRUE : FALSE } : t));
}

/** Parses YAML text into located plain values; syntax errors come back as E_YAML_SYNTAX, all of them. */
export function parseYaml(src: SourceText): ParsedYaml {
  const lineCounter = new LineCounter();
  let doc: Document;
  try {
    doc = parseDocument(src.text, {
      lineCounter,
      prettyErrors: true,
      version: '1.1',
      merge: true,
      uniqueKeys: true,
      customTags: ansibleTags as never,
    });
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    return { value: null, source: src, errors: [tooDeep({ file: src.file, line: 1, col: 1 }, src)] };
  }
  const errors = syntaxErrors(doc.errors, src);
  if (errors.length) return { value: null, source: src, errors };
  const conv = new Converter(doc, src, lineCounter);
  const value = conv.convert(doc.contents as Node | null);
  return { value, source: src, errors: conv.errors };
}

/** Reads and parses a YAML file. */
export async function loadYamlFile(file: string, what = 'file'): Promise<ParsedYaml> {
  return parseYaml(await readSource(file, what));
}

// Where yaml's own wording is unclear, say it plainly; elsewhere its message is kept.
const SYNTAX_SENTENCES: Partial<Record<YAMLError['code'], string>> = {
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
function syntaxErrors(errors: YAMLError[], src: SourceText): RingError[] {
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

function tooDeep(loc: Location, src: SourceText): RingError {
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

/** Walks the YAML AST once, building plain values and their SourceInfo. */
class Converter {
  readonly errors: RingError[] = [];
  private done = new Map<Node, unknown>();
  private busy = new Set<Node>();
  private sizes = new Map<Node, number>();
  private depth = 0;
  private expanded = 0;
  private refused = false;

  constructor(
    private doc: Document,
    private src: SourceText,
    private lc: LineCounter,
  ) {}

  loc(offset: number): Location {
    const { line, col } = this.lc.linePos(offset);
    return { file: this.src.file, line, col };
  }

  convert(node: Node | null | undefined): unknown {
    if (!node || this.refused) return null;
    if (isAlias(node)) {
      const target = node.resolve(this.doc) as Node | undefined;
      if (!target) {
        this.errors.push(errorAt('E_YAML_SYNTAX', `YAML syntax error: ${SYNTAX_SENTENCES.BAD_ALIAS}`, this.loc(node.range![0]), this.src, `define \`&${node.source}\` before using \`*${node.source}\``));
        return null;
      }
      if (this.busy.has(target)) {
        this.errors.push(errorAt('E_YAML_SYNTAX', 'YAML syntax error: this alias refers to the collection that contains it', this.loc(node.range![0]), this.src));
        return null;
      }
      // Converted values are shared, so conversion stays linear; but every later walk (templates, JSON
      // output, masking) sees the expanded tree. Count what each alias adds and stop an alias bomb here.
      this.expanded += target ? this.size(target) : 0;
      if (this.expanded > MAX_ALIAS_EXPANSION) {
        this.refused = true;
        this.errors.push(
          errorAt('E_YAML_SYNTAX', `YAML syntax error: aliases here expand the document to more than ${MAX_ALIAS_EXPANSION} values (an alias bomb?)`, this.loc(node.range![0]), this.src, 'use fewer or smaller aliases (`*name`); anchors are for sharing a few defaults'),
        );
        return null;
      }
      return this.convert(target);
    }
    if (isScalar(node)) return node.value;
    if (this.done.has(node)) return this.done.get(node);
    if (this.depth >= MAX_YAML_DEPTH) {
      this.refused = true;
      this.errors.push(tooDeep(this.loc(node.range?.[0] ?? 0), this.src));
      return null;
    }
    this.busy.add(node);
    this.depth++;
    const out = isSeq(node) ? this.seq(node) : isMap(node) ? this.map(node) : null;
    this.depth--;
    this.busy.delete(node);
    this.done.set(node, out);
    return out;
  }

  /** How many values `node` stands for once its aliases are expanded (memoized; capped past the limit). */
  private size(node: Node | null | undefined): number {
    if (!node) return 1;
    if (isAlias(node)) return this.busy.has(node.resolve(this.doc) as Node) ? 1 : this.size(node.resolve(this.doc) as Node | undefined);
    if (isScalar(node)) return 1;
    const hit = this.sizes.get(node);
    if (hit !== undefined) return hit;
    let n = 1;
    for (const item of (node as { items?: unknown[] }).items ?? []) {
      n += isPair(item) ? this.size(item.key as Node) + this.size(item.value as Node) : this.size(item as Node);
      if (n > MAX_ALIAS_EXPANSION) break;
    }
    this.sizes.set(node, n);
    return n;
  }

  private nodeLoc(node: Node | null | undefined, fallback: Location): Location {
    return node?.range ? this.loc(node.range[0]) : fallback;
  }

  private seq(node: Extract<Node, { items: unknown[] }>): unknown[] {
    const out: unknown[] = [];
    const here = this.loc(node.range![0]);
    const info: SourceInfo = { loc: here, keys: {}, values: {} };
    node.items.forEach((item, i) => {
      const itemNode = (isPair(item) ? item.key : item) as Node;
      const loc = this.nodeLoc(itemNode, here);
      info.keys[i] = loc;
      info.values[i] = loc;
      out.push(this.convert(itemNode));
    });
    attachSource(out, info);
    return out;
  }

  private map(node: Extract<Node, { items: unknown[] }>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const here = this.loc(node.range![0]);
    const info: SourceInfo = { loc: here, keys: {}, values: {} };
    const merged: Array<[Record<string, unknown>, Location]> = [];
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const keyNode = pair.key as Node | null;
      const keyLoc = this.nodeLoc(keyNode, here);
      if (isScalar(keyNode) && keyNode.source === '<<' && keyNode.type === 'PLAIN') {
        this.collectMerge(pair.value as Node, keyLoc, merged);
        continue;
      }
      const key = this.keyName(keyNode, keyLoc);
      if (key === undefined) continue;
      const valueNode = pair.value as Node | null;
      // An empty value (`key:`) has an empty range right after the colon: point at the key instead.
      const valueLoc = valueNode?.range && valueNode.range[1] > valueNode.range[0] ? this.loc(valueNode.range[0]) : keyLoc;
      setKey(out, key, this.convert(valueNode));
      info.keys[key] = keyLoc;
      info.values[key] = valueLoc;
    }
    // Explicit keys win over merged ones, whatever their order (YAML merge-key semantics).
    for (const [m, loc] of merged) {
      const mi = sourceOf(m);
      for (const [k, v] of Object.entries(m)) {
        if (k in info.keys) continue;
        setKey(out, k, v);
        info.keys[k] = loc;
        info.values[k] = mi?.values[k] ?? loc;
      }
    }
    attachSource(out, info);
    return out;
  }

  private collectMerge(value: Node, loc: Location, into: Array<[Record<string, unknown>, Location]>): void {
    const v = this.convert(value);
    const list = Array.isArray(v) ? v : [v];
    for (const m of list) {
      if (m && typeof m === 'object' && !Array.isArray(m)) into.push([m as Record<string, unknown>, loc]);
      else this.errors.push(errorAt('E_YAML_SYNTAX', 'YAML syntax error: a merge key `<<` needs a mapping or a list of mappings (usually an alias like `*defaults`)', loc, this.src));
    }
  }

  private keyName(keyNode: Node | null, loc: Location): string | undefined {
    if (keyNode === null || (isScalar(keyNode) && keyNode.value === null && !keyNode.source)) {
      this.errors.push(errorAt('E_YAML_SYNTAX', 'YAML syntax error: a mapping entry has no key before its `:`', loc, this.src));
      return undefined;
    }
    // Keys are taken as written: `yes:` stays "yes", `1:` stays "1".
    if (isScalar(keyNode)) return keyNode.source ?? String(keyNode.value);
    this.errors.push(errorAt('E_YAML_SYNTAX', 'YAML syntax error: keys must be plain words or strings, not lists or mappings', loc, this.src));
    return undefined;
  }
}

function setKey(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}
