#!/usr/bin/env bash
# One ndt7 download per server with the bill split as a NIC splits it, on a machine without one.
# Never pass/fail: it prints numbers and ratios.
#
#   sudo bench/ndt-server/veth.sh [--rounds N]     (default 3; needs root and 2+ CPUs)
#
# On loopback (run.sh) the receiver's TCP work runs in the sender's context and is billed to the
# server. Here the server and ndt7-client-go sit in two network namespaces joined by a veth pair
# (192.0.2.1 and .2), the server pinned to CPU 0 and the client to CPU 1, and RPS steers each
# side's receive processing to its own CPU: the client's receive path is no longer the server's
# CPU time, as across a NIC. Each round runs ours with send(2) (-ndt7.sendfile=never), ours with
# sendfile(2) (always; what 'auto' picks for a peer that is not on this host) and Go's server.
# Caveat: RPS hands each burst over by IPI, a VM exit on a virtual machine, which a NIC does not
# cost; sendfile pushes every 64 KiB (its internal pipe) and pays that more often than send(2).
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=3
while (($#)); do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    *) echo "usage: $0 [--rounds N]" >&2; exit 2 ;;
  esac
done
[[ $(id -u) == 0 ]] || { echo "bench: veth.sh needs root (namespaces, RPS)" >&2; exit 1; }
(($(nproc) >= 2)) || { echo "bench: veth.sh needs two CPUs" >&2; exit 1; }

source bench/ndt-server/common.sh
ensure_peers
build_cpp

work=$(mktemp -d)
ns_server=mlab-bench-s-$$
ns_client=mlab-bench-c-$$
cleanup() {
  jobs -p | xargs -r kill 2>/dev/null || true
  for ns in "$ns_server" "$ns_client"; do
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -KILL 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
make_cert "$work"

ip netns add "$ns_server"
ip netns add "$ns_client"
ip link add veth-s netns "$ns_server" type veth peer name veth-c netns "$ns_client"
ip -n "$ns_server" addr add 192.0.2.1/24 dev veth-s
ip -n "$ns_client" addr add 192.0.2.2/24 dev veth-c
for ns in "$ns_server" "$ns_client"; do ip -n "$ns" link set lo up; done
ip -n "$ns_server" link set veth-s up
ip -n "$ns_client" link set veth-c up
# ip netns exec mounts the namespace's own /sys, where its devices' RPS masks are.
ip netns exec "$ns_server" sh -c 'echo 1 >/sys/class/net/veth-s/queues/rx-0/rps_cpus'
ip netns exec "$ns_client" sh -c 'echo 2 >/sys/class/net/veth-c/queues/rx-0/rps_cpus'

SERVER_PREFIX=(ip netns exec "$ns_server" taskset -c 0)
CLIENT_PREFIX=(ip netns exec "$ns_client" taskset -c 1)
SERVER_HOST=192.0.2.1

download() {  # name kind [server flag...] -> one line: name bytes server-cpu-s client-cpu-s
  local name=$1 kind=$2
  shift 2
  local data="$work/$name-$RANDOM"
  start "$kind" "$data" "$@"
  local t0; t0=$(ticks "$PID")
  local TIMEFORMAT='%U %S'
  { time "${CLIENT_PREFIX[@]}" "$peers/bin/ndt7-client" -scheme ws -server "$SERVER_HOST:$PORT" \
      -upload=false -format json >/dev/null 2>&1; } 2>"$work/client-time" || true
  sleep 1  # let the result file land
  local t1; t1=$(ticks "$PID")
  stop
  echo "$name $(result_bytes "$data") $(python3 -c "print(($t1 - $t0) / $hz)") $(awk '{print $1 + $2}' "$work/client-time")" >>"$work/results"
}

for r in $(seq 1 "$rounds"); do
  echo "bench: round $r of $rounds" >&2
  download cpp-send cpp -ndt7.sendfile=never
  download cpp-sendfile cpp -ndt7.sendfile=always
  download go go
done

python3 - "$work/results" <<'PY'
import collections, sys
runs = collections.defaultdict(list)
for line in open(sys.argv[1]):
    name, b, cpu, client = line.split()
    runs[name].append((float(b), float(cpu), float(client)))
print()
print("one ws download per server through veth, client receive on its own CPU (bytes per server CPU-second):")
def rate(r): return r[0] / r[1] if r[1] > 0 else 0
for name in ("cpp-send", "cpp-sendfile", "go"):
    print(f"  {name:13}" + "  ".join(f"{rate(r)/1e9:5.2f} GB/CPU-s ({r[0]/1e9:5.2f} GB in {r[1]:5.2f} s)" for r in runs[name]))
for name in ("cpp-send", "cpp-sendfile"):
    ratios = [rate(c) / rate(g) for c, g in zip(runs[name], runs["go"]) if rate(g)]
    print(f"  {name}/go per round: " + ", ".join(f"{x:.2f}x" for x in ratios))
PY
