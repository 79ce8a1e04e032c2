#!/usr/bin/env bash
# Builds what the lab's kubeadm flavour needs besides Debian's containerd: crictl (from the cri-tools Go module at the
# pinned version) and the pod sandbox's pause binary (scripts/pause), into $RINGMASTER_CRI_CACHE (default
# /var/cache/ringmaster/cri-tools)/bin/. A complete bin/ is left alone, so a second run does nothing.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
CRICTL_VERSION=v1.37.0
CACHE="${RINGMASTER_CRI_CACHE:-/var/cache/ringmaster/cri-tools}"
dest="$CACHE/$CRICTL_VERSION"

die() { echo "build-cri-tools: $*" >&2; exit 1; }

mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
flock 9
if [ -f "$dest/bin/.complete" ]; then echo "crictl $CRICTL_VERSION and pause: cached in $dest/bin"; exit 0; fi
command -v go >/dev/null || die "crictl $CRICTL_VERSION: step 'find Go': no go toolchain on PATH (install Go 1.22+ and retry)"
start=$(date +%s)
rm -rf "$dest/.work"; mkdir -p "$dest/.work/bin" "$dest/.work/pause"
GOBIN="$dest/.work/bin" CGO_ENABLED=0 go install -trimpath -ldflags="-s -w -X sigs.k8s.io/cri-tools/pkg/version.Version=${CRICTL_VERSION#v}" "sigs.k8s.io/cri-tools/cmd/crictl@$CRICTL_VERSION" \
  >"$dest/.work/crictl.log" 2>&1 \
  || die "crictl $CRICTL_VERSION: step 'go install sigs.k8s.io/cri-tools/cmd/crictl' failed (module not served by the Go module proxy?): see $dest/.work/crictl.log"
cp "$here/pause/main.go" "$dest/.work/pause/"
( cd "$dest/.work/pause" && printf 'module ringmaster.local/pause\n\ngo 1.22\n' > go.mod \
  && CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$dest/.work/bin/pause" . >build.log 2>&1 ) \
  || die "pause: step 'go build' failed: see $dest/.work/pause/build.log"
"$dest/.work/bin/crictl" --version | grep -q "${CRICTL_VERSION#v}" \
  || die "crictl $CRICTL_VERSION: step 'check': the built crictl does not report version ${CRICTL_VERSION#v}"
rm -rf "$dest/bin"; mv "$dest/.work/bin" "$dest/bin"; rm -rf "$dest/.work"
ln -sfn "$CRICTL_VERSION" "$CACHE/current"
echo "$(( $(date +%s) - start ))" > "$dest/bin/.build-seconds"
touch "$dest/bin/.complete"
echo "crictl $CRICTL_VERSION and pause: built in $(( $(date +%s) - start )) s into $dest/bin"
