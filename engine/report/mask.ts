// Masking secrets: every string inside an event has each known secret value replaced by `***`.

/** Values shorter than this are not masked: masking `a` or `ok` everywhere would destroy the output. */
export const MIN_SECRET_LENGTH = 4;

const MASK = '***';

/**
 * The forms a secret can take in output: as given, JSON-escaped (inside a printed JSON document) and
 * shell-quoted (inside a displayed command), because a secret with a quote in it changes shape there.
 */
function variants(secret: string): string[] {
  const json = JSON.stringify(secret).slice(1, -1);
  const shell = secret.replace(/'/g, `'\\''`);
  return [...new Set([secret, json, shell])];
}

/** A set of secret values and the replacer built from them; grows as the run learns new secrets. */
export class SecretMasker {
  private readonly values = new Set<string>();
  private pattern: RegExp | undefined;

  constructor(secrets: Iterable<string> = []) {
    this.add(secrets);
  }

  /** Registers values; empty and very short values are ignored (see MIN_SECRET_LENGTH). */
  add(secrets: Iterable<string>): void {
    let grew = false;
    for (const s of secrets) {
      if (typeof s !== 'string' || s.length < MIN_SECRET_LENGTH) continue;
      for (const v of variants(s)) {
        if (!this.values.has(v)) {
          this.values.add(v);
          grew = true;
        }
      }
    }
    if (grew) this.pattern = buildPattern([...this.values]);
  }

  get size(): number {
    return this.values.size;
  }

  /** The text with every secret replaced by `***`. */
  maskText(text: string): string {
    return this.pattern ? text.replace(this.pattern, MASK) : text;
  }

  /** A deep copy of `value` in which every string (not object keys) is masked. */
  mask<T>(value: T): T {
    if (!this.pattern) return value;
    return this.walk(value, new WeakMap()) as T;
  }

  private walk(value: unknown, seen: WeakMap<object, unknown>): unknown {
    if (typeof value === 'string') return this.maskText(value);
    if (value === null || typeof value !== 'object') return value;
    // Secret and Date say how they print through toJSON; the JSON form is what reporters must see.
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') return this.walk(toJSON.call(value), seen);
    const done = seen.get(value);
    if (done !== undefined) return done;
    if (Array.isArray(value)) {
      const out: unknown[] = [];
      seen.set(value, out);
      for (const item of value) out.push(this.walk(item, seen));
      return out;
    }
    const out: Record<string, unknown> = {};
    seen.set(value, out);
    for (const [k, v] of Object.entries(value)) out[k] = this.walk(v, seen);
    return out;
  }
}

/** One alternation, longest first, so a secret that contains another is masked whole. */
function buildPattern(values: string[]): RegExp {
  const sorted = values.sort((a, b) => b.length - a.length);
  return new RegExp(sorted.map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
}
