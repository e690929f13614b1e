# Shared by the ndt7 interop tests: finds the peers, starts our ndt-server on free loopback
# ports, and checks result files. Source it; every failure exits non-zero with a reason.

set -euo pipefail

PEERS=${MLAB_PEERS:-/usr/local/lib/mlab-peers}
WORK=${TEST_TMPDIR:-$(mktemp -d)}
OUT=${TEST_UNDECLARED_OUTPUTS_DIR:-$WORK}
SERVER_PID=""

fail() {
  echo "FAIL: $*" >&2
  if [[ -f "$WORK/server.log" ]]; then
    echo "--- server log (last 40 lines) ---" >&2
    tail -n 40 "$WORK/server.log" >&2
  fi
  exit 1
}

require_peer() {
  [[ -e "$1" ]] || fail "missing test peer $1: run tools/setup (tools/setup.d/40-ndt-server.sh)"
}

# bound_port, from lib/testing (runfiles under Bazel, the source tree otherwise).
for _lib in "${RUNFILES_DIR:-/nonexistent}/mlab_node/lib/testing/bound_port.sh" \
    "$(dirname "${BASH_SOURCE[0]}")/../../../lib/testing/bound_port.sh"; do
  if [[ -f "$_lib" ]]; then source "$_lib"; break; fi
done
declare -F bound_port >/dev/null || fail "cannot find lib/testing/bound_port.sh"

# The ndt-server binary from the Bazel runfiles (or $NDT_SERVER).
find_server() {
  local candidate
  for candidate in "${NDT_SERVER:-}" \
      "${RUNFILES_DIR:-/nonexistent}/mlab_node/services/ndt-server/ndt-server" \
      "$(dirname "$0")/../../../services/ndt-server/ndt-server" \
      "$PWD/services/ndt-server/ndt-server"; do
    if [[ -n "$candidate" && -x "$candidate" ]]; then
      echo "$candidate"
      return
    fi
  done
  fail "cannot find the ndt-server binary"
}

# start_server [extra flags...]: every listener on port 0; sets WS_PORT, WSS_PORT (if -cert is
# given), HEALTH_PORT and METRICS_PORT from the server's log, then DATADIR and PREFIX.
start_server() {
  local binary
  binary=$(find_server)
  DATADIR="$WORK/data"
  PREFIX="interop-$$_1700000000"
  mkdir -p "$DATADIR"
  printf '%s' "$PREFIX" >"$WORK/prefix"
  "$binary" \
    -ndt7_addr_cleartext 127.0.0.1:0 -ndt7_addr 127.0.0.1:0 \
    -health_addr 127.0.0.1:0 -prometheusx.listen-address 127.0.0.1:0 \
    -datadir "$DATADIR" -uuid-prefix-file "$WORK/prefix" -label type=interop "$@" \
    >"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  trap stop_server EXIT
  # /health listens last, after every ndt7 port, so its line means all of them are logged.
  HEALTH_PORT=$(bound_port "$WORK/server.log" '\] health on' "$SERVER_PID") ||
    fail "ndt-server did not start"
  WS_PORT=$(bound_port "$WORK/server.log" '\] ndt7 ws on' "$SERVER_PID") || fail "no ws port logged"
  METRICS_PORT=$(bound_port "$WORK/server.log" '\] metrics on' "$SERVER_PID") ||
    fail "no metrics port logged"
  WSS_PORT=""
  if grep -q -- '\] ndt7 wss on' "$WORK/server.log"; then
    WSS_PORT=$(bound_port "$WORK/server.log" '\] ndt7 wss on' "$SERVER_PID")
  fi
  curl -fsS "http://127.0.0.1:$HEALTH_PORT/health" >/dev/null || fail "ndt-server not healthy"
}

stop_server() {
  if [[ -n "$SERVER_PID" ]]; then
    kill -INT "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
  fi
}

# make_cert DIR: a self-signed certificate for 127.0.0.1 / localhost.
make_cert() {
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "$1/key.pem" -out "$1/cert.pem" >/dev/null 2>&1 || fail "openssl could not make a cert"
}

# check_results N: exactly N result files, each named as upstream, gzip, valid NDT7Result JSON
# whose UUID is the one in its name and has our prefix. Prints the UUIDs.
check_results() {
  python3 - "$DATADIR" "$PREFIX" "$1" <<'PY'
import gzip, json, os, re, sys
datadir, prefix, want = sys.argv[1], sys.argv[2], int(sys.argv[3])
name_re = re.compile(r"ndt7-(download|upload)-(\d{8}T\d{6}\.\d{9})Z\.(.+)\.json\.gz$")
files = []
for root, _, names in os.walk(os.path.join(datadir, "ndt7")):
    files += [os.path.join(root, n) for n in names]
if len(files) != want:
    sys.exit(f"FAIL: want {want} result files, found {len(files)}: {files}")
for path in sorted(files):
    rel = os.path.relpath(path, os.path.join(datadir, "ndt7"))
    m = name_re.search(os.path.basename(path))
    if not m or not re.match(r"\d{4}/\d{2}/\d{2}/", rel):
        sys.exit(f"FAIL: bad result path {rel}")
    kind, stamp, uuid = m.groups()
    if rel[:10].replace("/", "") != stamp[:8]:
        sys.exit(f"FAIL: date directory {rel[:10]} does not match {stamp}")
    if not re.fullmatch(re.escape(prefix) + r"_[0-9A-F]{16}", uuid):
        sys.exit(f"FAIL: UUID {uuid} is not {prefix}_<16 hex>")
    with gzip.open(path) as f:
        result = json.load(f)
    data = result["Download" if kind == "download" else "Upload"]
    if ("Upload" if kind == "download" else "Download") in result:
        sys.exit(f"FAIL: {rel} has both directions")
    if data["UUID"] != uuid:
        sys.exit(f"FAIL: {rel} UUID {data['UUID']}")
    last = data["ServerMeasurements"][-1]
    if "TCPInfo" not in last or last["ConnectionInfo"]["UUID"] != uuid:
        sys.exit(f"FAIL: {rel} last measurement lacks TCPInfo/UUID")
    print(kind, uuid)
PY
}
