#!/usr/bin/env bash
# Builds cfssl and cfssljson (github.com/cloudflare/cfssl, the version in versions.json) from the Go
# module proxy into a cache outside the repo, keyed by that version, this script and the Go version.
# The binary-install test clusters make their PKI with them, as the operators' guides do. Prints the
# cache's bin directory on stdout; progress goes to stderr.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
command -v go >/dev/null || { echo "build-cfssl: Go is required (https://go.dev/dl); none on PATH" >&2; exit 3; }
version=$(sed -n 's/.*"cfssl": *"\([^"]*\)".*/\1/p' "$here/versions.json")
[ -n "$version" ] || { echo "build-cfssl: no \"cfssl\" version in $here/versions.json" >&2; exit 3; }

export GOTOOLCHAIN=local GOFLAGS=-mod=mod
key=$( { echo "$version"; cat "$0"; go version; } | sha256sum | cut -c1-16)
cache=${KUBEMEND_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kubemend}
out="$cache/cfssl/$key"
if [ -f "$out/bin/.complete" ]; then
  echo "$out/bin"
  exit 0
fi
mkdir -p "$cache/cfssl"
work=$(mktemp -d "$cache/cfssl/build.XXXXXX")
trap 'rm -rf "$work"' EXIT
echo "build-cfssl: building cfssl and cfssljson $version" >&2
if ! GOBIN="$work/bin" go install \
  "github.com/cloudflare/cfssl/cmd/cfssl@$version" \
  "github.com/cloudflare/cfssl/cmd/cfssljson@$version" 2>"$work/build.log"; then
  grep -v '^go: downloading' "$work/build.log" >&2
  echo "build-cfssl: go install of cfssl $version failed (see above)" >&2
  exit 3
fi
touch "$work/bin/.complete"
rm -rf "$out"
mkdir -p "$out"
mv "$work/bin" "$out/bin"
echo "$out/bin"
