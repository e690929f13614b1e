#!/usr/bin/env bash
# The ndt-server binary as an operator runs it: flags from the command line and from the
# environment (upstream's flagx rule), /health on its own address, lame duck on the first SIGTERM
# (health 500, lame_duck_experiment 1, tests still served), a clean exit 0 after the grace
# period, and a refusal to start with -ndt7.token.required but no usable key.
set -euo pipefail

fail() { echo "FAIL: $*" >&2; [[ -f "$log" ]] && tail -n 30 "$log" >&2; exit 1; }
binary=""
for c in "${RUNFILES_DIR:-/nonexistent}/mlab_node/services/ndt-server/ndt-server" \
    "$(dirname "$0")/ndt-server" "$PWD/services/ndt-server/ndt-server"; do
  [[ -x "$c" ]] && { binary=$c; break; }
done
[[ -n "$binary" ]] || { echo "FAIL: no ndt-server binary" >&2; exit 1; }
work=${TEST_TMPDIR:-$(mktemp -d)}
log="$work/server.log"
for lib in "${RUNFILES_DIR:-/nonexistent}/mlab_node/lib/testing/bound_port.sh" \
    "$(dirname "$0")/../../lib/testing/bound_port.sh"; do
  [[ -f "$lib" ]] && { source "$lib"; break; }
done
declare -F bound_port >/dev/null || { echo "FAIL: no lib/testing/bound_port.sh" >&2; exit 1; }

"$binary" --help >"$work/help" 2>&1 || true
for flag in ndt7_addr ndt7_addr_cleartext health_addr cert key tls.version datadir htmldir \
    compress-results label token.verify-key ndt7.token.required token.machine \
    txcontroller.device txcontroller.max-rate uuid-prefix-file prometheusx.listen-address \
    ndt5_addr autocert.enabled; do
  grep -q -- "-$flag" "$work/help" || fail "--help does not list -$flag"
done

# The cleartext address comes from the environment, the rest from flags; every port is 0 and
# read back from the log. /health listens last, once the ndt7 port accepts.
NDT7_ADDR_CLEARTEXT="127.0.0.1:0" "$binary" -ndt7_addr= -health_addr 127.0.0.1:0 \
  -prometheusx.listen-address 127.0.0.1:0 -datadir "$work/data" \
  -lameduck.grace-period 2s >"$log" 2>&1 &
pid=$!
health=$(bound_port "$log" '\] health on' $pid) || fail "server did not start"
ws=$(bound_port "$log" '\] ndt7 ws on' $pid) || fail "no ws port logged"
metrics=$(bound_port "$log" '\] metrics on' $pid) || fail "no metrics port logged"
[[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$health/health") == 200 ]] || fail "health not 200"
[[ $(curl -s -o /dev/null -w '%{http_code}' -H 'Connection: Upgrade' -H 'Upgrade: websocket' \
  "http://127.0.0.1:$ws/ndt/v7/download") == 400 ]] || fail "ws port from NDT7_ADDR_CLEARTEXT not serving"
curl -fsS "http://127.0.0.1:$metrics/metrics" | grep -q '^lame_duck_experiment 0' || fail "lame_duck_experiment not 0"

kill -TERM $pid
for _ in $(seq 1 50); do
  [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$health/health") == 500 ]] && break
  sleep 0.05
done
[[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$health/health") == 500 ]] || fail "health not 500 in lame duck"
curl -fsS "http://127.0.0.1:$metrics/metrics" | grep -q '^lame_duck_experiment 1' || fail "lame_duck_experiment not 1"
# Still serving during lame duck (upstream keeps its listeners open).
[[ $(curl -s -o /dev/null -w '%{http_code}' -H 'Connection: Upgrade' -H 'Upgrade: websocket' \
  "http://127.0.0.1:$ws/ndt/v7/download") == 400 ]] || fail "not serving in lame duck"
start=$(date +%s)
rc=0
timeout 30 tail --pid=$pid -f /dev/null || fail "no exit within 30 s of SIGTERM"
wait $pid || rc=$?
[[ $rc == 0 ]] || fail "exit status $rc after the grace period"
(( $(date +%s) - start >= 1 )) || fail "exited before the grace period"
grep -q "ndt-server stopped" "$log" || fail "no clean-stop log line"

# Required tokens without keys: refuse to start (upstream's rule).
if "$binary" -ndt7_addr= -ndt7_addr_cleartext 127.0.0.1:0 -health_addr 127.0.0.1:0 \
    -prometheusx.listen-address 127.0.0.1:0 -datadir "$work/data" \
    -ndt7.token.required >"$work/refuse.log" 2>&1; then
  fail "started with -ndt7.token.required and no -token.verify-key"
fi
grep -q "token.verify-key" "$work/refuse.log" || fail "no reason given: $(cat "$work/refuse.log")"
echo "PASS: flags, health, lame duck and clean exit"
