#!/usr/bin/env bash
# The one entry point behind `make demo`, `make test` and `make bench`: provisions Node 24 when the
# system Node is older, installs the locked dependencies, builds, then runs the task.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
# shellcheck source=scripts/node-env.sh
source scripts/node-env.sh
kubemend_node_env
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false

setup() {
  local stamp=node_modules/.kubemend-package-lock.json
  if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
    npm ci --loglevel=error
    cp package-lock.json "$stamp"
  fi
  npm run --silent build
}

# Test-only system packages: etcd 3.4 (Debian's etcd-server; the Go module proxy does not serve
# go.etcd.io/etcd v3.4) for the snapshot-format tests, unshare (util-linux) for test/env's mount
# namespaces, and faketime for the release binary's clock. A test that needs them never skips: without them the run stops here, in one line.
test_packages() {
  local missing=()
  /usr/bin/etcd --version 2>/dev/null | grep -q '^etcd Version: 3\.4\.' || missing+=(etcd-server etcd-client)
  command -v unshare >/dev/null || missing+=(util-linux)
  command -v faketime >/dev/null || missing+=(faketime)
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "dev: installing ${missing[*]} for the tests" >&2
    (export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}") >&2 || true
  fi
  if ! /usr/bin/etcd --version 2>/dev/null | grep -q '^etcd Version: 3\.4\.'; then
    echo "dev: etcd 3.4 at /usr/bin/etcd is required by the snapshot-format tests and could not be installed (apt-get install etcd-server etcd-client, as root)" >&2
    return 3
  fi
  command -v unshare >/dev/null || { echo "dev: unshare (util-linux) is required by test/env and could not be installed" >&2; return 3; }
  command -v faketime >/dev/null || { echo "dev: faketime is required by the release binary's test (the clock it reads) and could not be installed" >&2; return 3; }
}

task=${1:-}
[ $# -gt 0 ] && shift
case "$task" in
  setup) setup ;;
  test) setup && test_packages && node scripts/test.mjs "$@" ;;
  demo)
    setup
    bash test/env/build-controlplane.sh >/dev/null
    exec scripts/in-netns.sh node .tsbuild/bundles/demo.mjs "$@"
    ;;
  bench)
    setup
    bash test/env/build-controlplane.sh >/dev/null
    exec scripts/in-netns.sh node .tsbuild/bundles/bench.mjs "$@"
    ;;
  *)
    echo "usage: scripts/dev.sh setup|test|demo|bench [args]" >&2
    exit 2
    ;;
esac
