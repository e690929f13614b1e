# shellcheck shell=bash
# Sourced by run.sh and veth.sh (from the repository root): peers, the C++ build, the two
# servers' start and stop, and the bytes their result files record.
#
# start() runs the server as "${SERVER_PREFIX[@]}" <server> … listening on $SERVER_HOST, and
# probes readiness as "${CLIENT_PREFIX[@]}" would reach it (both empty / 127.0.0.1 on loopback).

peers=${MLAB_PEERS:-/usr/local/lib/mlab-peers}
export GOFLAGS=-mod=mod GOTOOLCHAIN=local
SERVER_PREFIX=()
CLIENT_PREFIX=()
SERVER_HOST=127.0.0.1
hz=$(getconf CLK_TCK)  # used by the scripts that source this
export hz

# Upstream's Go server, the load generator, iperf3 and ndt7-client-go.
ensure_peers() {
  mkdir -p "$peers/bin"
  if [[ ! -x "$peers/bin/ndt-server-go" ]]; then
    echo "bench: building upstream ndt-server v0.25.0" >&2
    local b; b=$(mktemp -d)
    printf 'module peers\n\ngo 1.25\n\nrequire github.com/m-lab/ndt-server v0.25.0\n' >"$b/go.mod"
    printf '//go:build tools\n\npackage peers\n\nimport _ "github.com/m-lab/ndt-server"\n' >"$b/tools.go"
    (cd "$b" && go mod tidy >&2 && go build -o "$peers/bin/ndt-server-go" github.com/m-lab/ndt-server)
    rm -rf "$b"
  fi
  if [[ ! -x "$peers/bin/ndt7-load" || bench/ndt-server/loadgen/main.go -nt "$peers/bin/ndt7-load" ]]; then
    (cd bench/ndt-server/loadgen && go build -o "$peers/bin/ndt7-load" .)
  fi
  command -v iperf3 >/dev/null || apt-get install -y -qq --no-install-recommends iperf3 >/dev/null
  tools/setup.d/40-ndt-server.sh >/dev/null 2>&1 || true
  [[ -x "$peers/bin/ndt7-client" ]] || { echo "bench: ndt7-client missing; run tools/setup" >&2; exit 1; }
  gosrv="$peers/bin/ndt-server-go"
}

build_cpp() {
  echo "bench: building the C++ server with -c opt" >&2
  bazel build -c opt //services/ndt-server:ndt-server >&2
  cpp=$(bazel info -c opt bazel-bin 2>/dev/null)/services/ndt-server/ndt-server
}

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# make_cert DIR: the self-signed P-256 certificate both servers serve wss with.
make_cert() {
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=localhost \
    -keyout "$1/key.pem" -out "$1/cert.pem" >/dev/null 2>&1
}

# start KIND DATADIR [FLAG...] (KIND cpp or go; DATADIR's parent holds cert.pem, key.pem)
#   -> sets PID, PORT (ws) and TLS_PORT (wss)
start() {
  local kind=$1 data=$2
  shift 2
  local dir; dir=$(dirname "$data")
  mkdir -p "$data"
  PORT=$(port)
  TLS_PORT=$(port)
  local common=(-ndt7_addr_cleartext "$SERVER_HOST:$PORT" -ndt7_addr "$SERVER_HOST:$TLS_PORT"
                -cert "$dir/cert.pem" -key "$dir/key.pem"
                -health_addr "127.0.0.1:$(port)" -prometheusx.listen-address "127.0.0.1:$(port)"
                -datadir "$data" -htmldir "$dir")
  if [[ $kind == cpp ]]; then
    setsid "${SERVER_PREFIX[@]}" "$cpp" "${common[@]}" "$@" >"$data.log" 2>&1 </dev/null &
  else
    setsid "${SERVER_PREFIX[@]}" "$gosrv" "${common[@]}" -ndt5_addr "127.0.0.1:$(port)" \
      -ndt5_ws_addr "127.0.0.1:$(port)" -ndt5_wss_addr "127.0.0.1:$(port)" "$@" >"$data.log" 2>&1 </dev/null &
  fi
  PID=$!  # setsid, ip netns exec and taskset all exec: this is the server
  for _ in $(seq 1 100); do
    "${CLIENT_PREFIX[@]}" bash -c "exec 3<>/dev/tcp/$SERVER_HOST/$PORT" 2>/dev/null && return
    sleep 0.1
  done
  echo "bench: $kind server did not start" >&2
  exit 1
}

# Both servers: the first SIGTERM is lame duck, the second one exits.
stop() {
  kill -TERM "$PID" 2>/dev/null || true
  sleep 0.3
  kill -TERM "$PID" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$PID" 2>/dev/null || break; sleep 0.2; done
  kill -KILL "$PID" 2>/dev/null || true
  wait "$PID" 2>/dev/null || true
}

# Sum of the last BytesAcked (download) / BytesReceived (upload) over the result files.
result_bytes() {
  python3 - "$1" <<'PY'
import gzip, json, os, sys
total = 0
for root, _, names in os.walk(sys.argv[1]):
    for n in names:
        if "ndt7" not in n or ".json" not in n:
            continue
        p = os.path.join(root, n)
        d = json.load(gzip.open(p) if n.endswith(".gz") else open(p))
        for kind, field in (("Download", "BytesAcked"), ("Upload", "BytesReceived")):
            if d.get(kind) and d[kind]["ServerMeasurements"]:
                total += d[kind]["ServerMeasurements"][-1]["TCPInfo"][field]
print(total)
PY
}
