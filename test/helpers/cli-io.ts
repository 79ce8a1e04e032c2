// Captured stdio for driving the CLI's main() in tests.
import { PassThrough } from 'node:stream';
import { main } from '../../engine/cli.js';
import type { CliIO } from '../../engine/commands/types.js';

/** An IO whose stdout/stderr are collected as text. */
export function captureIO(cwd = process.cwd(), env: NodeJS.ProcessEnv = { NO_COLOR: '1' }) {
  const out = new PassThrough();
  const err = new PassThrough();
  let o = '';
  let e = '';
  out.on('data', (d) => (o += d));
  err.on('data', (d) => (e += d));
  const io: CliIO = { stdout: out, stderr: err, stdin: new PassThrough(), env, cwd };
  return { io, out: () => o, err: () => e };
}

/** Run `ringmaster ARGV...` in-process; returns the exit code and what it printed. */
export async function runCli(argv: string[], cwd?: string, env?: NodeJS.ProcessEnv) {
  const t = captureIO(cwd, env);
  const code = await main(argv, t.io);
  return { code, out: t.out(), err: t.err() };
}
