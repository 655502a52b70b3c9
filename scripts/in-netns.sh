#!/usr/bin/env bash
# Runs a command inside a fresh network namespace made for it, and removes the namespace (and
# every process left in it) afterwards. The test control plane lives there: its nodes, pods and
# load balancer get realistic addresses (10.2.K.x nodes, 10.244.K.x pods) that exist only inside
# the namespace, so nothing a test does can reach another host. Needs root and iproute2 (Linux).
set -euo pipefail
[ "$(uname -s)" = Linux ] || { echo "in-netns: the test control plane needs Linux network namespaces" >&2; exit 3; }
[ "$(id -u)" = 0 ] || { echo "in-netns: creating a network namespace needs root (run as root or with sudo)" >&2; exit 3; }
# iproute2 makes the namespaces; nftables is what the binary install's kube-proxy programs.
missing=()
command -v ip >/dev/null || missing+=(iproute2)
command -v nft >/dev/null || missing+=(nftables)
if [ ${#missing[@]} -gt 0 ] && command -v apt-get >/dev/null; then
  echo "in-netns: installing ${missing[*]}" >&2
  (export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}") >&2
fi
command -v ip >/dev/null || { echo "in-netns: 'ip' (iproute2) is required" >&2; exit 3; }
command -v nft >/dev/null || { echo "in-netns: 'nft' (nftables) is required by the binary-install cluster's kube-proxy" >&2; exit 3; }

ns="kubemend-$$"
cleanup() {
  local pids
  pids=$(ip netns pids "$ns" 2>/dev/null || true)
  [ -z "$pids" ] || kill $pids 2>/dev/null || true
  sleep 0.5
  pids=$(ip netns pids "$ns" 2>/dev/null || true)
  [ -z "$pids" ] || kill -9 $pids 2>/dev/null || true
  ip netns del "$ns" 2>/dev/null || true
}
trap cleanup EXIT
ip netns add "$ns"
ip -n "$ns" link set lo up
# Every address in these ranges is local inside the namespace (Linux "AnyIP" local routes).
ip -n "$ns" route add local 10.2.0.0/16 dev lo
ip -n "$ns" route add local 10.244.0.0/16 dev lo
export KUBEMEND_NETNS="$ns"
# The command gets INT/TERM first so it can stop its clusters itself; cleanup sweeps what is left.
ip netns exec "$ns" "$@" &
child=$!
trap 'kill -TERM "$child" 2>/dev/null' INT TERM
set +e
wait "$child"
code=$?
while kill -0 "$child" 2>/dev/null; do
  wait "$child"
  code=$?
done
set -e
exit $code
