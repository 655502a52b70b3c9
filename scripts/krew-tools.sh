#!/usr/bin/env bash
# Builds krew (as the kubectl plugin kubectl-krew) and krew's validate-krew-manifest from the Go
# module sigs.k8s.io/krew into a cache outside the repo, and prints that bin directory. Used by
# scripts/krew-check.mjs, which CI runs as part of `make test`.
set -euo pipefail
KREW_VERSION=v0.4.3
command -v go >/dev/null || { echo "krew-tools: Go is required to build krew; none on PATH" >&2; exit 3; }
cache=${KUBEMEND_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kubemend}
out="$cache/krew/$KREW_VERSION/bin"
if [ ! -x "$out/kubectl-krew" ] || [ ! -x "$out/validate-krew-manifest" ]; then
  echo "krew-tools: building krew $KREW_VERSION and validate-krew-manifest from sigs.k8s.io/krew" >&2
  mkdir -p "$out"
  GOTOOLCHAIN=local GOBIN="$out" go install \
    "sigs.k8s.io/krew/cmd/krew@$KREW_VERSION" "sigs.k8s.io/krew/cmd/validate-krew-manifest@$KREW_VERSION"
  mv "$out/krew" "$out/kubectl-krew"
fi
echo "$out"
