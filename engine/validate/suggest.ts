// "did you mean": the closest candidate by edit distance, if it is close enough to be a typo.

/** Edits (insert, delete, substitute, swap two neighbours) to turn `a` into `b`. */
export function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** The best candidate within 1 edit (words up to 4 letters), 2 (up to 7) or 3, or a prefix match. */
export function suggest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  // `retry` → `retries` (2 edits) is a typo worth naming; `tags` → `vars` (2 of 4 letters) is not.
  const limit = word.length <= 4 ? 1 : word.length <= 7 ? 2 : 3;
  const list = [...candidates];
  for (const c of list) {
    const d = distance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  if (best !== undefined && bestD <= limit) return best;
  for (const c of list) if (c.startsWith(word) || word.startsWith(c)) return c;
  // A shared stem: `retry` → `retries` is 3 edits, but the first 4 letters agree.
  let stem: string | undefined;
  let stemLen = Math.max(4, Math.ceil(word.length * 0.75)) - 1;
  for (const c of list) {
    const n = commonPrefix(word.toLowerCase(), c.toLowerCase());
    if (n > stemLen) {
      stemLen = n;
      stem = c;
    }
  }
  return stem;
}

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}
