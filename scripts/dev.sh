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

task=${1:-}
[ $# -gt 0 ] && shift
case "$task" in
  setup) setup ;;
  test) setup && node scripts/test.mjs "$@" ;;
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
