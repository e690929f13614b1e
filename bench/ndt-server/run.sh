#!/usr/bin/env bash
# Side-by-side benchmark of services/ndt-server (C++, -c opt) against upstream's Go ndt-server
# v0.25.0 and iperf3, on loopback. Never pass/fail: it prints numbers and ratios.
#
#   bench/ndt-server/run.sh [--concurrent N]     (default N = 300)
#
# 1. One ndt7 download and one upload over ws, and one download over wss (ndt7-client-go) per
#    server: bytes moved per second of server CPU (user+system, from /proc/<pid>/stat), with
#    bytes from the servers' own result files (last TCPInfo.BytesAcked / BytesReceived).
# 2. iperf3 -R for 10 s: bytes the iperf3 server sent per second of its CPU (the physical limit
#    of a TCP sender on this machine).
# 3. N concurrent downloads over ws, then over wss (bench/ndt-server/loadgen, one Go process):
#    total throughput, server CPU, bytes per CPU-second, and the server's peak RSS (VmHWM).
# Peers are installed under $MLAB_PEERS/bin on first use (Go module proxy, Debian iperf3).
set -euo pipefail
cd "$(dirname "$0")/../.."
concurrent=300
while (($#)); do
  case "$1" in
    --concurrent) concurrent=$2; shift 2 ;;
    *) echo "usage: $0 [--concurrent N]" >&2; exit 2 ;;
  esac
done

source bench/ndt-server/common.sh
ensure_peers
build_cpp

work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
make_cert "$work"

rec() { printf '%s\t%s\n' "$1" "$2" >>"$work/results.tsv"; }
single() {  # kind direction [scheme]
  local kind=$1 dir=$2 scheme=${3:-ws}
  local data="$work/$1-$2" name="$1-$2"
  [[ $scheme == wss ]] && { data="$work/$1-wss-$2"; name="$1-wss-$2"; }
  start "$kind" "$data"
  local target="127.0.0.1:$PORT" tls=()
  [[ $scheme == wss ]] && { target="127.0.0.1:$TLS_PORT"; tls=(-no-verify); }
  local flags=(-download=false)
  [[ $dir == download ]] && flags=(-upload=false)
  local t0; t0=$(ticks "$PID")
  # The client's CPU too: on loopback, whichever side triggers a transmission also runs the
  # receiver's TCP processing, so the two split one bill and the server's share alone can mislead.
  local TIMEFORMAT='%U %S'
  { time timeout 60 "$peers/bin/ndt7-client" -scheme "$scheme" -server "$target" "${tls[@]}" -format json "${flags[@]}" >/dev/null 2>&1; } 2>"$work/client-time" || true
  sleep 1  # let the result file land
  local t1; t1=$(ticks "$PID")
  stop
  local bytes; bytes=$(result_bytes "$data")
  rec "$name-bytes" "$bytes"
  rec "$name-cpu" "$(python3 -c "print(($t1 - $t0) / $hz)")"
  rec "$name-client-cpu" "$(awk '{print $1 + $2}' "$work/client-time")"
}

concurrent_run() {  # kind [scheme]
  local kind=$1 scheme=${2:-ws} what=load
  [[ $scheme == wss ]] && what=wss-load
  local data="$work/$kind-$what"
  start "$kind" "$data"
  local target="127.0.0.1:$PORT"
  [[ $scheme == wss ]] && target="127.0.0.1:$TLS_PORT"
  local t0; t0=$(ticks "$PID")
  local out; out=$("$peers/bin/ndt7-load" -scheme "$scheme" -server "$target" -n "$concurrent")
  sleep 2
  local t1; t1=$(ticks "$PID")
  rec "$kind-$what-rss" "$(awk '/VmHWM/ {print $2}' "/proc/$PID/status")"
  stop
  rec "$kind-$what-out" "$out"
  rec "$kind-$what-cpu" "$(python3 -c "print(($t1 - $t0) / $hz)")"
  rec "$kind-$what-bytes" "$(result_bytes "$data")"
}

for kind in cpp go; do
  for dir in download upload; do
    echo "bench: $kind $dir" >&2
    single "$kind" "$dir"
  done
  echo "bench: $kind download over wss" >&2
  single "$kind" download wss
done

echo "bench: iperf3 -R" >&2
ip=$(port)
iperf3 -s -p "$ip" -1 >/dev/null 2>&1 &
sleep 0.5
iperf3 -c 127.0.0.1 -p "$ip" -t 10 -R -J >"$work/iperf.json"
read -r iperf_bytes iperf_cpu < <(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
e = d["end"]
print(e["sum_sent"]["bytes"], e["cpu_utilization_percent"]["remote_total"] / 100 * e["sum_sent"]["seconds"])' "$work/iperf.json")

for kind in cpp go; do
  echo "bench: $kind $concurrent concurrent downloads" >&2
  concurrent_run "$kind"
  echo "bench: $kind $concurrent concurrent downloads over wss" >&2
  concurrent_run "$kind" wss
done

python3 - "$iperf_bytes" "$iperf_cpu" "$concurrent" "$work/results.tsv" <<'PY'
import json, sys
R = dict(line.rstrip("\n").split("\t", 1) for line in open(sys.argv[4]))
iperf_bytes, iperf_cpu, n = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
def per_cpu(kind, what):
    cpu = float(R[f"{kind}-{what}-cpu"])
    return float(R[f"{kind}-{what}-bytes"]) / cpu if cpu > 0 else 0
print()
print("single test, ndt7-client-go over ws, 10 s (bytes per server CPU-second):")
for what in ("download", "upload"):
    c, g = per_cpu("cpp", what), per_cpu("go", what)
    print(f"  {what:8}  C++ {c/1e9:6.2f} GB/CPU-s ({float(R['cpp-'+what+'-bytes'])/1e9:5.2f} GB in {float(R['cpp-'+what+'-cpu']):5.2f} CPU-s)"
          f"   Go {g/1e9:6.2f} GB/CPU-s ({float(R['go-'+what+'-bytes'])/1e9:5.2f} GB in {float(R['go-'+what+'-cpu']):5.2f} CPU-s)"
          f"   C++/Go = {c/g if g else 0:.2f}x")
print("  the same, per CPU-second of server and client together (loopback splits the kernel's work):")
for what in ("download", "upload"):
    def pair(kind):
        cpu = float(R[f"{kind}-{what}-cpu"]) + float(R[f"{kind}-{what}-client-cpu"])
        return float(R[f"{kind}-{what}-bytes"]) / cpu if cpu > 0 else 0
    c, g = pair("cpp"), pair("go")
    print(f"  {what:8}  C++ {c/1e9:6.2f} GB/CPU-s (client {float(R['cpp-'+what+'-client-cpu']):5.2f} CPU-s)"
          f"   Go {g/1e9:6.2f} GB/CPU-s (client {float(R['go-'+what+'-client-cpu']):5.2f} CPU-s)"
          f"   C++/Go = {c/g if g else 0:.2f}x")
c, g = per_cpu("cpp", "wss-download"), per_cpu("go", "wss-download")
print(f"  download over wss  C++ {c/1e9:6.2f} GB/CPU-s ({float(R['cpp-wss-download-bytes'])/1e9:5.2f} GB in {float(R['cpp-wss-download-cpu']):5.2f} CPU-s)"
      f"   Go {g/1e9:6.2f} GB/CPU-s ({float(R['go-wss-download-bytes'])/1e9:5.2f} GB in {float(R['go-wss-download-cpu']):5.2f} CPU-s)"
      f"   C++/Go = {c/g if g else 0:.2f}x")
ip = iperf_bytes / iperf_cpu if iperf_cpu else 0
c = per_cpu("cpp", "download")
print(f"  iperf3 sender {ip/1e9:6.2f} GB/CPU-s ({iperf_bytes/1e9:.2f} GB in {iperf_cpu:.2f} CPU-s)   C++ download / iperf3 = {c/ip if ip else 0:.2f}x")
print()
for what, label in (("load", "ws"), ("wss-load", "wss")):
    print(f"{n} concurrent downloads over {label} (bench/ndt-server/loadgen):")
    for kind in ("cpp", "go"):
        out = json.loads(R[f"{kind}-{what}-out"])
        print(f"  {kind:3}  completed {out['completed']}/{out['tests']}  {out['bytes']*8/out['seconds']/1e9:6.2f} Gbit/s"
              f"  server CPU {float(R[kind+'-'+what+'-cpu']):6.2f} s  {per_cpu(kind,what)/1e9:5.2f} GB/CPU-s"
              f"  peak RSS {int(R[kind+'-'+what+'-rss'])/1024:7.1f} MiB")
    rc, rg = int(R[f"cpp-{what}-rss"]), int(R[f"go-{what}-rss"])
    print(f"  C++/Go: bytes per CPU-s {per_cpu('cpp',what)/per_cpu('go',what) if per_cpu('go',what) else 0:.2f}x, peak RSS {rc/rg if rg else 0:.2f}x")
print()
print("targets: >=1.5x Go bytes/CPU-s; download >=0.8x iperf3 sender; peak RSS <=0.33x Go")
PY
