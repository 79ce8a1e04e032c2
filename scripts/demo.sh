#!/usr/bin/env bash
# `npm run demo`: a live member replacement on a disposable lab (keys written, node3 wiped, replaced, keys verified); the lab is always removed.
set -euo pipefail
cd "$(dirname "$0")/.."
NAME="${RINGMASTER_DEMO_LAB:-ringmaster}"
RM=(node bin/ringmaster.js)
INV="/var/lib/ringmaster/labs/$NAME/inventory.yml"
KEYS=100  # one txn: etcd allows 128 operations per txn
# The lab's admin back door into node1, with the lab's client certificate (etcd is TLS-only).
PKI=/etc/kubernetes/pki/etcd
ETCDCTL="etcdctl --endpoints=https://127.0.0.1:2379 --cacert=$PKI/ca.crt --cert=$PKI/healthcheck-client.crt --key=$PKI/healthcheck-client.key"
node1() { "${RM[@]}" lab exec --name "$NAME" node1 -- sh -c "$1"; }
step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "build (system packages, node modules, TypeScript)"
bash scripts/install-system-deps.sh
bash scripts/build-etcd.sh default  # the lab's default etcd line (cached after the first build)
bash scripts/build-cri-tools.sh     # crictl and pause for the nodes' containerd (cached after the first build)
[ -d node_modules ] || npm ci
npm run build >/dev/null

# Never remove a lab this script did not make.
if [ -e "/var/lib/ringmaster/labs/$NAME" ]; then
  echo "demo: lab $NAME already exists; remove it with \`ringmaster lab down --name $NAME\` or set RINGMASTER_DEMO_LAB" >&2
  exit 1
fi
trap 'step "lab down"; "${RM[@]}" lab down --name "$NAME"' EXIT
START=$(date +%s)

step "lab up: a bastion and 3 etcd nodes (static pods under containerd, TLS), reachable only through the bastion"
"${RM[@]}" lab up --name "$NAME" --install

step "write $KEYS keys /demo/key-N (one etcdctl txn, through the lab's back door)"
node1 "seq 1 $KEYS | sed 's|.*|put /demo/key-& value-&|' | { echo; cat; echo; echo; } | $ETCDCTL txn >/dev/null && echo 'wrote $KEYS keys'"

step "health.yml: members, leader, cluster ID, drift, manifest audit (the lab's bootstrap manifests still say state=new: reported, not failed)"
"${RM[@]}" run playbooks/health.yml -i "$INV" -e fail_on_findings=false

step "lab fail node3 --mode wipe: node3 loses its data directory (a reinstalled node)"
"${RM[@]}" lab fail --name "$NAME" node3 --mode wipe

step "replace-member.yml -e target=node3: guard, snapshot, remove, re-add as learner, existing manifest, promote"
"${RM[@]}" run playbooks/replace-member.yml -i "$INV" -e target=node3 -e snapshot_dir="/tmp/ringmaster-demo-$NAME"

step "health.yml again: three healthy voters, one leader, one cluster ID"
"${RM[@]}" run playbooks/health.yml -i "$INV" -e fail_on_findings=false

step "verify the $KEYS keys (read from node3's freshly replaced member)"
"${RM[@]}" lab exec --name "$NAME" node3 -- sh -c "$ETCDCTL get --prefix /demo/ --print-value-only | grep -c '^value-'" | {
  read -r n; [ "$n" = "$KEYS" ] && echo "all $KEYS keys present on node3" || { echo "demo: expected $KEYS keys, found $n" >&2; exit 1; }
}

step "lab status"
"${RM[@]}" lab status --name "$NAME"
rm -rf "/tmp/ringmaster-demo-$NAME"
echo "demo: done in $(( $(date +%s) - START )) s (build not counted)"
