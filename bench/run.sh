#!/usr/bin/env bash
# `npm run bench`: installs ansible-core from Debian if missing, builds ringmaster, runs bench/main (results in bench/).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" != 0 ]; then echo "bench: needs root (sshd on loopback, lab namespaces)" >&2; exit 1; fi
if ! [ -x /usr/bin/ansible-playbook ]; then
  echo "bench: installing ansible-core from Debian's packages"
  timeout 600 apt-get install -y --no-install-recommends ansible-core >/dev/null \
    || { timeout 300 apt-get update >/dev/null && timeout 600 apt-get install -y --no-install-recommends ansible-core >/dev/null; }
fi
[ -x /usr/bin/time ] || timeout 300 apt-get install -y time >/dev/null || echo "bench: GNU time unavailable; no max RSS figures" >&2
npm run gen >/dev/null
# tsc exits non-zero when any file of the shared tree has a type error, but still emits; bench files must compile.
npx tsc -p tsconfig.json >/tmp/ringmaster-bench-tsc.log 2>&1 || { grep '^bench/' /tmp/ringmaster-bench-tsc.log || true; }
# Everything below stops by itself: every run has a time limit; the whole bench is bounded by this timeout.
exec timeout --kill-after=60 1500 node dist/bench/main.js "$@"
