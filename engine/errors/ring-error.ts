// The one error family: every failure a user can meet is a RingError with a code, a place and a fix.
import { ERROR_CODES, type ErrorCode } from './codes.js';

/** A place in a source file; line and col are 1-based. */
export interface Location {
  file: string;
  line: number;
  col: number;
}

/** Extra facts that make an error actionable. */
export interface ErrorDetails {
  location?: Location;
  /** The offending source line, shown with a caret under `location.col`. */
  sourceLine?: string;
  /** What the user should do; defaults to the code's generic fix. */
  hint?: string;
  host?: string;
  task?: string;
  cause?: unknown;
}

/** An expected failure: printed by the CLI as `file:line:col: message`, never as a stack trace. */
export class RingError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetails;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'RingError';
    this.code = code;
    this.details = details;
  }

  get exitCode(): number {
    return ERROR_CODES[this.code].exit;
  }

  get hint(): string | undefined {
    return this.details.hint ?? (ERROR_CODES[this.code] as { fix?: string }).fix;
  }

  get location(): Location | undefined {
    return this.details.location;
  }
}

/** Several errors found in one pass (validation reports all of them at once). */
export class RingErrors extends Error {
  readonly errors: RingError[];
  constructor(errors: RingError[]) {
    super(`${errors.length} error(s)`);
    this.name = 'RingErrors';
    this.errors = errors;
  }
  get exitCode(): number {
    return Math.max(...this.errors.map((e) => e.exitCode));
  }
}

export function isRingError(e: unknown): e is RingError {
  return e instanceof RingError;
}
