// Shell commands built from parts: every part quoted, secret parts masked when shown.
const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** POSIX single-quote quoting: safe for any byte string in sh/bash. */
export function shellQuote(s: string): string {
  if (s.length > 0 && SAFE.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A value that must never be printed. */
export class Secret {
  constructor(readonly value: string) {}
  toString(): string {
    return '***';
  }
  toJSON(): string {
    return '***';
  }
}

/** Raw shell text (an operator like `|`, `&&`, `2>&1`): trusted, never from inventory or templates. */
export class Raw {
  constructor(readonly text: string) {}
}

export type Part = string | number | Secret | Raw;

/** A command line: `render()` is what runs, `display()` is what is shown (secrets as ***). */
export class Command {
  readonly parts: readonly Part[];
  constructor(parts: readonly Part[]) {
    this.parts = parts;
  }
  render(): string {
    return this.parts.map((p) => renderPart(p, false)).join(' ');
  }
  display(): string {
    return this.parts.map((p) => renderPart(p, true)).join(' ');
  }
  toString(): string {
    return this.display();
  }
  /** This command followed by more parts. */
  concat(...more: Part[]): Command {
    return new Command([...this.parts, ...more]);
  }
}

function renderPart(p: Part, masked: boolean): string {
  if (p instanceof Raw) return p.text;
  if (p instanceof Secret) return masked ? '***' : shellQuote(p.value);
  return shellQuote(String(p));
}

/** cmd('etcdctl', 'member', 'list', '-w', 'json') — every part quoted. */
export function cmd(...parts: Part[]): Command {
  return new Command(parts);
}

export function raw(text: string): Raw {
  return new Raw(text);
}

export function secret(value: string): Secret {
  return new Secret(value);
}

/** Text of a command or plain string, for running. */
export function commandText(c: Command | string): string {
  return typeof c === 'string' ? c : c.render();
}

/** Text of a command or plain string, for showing. */
export function commandDisplay(c: Command | string): string {
  return typeof c === 'string' ? c : c.display();
}
