#!/usr/bin/env bash
# Builds the test control plane (etcd, etcdctl, etcdutl, kube-apiserver, kube-controller-manager, kube-proxy,
# kube-scheduler, kubeadm, kubectl and hollow-kubelet, the real kubelet over kubemark's fake
# runtime) from Go modules into a cache outside the repo, keyed by their versions in versions.json, these
# sources and the Go version. Prints the cache's bin directory on stdout; progress goes to stderr.
#
# k8s.io/kubernetes points its k8s.io/* staging modules at local folders, so the wrapper module
# generated here requires it and replaces every staging module with its published v0.X.Y twin.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
command -v go >/dev/null || { echo "build-controlplane: Go is required (https://go.dev/dl); none on PATH" >&2; exit 3; }

version_of() { sed -n "s/.*\"$1\": *\"\([^\"]*\)\".*/\1/p" "$here/versions.json"; }
k8s=$(version_of kubernetes)
etcd=$(version_of etcd)
etcd_legacy=$(version_of etcdLegacy)

export GOTOOLCHAIN=local GOFLAGS=-mod=mod
# Keyed by the three versions it builds, not the whole versions.json (cfssl has its own cache).
key=$( { echo "$k8s $etcd $etcd_legacy"; cat "$0"; find "$here/gobuild" -type f -name '*.go' | sort | xargs cat; go version; } | sha256sum | cut -c1-16)
cache=${KUBEMEND_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kubemend}
out="$cache/controlplane/$key"
if [ -f "$out/bin/.complete" ]; then
  echo "$out/bin"
  exit 0
fi

log() { printf 'build-controlplane: %s\n' "$*" >&2; }
work=$(mktemp -d "$cache/controlplane-build.XXXXXX" 2>/dev/null || { mkdir -p "$cache"; mktemp -d "$cache/controlplane-build.XXXXXX"; })
trap 'rm -rf "$work"' EXIT

# go build -v names each package as it compiles it: count them against the package graph.
build_with_progress() { # name dir output-dir ldflags
  local name=$1 dir=$2 dest=$3 ldflags=$4 total
  total=$(cd "$dir" && go list -deps ./cmd/... | wc -l)
  (cd "$dir" && go build -v -trimpath -ldflags "$ldflags" -o "$dest/" ./cmd/... 2>&1) |
    awk -v name="$name" -v total="$total" '
      /^#|\.go:[0-9]+|^go: / { print > "/dev/stderr"; next }
      { n++; if (n % 50 == 0) printf("build-controlplane: %s: %d/%d packages compiled\n", name, n, total) > "/dev/stderr" }'
  [ "${PIPESTATUS[0]}" -eq 0 ] || { log "$name: go build failed (see above)"; exit 3; }
}

tidy() { # dir: resolve the wrapper module's requirements, quietly unless it fails
  if ! (cd "$1" && go mod tidy 2>"$work/tidy.log"); then
    grep -v '^go: downloading' "$work/tidy.log" >&2
    log "go mod tidy failed in $1"
    exit 3
  fi
}

module_dir() { # module-path version
  go mod download -json "$1@$2" | sed -n 's/.*"Dir": *"\([^"]*\)".*/\1/p'
}

wrap_etcd() { # version dest
  local v=$1 dest=$2 dir="$work/etcd-$1"
  mkdir -p "$dir"
  cp -r "$here/gobuild/etcd/cmd" "$dir/"
  cat >"$dir/go.mod" <<EOF
module kubemend.test/controlplane/etcd

go 1.24

require (
	go.etcd.io/etcd/server/v3 $v
	go.etcd.io/etcd/etcdctl/v3 $v
	go.etcd.io/etcd/etcdutl/v3 $v
)
EOF
  log "etcd $v: resolving modules"
  tidy "$dir"
  build_with_progress "etcd $v" "$dir" "$dest" "-s -w"
}

wrap_kube() { # dest
  local dest=$1 dir="$work/kube" gomod staging minor
  mkdir -p "$dir"
  cp -r "$here/gobuild/kube/cmd" "$dir/"
  log "kubernetes $k8s: reading its go.mod"
  gomod="$(module_dir k8s.io/kubernetes "$k8s")/go.mod"
  staging=$(sed -n 's#^\s*\(k8s\.io/[A-Za-z0-9_.-]*\) => \./staging/.*#\1#p' "$gomod")
  [ -n "$staging" ] || { log "no staging replacements found in $gomod"; exit 3; }
  minor=$(echo "$k8s" | cut -d. -f2)
  {
    echo "module kubemend.test/controlplane/kube"
    echo
    sed -n 's/^go .*/&/p; s/^godebug .*/&/p' "$gomod"
    echo
    echo "require k8s.io/kubernetes $k8s"
    echo
    echo "replace ("
    for m in $staging; do printf '\t%s => %s v0.%s\n' "$m" "$m" "${k8s#v1.}"; done
    echo ")"
  } >"$dir/go.mod"
  log "kubernetes $k8s: resolving modules (${minor} staging twins at v0.${k8s#v1.})"
  tidy "$dir"
  local flags="-s -w" var
  for var in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
    flags+=" -X $var.gitVersion=$k8s -X $var.gitMajor=1 -X $var.gitMinor=$minor -X $var.gitTreeState=clean"
    flags+=" -X $var.buildDate=1970-01-01T00:00:00Z"
  done
  build_with_progress "kubernetes $k8s" "$dir" "$dest" "$flags"
}

started=$(date +%s)
log "cold build into $out (kubernetes $k8s, etcd $etcd and $etcd_legacy); this takes several minutes"
mkdir -p "$work/bin/etcd-legacy"
wrap_etcd "$etcd" "$work/bin"
wrap_etcd "$etcd_legacy" "$work/bin/etcd-legacy"
wrap_kube "$work/bin"
cp "$here/versions.json" "$work/bin/versions.json"
touch "$work/bin/.complete"
mkdir -p "$(dirname "$out")"
rm -rf "$out"
mkdir -p "$out"
mv "$work/bin" "$out/bin"
log "built in $(( $(date +%s) - started ))s: $(ls "$out/bin" | grep -v versions.json | tr '\n' ' ')"
echo "$out/bin"
