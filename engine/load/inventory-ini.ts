// Ansible's INI inventory: `[group]` host lines with key=value vars, `[group:vars]`, `[group:children]`.
import type { Location, RingError } from '../errors/index.js';
import type { Inventory } from './model.js';
import { splitWords } from './extra-vars.js';
import { passwordVarErrors } from './password-vars.js';
import { child, expandHostRange, group, host, portProblem } from './inventory-build.js';
import { errorAt, type SourceText } from './yaml.js';

const GROUP_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Adds the hosts and groups of an INI inventory to `inv`; returns every problem found. */
export function parseIniInventory(src: SourceText, inv: Inventory): RingError[] {
  const errors: RingError[] = [];
  let section: { group: string; kind: 'hosts' | 'vars' | 'children' | 'skip' } = { group: 'ungrouped', kind: 'hosts' };
  src.lines.forEach((raw, i) => {
    const line = i + 1;
    const text = stripComment(raw);
    if (!text.trim()) return;
    const col = raw.length - raw.trimStart().length + 1;
    const at: Location = { file: src.file, line, col };
    const fail = (message: string, c = col, hint?: string) => errors.push(errorAt('E_INI_SYNTAX', message, { file: src.file, line, col: c }, src, hint));
    if (text.trimStart().startsWith('[')) {
      const m = /^\s*\[([^\]]*)\]\s*$/.exec(text);
      // The lines of a section that is refused are not read as hosts of the section before it (one error, not a cascade).
      section = { group: section.group, kind: 'skip' };
      if (!m) return fail('a section header needs a closing `]` and nothing after it', col, 'write `[group]`, `[group:vars]` or `[group:children]`');
      const [name, kind, extra] = m[1].trim().split(':');
      if (extra !== undefined || (kind !== undefined && kind !== 'vars' && kind !== 'children')) {
        return fail(`unknown section type \`:${kind}\` in \`[${m[1]}]\``, col, 'use `[group]`, `[group:vars]` or `[group:children]`');
      }
      if (!GROUP_NAME.test(name)) return fail(`\`${name}\` is not a valid group name`, col, 'use letters, digits, `_`, `-` and `.`');
      group(inv, name, at);
      section = { group: name, kind: kind === undefined ? 'hosts' : kind };
      return;
    }
    if (section.kind === 'skip') return;
    if (section.kind === 'vars') {
      const eq = text.indexOf('=');
      if (eq < 0) return fail(`expected \`key=value\` in \`[${section.group}:vars]\`, got \`${text.trim()}\``);
      const key = text.slice(0, eq).trim();
      if (!VAR_NAME.test(key)) return fail(`\`${key}\` is not a valid variable name`, col, 'use letters, digits and `_`, not starting with a digit');
      // As in Ansible, values in :vars sections are strings (quotes around the whole value are dropped).
      const value = unquote(text.slice(eq + 1).trim());
      const problem = key === 'ansible_port' || key === 'ansible_ssh_port' ? portProblem(value) : undefined;
      if (problem) return fail(`\`[${section.group}:vars]\`: ${problem.replace('ansible_port', key)}`, col, 'write the port as a number, e.g. `ansible_port=2222`');
      group(inv, section.group).vars[key] = value;
      errors.push(...passwordVarErrors({ [key]: true }, `group ${section.group}`, { file: src.file, line, col }));
      return;
    }
    if (section.kind === 'children') {
      const name = text.trim();
      if (!GROUP_NAME.test(name)) return fail(`\`${name}\` is not a valid group name (in \`[${section.group}:children]\`)`, col, 'list one child group name per line');
      if (name === section.group) return fail(`group \`${name}\` cannot be its own child`);
      child(inv, section.group, name, at);
      return;
    }
    hostLine(src, line, section.group, inv, errors);
  });
  return errors;
}

/** `name[:port] key=value ...`; values are read as literals (numbers, True/False, lists), as Ansible does. */
function hostLine(src: SourceText, line: number, groupName: string, inv: Inventory, errors: RingError[]): void {
  const lineSrc = { ...src, lines: src.lines.map((l, i) => (i === line - 1 ? stripComment(l) : l)) };
  const words = splitWords(lineSrc, errors, 'E_INI_SYNTAX', line);
  if (!words.length) return;
  const [first, ...rest] = words;
  const loc: Location = { file: src.file, line, col: first.col };
  const vars: Record<string, unknown> = {};
  let name = first.text;
  const port = /^([^:\[\]]+):([0-9]+)$/.exec(name);
  if (port) {
    name = port[1];
    vars.ansible_port = Number(port[2]);
  }
  for (const w of rest) {
    const eq = w.text.indexOf('=');
    const key = w.text.slice(0, eq);
    const where = { file: src.file, line, col: w.col };
    if (eq <= 0) {
      errors.push(errorAt('E_INI_SYNTAX', `expected \`key=value\` after host \`${name}\`, got \`${w.text}\``, where, src, 'one host per line: `name key=value ...`; quote values that contain spaces'));
      continue;
    }
    if (!VAR_NAME.test(key)) {
      errors.push(errorAt('E_INI_SYNTAX', `\`${key}\` is not a valid variable name (host \`${name}\`)`, where, src, 'use letters, digits and `_`, not starting with a digit'));
      continue;
    }
    vars[key] = literal(w.text.slice(eq + 1));
    const problem = key === 'ansible_port' || key === 'ansible_ssh_port' ? portProblem(vars[key]) : undefined;
    if (problem) errors.push(errorAt('E_INI_SYNTAX', `host \`${name}\`: ${problem.replace('ansible_port', key)}`, where, src, 'write the port as a number, e.g. `ansible_port=2222`'));
  }
  const names = expandHostRange(name);
  if (typeof names === 'string') {
    errors.push(errorAt('E_INI_SYNTAX', `host \`${name}\`: ${names}`, loc, src));
    return;
  }
  for (const n of names) host(inv, n, { ...vars }, loc, groupName);
}

/** Python-literal-like reading of a host-line value (after shell-like unquoting, as Ansible does). */
function literal(v: string): unknown {
  if (/^-?[0-9]+$/.test(v)) return Number(v);
  if (/^-?[0-9]+\.[0-9]+$/.test(v)) return Number(v);
  if (v === 'True' || v === 'true') return true;
  if (v === 'False' || v === 'false') return false;
  if (v === 'None') return null;
  if (/^[[{]/.test(v)) {
    try {
      return JSON.parse(v.replace(/'/g, '"'));
    } catch {
      return v;
    }
  }
  return v;
}

function unquote(v: string): string {
  return /^(["']).*\1$/.test(v) && v.length >= 2 ? v.slice(1, -1) : v;
}

/** `#` and `;` start a comment at the beginning of a line or after whitespace (not inside quotes). */
function stripComment(line: string): string {
  let quote = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if ((c === '#' || c === ';') && (i === 0 || /\s/.test(line[i - 1]))) {
      return line.slice(0, i);
    }
  }
  return line;
}
