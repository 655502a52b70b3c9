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

# Test-only system packages: etcd 3.4 (Debian's etcd-server) for snapshot-format tests.
test_packages() {
  command -v /usr/bin/etcd >/dev/null && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "dev: installing etcd-server and etcd-client (etcd 3.4) for the snapshot tests" >&2
    (export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && apt-get install -y -qq --no-install-recommends etcd-server etcd-client) >&2 ||
      echo "dev: could not install etcd 3.4; its snapshot tests will be skipped with that reason" >&2
  fi
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
