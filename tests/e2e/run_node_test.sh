#!/usr/bin/env bash
# README's run command, tools/run-node, really runs a measurement node: started (with this
# build's binaries) inside a namespace with a documentation address, it serves the speed-test page
# and an ndt7-client-go test from a client namespace; every datatype of that test reaches the
# local upload directory; Ctrl-C (SIGINT) stops all six services cleanly.
set -uo pipefail
PEERS=${MLAB_PEERS:-/usr/local/lib/mlab-peers}
runfiles=$PWD
id=$$
node_ns="rn-node-$id" client_ns="rn-cli-$id"
work=$(mktemp -d /var/tmp/mlab-run-node.XXXXXX)
node_pid=""
cleanup() {
  [[ -n $node_pid ]] && kill -KILL -- "-$node_pid" 2>/dev/null
  ip netns del "$node_ns" 2>/dev/null
  ip netns del "$client_ns" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; echo "--- run-node output"; cat "$work/run-node.out"; tail -n 20 "$work"/node/logs/*.log; exit 1; }
wait_for() {  # SECONDS DESCRIPTION COMMAND...: a bounded poll where no event can be awaited
  local deadline=$((SECONDS + $1))
  until "${@:3}"; do ((SECONDS < deadline)) || fail "timed out waiting for $2"; sleep 0.5; done
}
[[ -x $PEERS/bin/ndt7-client ]] || { echo "FAIL: $PEERS/bin/ndt7-client missing: run tools/setup"; exit 1; }

ip netns add "$node_ns" && ip netns add "$client_ns" || exit 1
ip link add "rn${id}a" type veth peer name "rn${id}b"
ip link set "rn${id}a" netns "$node_ns"
ip link set "rn${id}b" netns "$client_ns"
ip -n "$node_ns" addr add 192.0.2.1/24 dev "rn${id}a"
ip -n "$client_ns" addr add 192.0.2.2/24 dev "rn${id}b"
for ns in "$node_ns" "$client_ns"; do ip -n "$ns" link set lo up; done
ip -n "$node_ns" link set "rn${id}a" up
ip -n "$client_ns" link set "rn${id}b" up

# run-node finds ../shared beside the repository; the runfiles tree has none, which run-node
# tolerates (annotations then say Missing). Job control: run-node gets its own process group
# (cleanup reaches every child) and SIGINT is not ignored, as for a command run in a terminal.
set -m
ip netns exec "$node_ns" env SCAMPER_PTR=false bash tools/run-node \
  --prebuilt "$runfiles" --address 192.0.2.1 --port 8080 --archive-wait 5s --dir "$work/node" \
  >"$work/run-node.out" 2>&1 &
node_pid=$!
wait_for 60 "run-node to report it is running" grep -q "Press Ctrl-C" "$work/run-node.out"
wait_for 30 "the speed-test page" ip netns exec "$client_ns" curl -sf -o "$work/page.html" http://192.0.2.1:8080/
grep -qi "ndt7" "$work/page.html" || fail "the page at / is not the speed test"
echo "PASS: run-node serves the speed-test page on http://192.0.2.1:8080/"

ip netns exec "$client_ns" timeout 60 "$PEERS/bin/ndt7-client" -format json -scheme ws \
  -server 192.0.2.1:8080 -upload=false >"$work/client.json" 2>&1 || fail "ndt7-client: $(tail -3 "$work/client.json")"
uuid=$(grep -o '"UUID":"[^"]*"' "$work/client.json" | head -1 | cut -d'"' -f4)
[[ -n $uuid ]] || fail "no UUID in the client's output"
echo "PASS: ndt7 download through run-node's server (UUID $uuid)"

archived() {  # every datatype's file for the UUID is inside an uploaded archive
  local d listing
  listing=$(find "$work/node/uploads" -name '*.tgz' -exec tar -tzf {} \; 2>/dev/null)
  for d in ndt7 tcpinfo pcap annotation2 scamper1; do
    grep -q "$uuid" <<<"$(find "$work/node/uploads" -path "*/$d/*" -name '*.tgz' -exec tar -tzf {} \; 2>/dev/null)" || return 1
  done
  [[ -n $listing ]]
}
wait_for 120 "the test's ndt7, tcpinfo, pcap, annotation2 and scamper1 files in uploads" archived
echo "PASS: every datatype of $uuid uploaded to $work/node/uploads"

kill -INT "$node_pid"
wait_for 90 "run-node to stop after Ctrl-C" bash -c "! kill -0 $node_pid 2>/dev/null"
wait "$node_pid"
status=$?
node_pid=""
((status == 0)) || fail "run-node exited $status after Ctrl-C"
grep -q "run-node: stopped" "$work/run-node.out" || fail "no stop message"
echo "PASS: Ctrl-C stops every service cleanly"
