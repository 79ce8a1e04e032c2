// The contract of a CLI sub-command: it parses its own argv and returns an exit code.

/** Streams a command writes to (injected so tests can capture them). */
export interface CliIO {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export interface CommandDef {
  name: string;
  /** One line for `ringmaster --help`. */
  summary: string;
  /** Full help text for `ringmaster NAME --help`. */
  help: string;
  /** Throws RingError for user errors; returns the exit code otherwise. */
  run(argv: string[], io: CliIO): Promise<number>;
}
