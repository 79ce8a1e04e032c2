// Small statistics for the bench: median, min and max of a sample, and the per-task marginal cost.

/** Median, min and max of one sample (ms or any unit), and how many values it has. */
export interface Summary {
  median: number;
  min: number;
  max: number;
  n: number;
}

/** Summarises a non-empty sample; an empty one gives NaNs (shown as "n/a" in the report). */
export function summarize(values: number[]): Summary {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return { median: NaN, min: NaN, max: NaN, n: 0 };
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { median, min: s[0], max: s[s.length - 1], n: s.length };
}

/**
 * Marginal cost of one more task: (median wall with `big` tasks − median wall with `small` tasks) / (big − small).
 * Start-up, connection set-up and the first task cancel out, leaving the per-task cost on a reused connection.
 */
export function perTask(bigMs: number[], smallMs: number[], big: number, small: number): number {
  if (big <= small) throw new Error('perTask: big must exceed small');
  return (summarize(bigMs).median - summarize(smallMs).median) / (big - small);
}

/** `a / b`, or NaN when either is not a positive finite number. */
export function ratio(a: number, b: number): number {
  return Number.isFinite(a) && Number.isFinite(b) && a > 0 && b > 0 ? a / b : NaN;
}
