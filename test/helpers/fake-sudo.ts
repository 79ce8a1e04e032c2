// Test helper: a fake `sudo` script that behaves like sudo with a password (or NOPASSWD), so the become password
// protocol can be checked without changing this machine's sudoers. It logs what it was asked into a file.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { shellQuote } from '../../engine/connection/command.js';

export interface FakeSudo {
  /** The folder to put first on PATH. */
  bin: string;
  /** Lines the fake sudo logged: `mode:n|A|S`, `askpass-left` when the helper survived being read. */
  log: string;
}

/** Writes `<dir>/bin/sudo`: with `password`, `-n` fails and `-A`/`-S` must give it; without, everything passes. */
export function fakeSudo(dir: string, password?: string): FakeSudo {
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  const log = join(dir, 'sudo.log');
  writeFileSync(log, '');
  const pw = password === undefined ? '' : shellQuote(password);
  const script = [
    '#!/bin/sh',
    'mode=',
    'while [ $# -gt 0 ]; do case "$1" in -n) mode=n;; -A) mode=A;; -S) mode=S;; -p|-u) shift;; --) shift; break;; -*) ;; *) break;; esac; shift; done',
    `echo "mode:$mode" >> ${shellQuote(log)}`,
    ...(password === undefined
      ? []
      : [
          'case $mode in',
          "n) echo 'sudo: a password is required' >&2; exit 1;;",
          `A) got=$("$SUDO_ASKPASS" 'Password: '); [ -e "$SUDO_ASKPASS" ] && echo askpass-left >> ${shellQuote(log)};;`,
          'S) IFS= read -r got;;',
          "*) echo 'sudo: no way to ask' >&2; exit 1;;",
          'esac',
          `[ "$got" = ${pw} ] || { echo 'sudo: 1 incorrect password attempt' >&2; exit 1; }`,
        ]),
    'unset SUDO_ASKPASS',
    'exec "$@"',
  ].join('\n');
  writeFileSync(join(bin, 'sudo'), script + '\n', { mode: 0o755 });
  return { bin, log };
}
