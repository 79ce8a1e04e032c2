#!/usr/bin/env bash
# Builds etcd, etcdctl and etcdutl of pinned releases from etcd's published Go modules into a cache keyed by
# version: $RINGMASTER_ETCD_CACHE (default /var/cache/ringmaster/etcd)/vX.Y.Z/bin/. A version whose bin/ is
# complete is left alone, so a second run does nothing.
# Usage: scripts/build-etcd.sh [VERSION...]   VERSION: a line (3.6) or an exact release (3.6.16 or v3.6.16);
#        or `default` (the lab's default line); no VERSION: every release pinned in scripts/etcd-versions.txt.
# Why a wrapper module per binary: `go install module@version` refuses modules whose go.mod has replace lines
# (etcd's do), so each binary is a tiny main of our own that calls the module's entry point.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
PINS="$here/etcd-versions.txt"
CACHE="${RINGMASTER_ETCD_CACHE:-/var/cache/ringmaster/etcd}"

die() { echo "build-etcd: $*" >&2; exit 1; }

pinned() { grep -Ev '^\s*(#|$|default\s)' "$PINS"; }
default_line() { awk '$1 == "default" { print $2 }' "$PINS"; }

# A line (3.6) or an exact release → vX.Y.Z; an unknown line is an error listing the pins.
resolve() {
  local want="${1#v}" line ver
  [ "$want" = default ] && want="$(default_line)"
  [[ "$want" =~ ^3\.4(\.|$) ]] && die "etcd $want: 3.4 is Debian's etcd-server/etcd-client package (3.4.23), not built here"
  if [[ "$want" =~ ^[0-9]+\.[0-9]+$ ]]; then
    ver="$(pinned | awk -v l="$want" '$1 == l { print $2 }')"
    [ -n "$ver" ] || die "no pinned release for etcd $want (pinned: $(pinned | awk '{print $1}' | paste -sd, -)); add a line to $PINS"
    echo "$ver"; return
  fi
  [[ "$want" =~ ^3\.[0-9]+\.[0-9]+$ ]] || die "'$1' is not an etcd version (use a line such as 3.6 or a release such as 3.6.16)"
  line="${want%.*}"
  [[ "$line" =~ ^3\.[5-9]$ ]] || die "etcd $want: only 3.5 and later are built here (3.4 is Debian's package)"
  echo "v$want"
}

# The main.go of one wrapper; etcdutl's own main package cannot be imported, so its root command is rebuilt
# from the etcdutl package's command constructors, as the module's ctl.go does for that line.
wrapper() {
  local bin="$1" ver="$2"
  case "$bin" in
    etcd) printf 'package main\n\nimport (\n\t"os"\n\n\t"go.etcd.io/etcd/server/v3/etcdmain"\n)\n\nfunc main() { etcdmain.Main(os.Args) }\n' ;;
    etcdctl) printf 'package main\n\nimport "go.etcd.io/etcd/etcdctl/v3/ctlv3"\n\nfunc main() { ctlv3.MustStart() }\n' ;;
    etcdutl)
      local cmds extra=''
      case "$ver" in
        v3.5.*) cmds='NewBackupCommand(), etcdutl.NewDefragCommand(), etcdutl.NewSnapshotCommand(), etcdutl.NewVersionCommand(), etcdutl.NewCheckCommand()' ;;
        *) cmds='NewDefragCommand(), etcdutl.NewSnapshotCommand(), etcdutl.NewHashKVCommand(), etcdutl.NewVersionCommand(), etcdutl.NewCompletionCommand(), etcdutl.NewMigrateCommand()' ;;
      esac
      case "$ver" in
        v3.5.*|v3.6.*) ;;
        *) extra='root.PersistentFlags().DurationVar(&etcdutl.FlockTimeout, "timeout", 10*time.Second, "time to wait to obtain a file lock on db file, 0 to block indefinitely")' ;;
      esac
      cat <<GO
package main

import (
	"os"
	"time"

	"github.com/spf13/cobra"
	"go.etcd.io/etcd/etcdutl/v3/etcdutl"
	"go.etcd.io/etcd/pkg/v3/cobrautl"
)

var _ = time.Second

func main() {
	cobra.EnablePrefixMatching = true
	root := &cobra.Command{Use: "etcdutl", Short: "An administrative command line tool for etcd3."}
	root.PersistentFlags().StringVarP(&etcdutl.OutputFormat, "write-out", "w", "simple", "set the output format (fields, json, protobuf, simple, table)")
	$extra
	root.AddCommand(etcdutl.$cmds)
	root.SetHelpTemplate(\`{{.UsageString}}\`)
	if err := root.Execute(); err != nil {
		cobrautl.ExitWithError(cobrautl.ExitError, err)
	}
	os.Exit(0)
}
GO
      ;;
  esac
}

# The packages each wrapper imports, so `go get` records exactly their dependencies (a `go mod tidy` would also pull
# the test imports of every dependency, which are ambiguous for 3.5's old cloud.google.com/go).
packages_of() {
  case "$1" in
    etcd) echo "go.etcd.io/etcd/server/v3/etcdmain@$2" ;;
    etcdctl) echo "go.etcd.io/etcd/etcdctl/v3/ctlv3@$2" ;;
    etcdutl) echo "go.etcd.io/etcd/etcdutl/v3/etcdutl@$2 go.etcd.io/etcd/pkg/v3/cobrautl@$2 github.com/spf13/cobra" ;;
  esac
}

build_one() {
  local ver="$1" dest="$CACHE/$1" start bin src pkgs
  if [ -f "$dest/bin/.complete" ]; then echo "etcd $ver: cached in $dest/bin"; return; fi
  command -v go >/dev/null || die "etcd $ver: step 'find Go': no go toolchain on PATH (install Go 1.22+ and retry)"
  start=$(date +%s)
  rm -rf "$dest/.work"; mkdir -p "$dest/.work/bin"
  for bin in etcd etcdctl etcdutl; do
    src="$dest/.work/$bin"; pkgs="$(packages_of "$bin" "$ver")"
    mkdir -p "$src"
    wrapper "$bin" "$ver" > "$src/main.go"
    ( cd "$src" && go mod init "ringmaster.local/etcd-build/$bin" >/dev/null 2>&1 ) \
      || die "etcd $ver: step 'go mod init' for $bin failed"
    # shellcheck disable=SC2086 # pkgs is a list of package@version words
    ( cd "$src" && go get $pkgs >"$src/get.log" 2>&1 ) \
      || die "etcd $ver: step 'go get ${pkgs%% *}' failed (module not served by the Go module proxy?): see $src/get.log"
    ( cd "$src" && CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$dest/.work/bin/$bin" . >"$src/build.log" 2>&1 ) \
      || die "etcd $ver: step 'go build $bin' failed: see $src/build.log"
  done
  "$dest/.work/bin/etcd" --version | grep -q "etcd Version: ${ver#v}" \
    || die "etcd $ver: step 'check': the built etcd does not report version ${ver#v}"
  rm -rf "$dest/bin"; mv "$dest/.work/bin" "$dest/bin"; rm -rf "$dest/.work"
  echo "$(( $(date +%s) - start ))" > "$dest/bin/.build-seconds"
  touch "$dest/bin/.complete"
  echo "etcd $ver: built in $(( $(date +%s) - start )) s into $dest/bin"
}

[ -f "$PINS" ] || die "no pin file at $PINS"
if [ $# -eq 0 ]; then set -- $(pinned | awk '{print $2}'); fi
versions=()
for a in "$@"; do versions+=("$(resolve "$a")"); done
mkdir -p "$CACHE"
# One builder at a time per cache: parallel test runs on this box share it.
exec 9>"$CACHE/.lock"
flock 9
for v in "${versions[@]}"; do build_one "$v"; done
