#!/usr/bin/env bash
# `npm run demo`: build ringmaster, bring up the lab, run a playbook through the bastion, show the status; the lab is always removed.
set -euo pipefail
cd "$(dirname "$0")/.."
NAME="${RINGMASTER_DEMO_LAB:-ringmaster}"
RM=(node bin/ringmaster.js)

bash scripts/install-system-deps.sh
[ -d node_modules ] || npm ci
npm run build

# Never remove a lab this script did not make.
if [ -e "/var/lib/ringmaster/labs/$NAME" ]; then
  echo "demo: lab $NAME already exists; remove it with \`ringmaster lab down --name $NAME\` or set RINGMASTER_DEMO_LAB" >&2
  exit 1
fi
trap '"${RM[@]}" lab down --name "$NAME"' EXIT

"${RM[@]}" lab up --name "$NAME" --install
"${RM[@]}" run playbooks/lab-check.yml -i "/var/lib/ringmaster/labs/$NAME/inventory.yml"
"${RM[@]}" lab status --name "$NAME"
