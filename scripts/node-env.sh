# Sourced by scripts/dev.sh: puts a Node >= 22.19 first on PATH. Where the system Node is older
# (the machines ship Node 20), fetch the pinned Node 24 LTS from the npm registry's
# node-<os>-<arch> package into .tools/ (the registry is the only place we may download from).
# @kubernetes/client-node 2.x needs Node >= 22.19 (its undici needs it at import time).

kubemend_node_ok() { # node-binary
  "$1" -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=19)?0:1)' 2>/dev/null
}

kubemend_node_env() {
  local root want os arch dir tmp
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  want=$(cat "$root/.node-version")
  if [ -z "${KUBEMEND_FORCE_PINNED_NODE:-}" ] && command -v node >/dev/null && kubemend_node_ok node; then
    return 0
  fi
  case "$(uname -s)" in Linux) os=linux ;; Darwin) os=darwin ;; *) echo "node-env: unsupported OS $(uname -s); install Node >= 22.19" >&2; return 3 ;; esac
  case "$(uname -m)" in x86_64 | amd64) arch=x64 ;; aarch64 | arm64) arch=arm64 ;; *) echo "node-env: unsupported CPU $(uname -m); install Node >= 22.19" >&2; return 3 ;; esac
  dir="$root/.tools/node-v$want-$os-$arch"
  if [ ! -x "$dir/bin/node" ]; then
    command -v npm >/dev/null || { echo "node-env: need npm (any version) to fetch Node $want, or Node >= 22.19 on PATH" >&2; return 3; }
    echo "node-env: system Node is older than 22.19; fetching Node $want (node-$os-$arch) from the npm registry" >&2
    tmp=$(mktemp -d)
    if ! (cd "$tmp" && npm pack --silent "node-$os-$arch@$want" >/dev/null && tar xzf ./*.tgz); then
      rm -rf "$tmp"
      echo "node-env: could not fetch node-$os-$arch@$want from the npm registry; install Node >= 22.19 yourself" >&2
      return 3
    fi
    mkdir -p "$root/.tools"
    rm -rf "$dir"
    mv "$tmp/package" "$dir"
    rm -rf "$tmp"
  fi
  kubemend_node_ok "$dir/bin/node" || { echo "node-env: $dir/bin/node does not run here" >&2; return 3; }
  export PATH="$dir/bin:$PATH"
}
