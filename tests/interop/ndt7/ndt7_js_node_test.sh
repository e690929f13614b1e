#!/usr/bin/env bash
# M-Lab's ndt7-js (npm @m-lab/ndt7) completes a full test (download and upload) from Node over
# ws and over wss with a self-signed certificate, and the server archives each subtest under the
# UUID the client saw.
source "$(dirname "$0")/lib.sh"

NODE_MODULES="$PEERS/node/node_modules"
require_peer "$NODE_MODULES/@m-lab/ndt7/package.json"
require_peer "$NODE_MODULES/ws/package.json"
command -v node >/dev/null || fail "node is not installed"
make_cert "$WORK"
start_server -cert "$WORK/cert.pem" -key "$WORK/key.pem"

script="$(dirname "$0")/run_ndt7_js.js"
uuids=()
for run in "ws $WS_PORT" "wss $WSS_PORT"; do
  set -- $run
  out=$(NODE_PATH="$NODE_MODULES" timeout 90 node "$script" "127.0.0.1:$2" "$1") ||
    fail "ndt7-js over $1: $out"
  echo "$1: $out"
  uuids+=($(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(d["download"]["uuid"], d["upload"]["uuid"])' "$out"))
done
results=$(check_results 4) || fail "result files: $results"
for uuid in "${uuids[@]}"; do
  grep -q " $uuid\$" <<<"$results" || fail "no result file for client UUID $uuid"
done
echo "PASS: @m-lab/ndt7 from Node over ws and wss"
