// YAML text → plain JS values that remember where every mapping, key and item came from (SOURCE).
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { Location, RingError } from '../errors/index.js';
import { attachSource, sourceOf, type SourceInfo } from './located.js';
import { errorAt, readSource, type SourceText } from './source-text.js';
import { MAX_ALIAS_EXPANSION, MAX_YAML_DEPTH, SYNTAX_SENTENCES, syntaxErrors, tooDeep } from './yaml-syntax.js';

// Re-exported: the loaders import these from here.
export { errorAt, fileError, readSource, sortErrors, sourceLine, sourceText, type SourceText } from './source-text.js';
export { MAX_ALIAS_EXPANSION, MAX_YAML_DEPTH } from './yaml-syntax.js';

export interface ParsedYaml {
  /** The document as plain values (objects and arrays carry SOURCE); null for an empty document. */
  value: unknown;
  source: SourceText;
  errors: RingError[];
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
  // The parser's own errors are turned into located ones: their stacks are never shown, and capturing one per
  // error of a deeply nested document (thousands of frames, source-mapped) took seconds.
  const stackLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
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
  } finally {
    Error.stackTraceLimit = stackLimit;
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
    if (isScalar(node)) {
      if (node.tag === '!vault') return this.vault(node);
      return node.value;
    }
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

  /** Ansible Vault values cannot be decrypted here: refuse them rather than pass the ciphertext on as a string. */
  private vault(node: Node): null {
    const hint = 'keep the secret out of the file: name an environment variable (ringmaster_become_password_env, ringmaster_ssh_password_env) or pass it at run time with -e @secrets.yml from a file only you can read';
    this.errors.push(errorAt('E_SCHEMA', 'Ansible Vault (`!vault`) values are not supported: ringmaster cannot decrypt them', this.loc(tagOffset(this.src.text, node.range![0])), this.src, hint));
    return null;
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

/** Where the `!vault` tag of a scalar starting at `valueAt` is (the value itself may start on a later line). */
function tagOffset(text: string, valueAt: number): number {
  const at = text.lastIndexOf('!vault', valueAt);
  return at >= 0 ? at : valueAt;
}
