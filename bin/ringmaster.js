#!/usr/bin/env node
// Entry point: hands argv to the compiled CLI and exits with its code.
import { main } from '../dist/engine/cli.js';

const code = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  cwd: process.cwd(),
});
process.exitCode = code;
