#!/usr/bin/env bash
# One-stop set-up for a fresh Debian machine (as root): system packages and npm dependencies.
# Run by `npm test` (pretest) and `npm run demo`, so the README's two commands need nothing else.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system-deps.sh
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "npm dependencies: installing (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi
