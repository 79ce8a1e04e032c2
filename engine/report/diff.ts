// A small unified-style line diff for `--diff` output (files here are manifests and configs: short).
import type { FileDiff } from '../modules/define.js';

type Op = { kind: ' ' | '-' | '+'; text: string };

/** Past this many cells the LCS table is too big; the whole file is shown as replaced instead. */
const MAX_CELLS = 4_000_000;
const CONTEXT = 3;

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Line operations turning `a` into `b`, by longest common subsequence. */
export function diffLines(a: string[], b: string[]): Op[] {
  const n = a.length;
  const m = b.length;
  if (n * m > MAX_CELLS) return [...a.map((text) => ({ kind: '-' as const, text })), ...b.map((text) => ({ kind: '+' as const, text }))];
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      ops.push({ kind: ' ', text: a[i] });
      i++;
      j++;
    } else if (lcs[i + 1][j] >= lcs[i][j + 1]) ops.push({ kind: '-', text: a[i++] });
    else ops.push({ kind: '+', text: b[j++] });
  }
  while (i < n) ops.push({ kind: '-', text: a[i++] });
  while (j < m) ops.push({ kind: '+', text: b[j++] });
  return ops;
}

/** Hunks with three lines of context and `@@ -a,b +c,d @@` headers. */
function hunks(ops: Op[]): string[] {
  const out: string[] = [];
  const changed = ops.map((o, k) => (o.kind === ' ' ? -1 : k)).filter((k) => k >= 0);
  let start = 0;
  while (start < changed.length) {
    let end = start;
    while (end + 1 < changed.length && changed[end + 1] - changed[end] <= 2 * CONTEXT) end++;
    const from = Math.max(0, changed[start] - CONTEXT);
    const to = Math.min(ops.length, changed[end] + CONTEXT + 1);
    const before = ops.slice(0, from);
    const oldStart = before.filter((o) => o.kind !== '+').length + 1;
    const newStart = before.filter((o) => o.kind !== '-').length + 1;
    const body = ops.slice(from, to);
    const oldLen = body.filter((o) => o.kind !== '+').length;
    const newLen = body.filter((o) => o.kind !== '-').length;
    // An empty side names the line before it, as diff -u does (`@@ -0,0 +1,2 @@` for a new file).
    out.push(`@@ -${oldLen ? oldStart : oldStart - 1},${oldLen} +${newLen ? newStart : newStart - 1},${newLen} @@`);
    for (const o of body) out.push(`${o.kind}${o.text}`);
    start = end + 1;
  }
  return out;
}

/** `--- before: path` / `+++ after: path` and the hunks; empty when nothing differs. */
export function unifiedDiff(d: FileDiff): string[] {
  const ops = diffLines(splitLines(d.before), splitLines(d.after));
  const body = hunks(ops);
  if (body.length === 0) return [];
  return [`--- before: ${d.path}`, `+++ after: ${d.path}`, ...body];
}
