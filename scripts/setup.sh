#!/usr/bin/env bash
# One-stop set-up for a fresh Debian machine (as root): system packages, the pinned etcd builds and npm dependencies.
# Run by `npm test` (pretest) and `npm run demo`, so the README's two commands need nothing else.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system-deps.sh
# etcd 3.5/3.6/3.7 for the lab and the version e2e (test/e2e/versions.test.ts): built once per machine from etcd's
# Go modules into /var/cache/ringmaster/etcd (minutes when cold; a no-op when cached).
bash scripts/build-etcd.sh
# crictl (sigs.k8s.io/cri-tools) and the pod sandbox's pause binary for the kubeadm flavour's containerd nodes.
bash scripts/build-cri-tools.sh
# A symlinked node_modules is a shared install (another checkout's): npm ci would empty it through the link.
if [ -L node_modules ]; then
  echo "npm dependencies: node_modules is a link to $(readlink node_modules); left alone"
elif [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "npm dependencies: installing (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi
