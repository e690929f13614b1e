#!/usr/bin/env bash
# The speed-test page that ndt-server serves from -htmldir (our index.html with ndt7-js from npm
# @m-lab/ndt7) completes a test in headless Debian Chromium, driven by npm playwright-core, over
# http+ws and https+wss (self-signed); a screenshot of each result is saved as a test output.
source "$(dirname "$0")/lib.sh"

NODE_MODULES="$PEERS/node/node_modules"
require_peer "$NODE_MODULES/playwright-core/package.json"
require_peer /usr/bin/chromium
command -v node >/dev/null || fail "node is not installed"

html=""
for candidate in "${RUNFILES_DIR:-/nonexistent}/mlab_node/services/ndt-server/html" \
    "$(dirname "$0")/../../../services/ndt-server/html" "$PWD/services/ndt-server/html"; do
  if [[ -f "$candidate/index.html" ]]; then html=$candidate; break; fi
done
[[ -n "$html" ]] || fail "cannot find services/ndt-server/html"
make_cert "$WORK"
start_server -cert "$WORK/cert.pem" -key "$WORK/key.pem" -htmldir "$html"

script="$(dirname "$0")/speedtest_page.js"
for run in "http $WS_PORT" "https $WSS_PORT"; do
  set -- $run
  shot="$OUT/speedtest-$1.png"
  out=$(NODE_PATH="$NODE_MODULES" timeout 120 node "$script" "$1://127.0.0.1:$2/" "$shot") ||
    fail "speed-test page over $1: $out"
  echo "$1: $out"
  [[ -s "$shot" ]] || fail "no screenshot $shot"
  echo "screenshot: $shot"
done
check_results 4 >/dev/null || fail "result files"
grep -q 'ndt-server-cpp-page' <(for f in $(find "$DATADIR/ndt7" -name '*.gz'); do zcat "$f"; done) ||
  fail "the page's client_name is not in the archived metadata"
echo "PASS: the speed-test page completes in headless Chromium over http and https"
