#!/usr/bin/env bash
# Files per second that services/pusher (C++, -c opt) bundles and uploads, to a local directory
# (file://) and to fake-gcs-server (gs://), beside upstream's Go pusher on the same tree, with the
# CPU and peak RSS each spends. Never pass/fail: prints a table and the ratios against the target
# (ours at least 2x Go's files/s). No root needed.
#
#   bench/pusher/run.sh [--files N] [--scenarios "backlog live"] [--only "ours go tar"]
#                       [--threshold 20MB] [--wait 1s] [--timeout SECONDS]
#
# The tree (bench/pusher/tree.py make): --files files over tcpinfo (40%, 2-12 KB .jsonl.zst),
# annotation2 (30%, ~600 B JSON), ndt7 (20%, 1-4 KB .json.gz) and pcap (10%, 20-180 KB .pcap.gz),
# two date directories each, about 13 MB per 1,000 files; compressed payloads are a gzip or zstd
# header and random bytes.
# Each run gets hard links of it in a fresh spool (and a fresh emulator bucket). Scenarios:
#   backlog  the files are there (3 h old) when the pusher starts: its startup sweep finds them;
#            timed from the pusher's start;
#   live     the pusher is watching; then every file is renamed into the spool at once (what the
#            sidecars do); timed from the first rename.
# Both end when the spool's datatype directories hold no file (a file is deleted only after the
# archive holding it is confirmed uploaded); then CPU (utime+stime from /proc/<pid>/stat, so the
# whole process life) and peak RSS (VmHWM) are read, the pusher gets SIGTERM, and every archive
# uploaded is read back and checked against the tree (lost, duplicated or wrong files).
# Both pushers get the same flags: -archive_size_threshold (20MB, upstream's default), archive age
# fixed at --wait (min = expected = max), -max_file_age=1h, 4 datatypes, and a sweep every second
# or so (-cleanup_interval=1s): upstream has no startup sweep, its first finds a backlog only
# after a random wait of about -cleanup_interval (1 h by default), so without it upstream would
# not start on the backlog within the run. tar: `tar czf` of the
# same tree (one process, gzip -6 like the archives) as a physical reference.
#
# Upstream's binary is $PUSHER_GO if set (one built elsewhere, e.g. from a checkout of
# github.com/m-lab/pusher with `go build`), else $MLAB_PEERS/bin/pusher-go, installed by
# tools/setup.d/70-pusher.sh from the Go module proxy when the proxy serves it. Upstream only
# uploads to GCS: it has no local row.
set -euo pipefail
cd "$(dirname "$0")/../.."

files=10000
scenarios="backlog live"
only="ours go tar"
threshold=20MB
wait_time=1s
timeout=300
while (($#)); do
  case "$1" in
    --files) files=$2; shift 2 ;;
    --scenarios) scenarios=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --threshold) threshold=$2; shift 2 ;;
    --wait) wait_time=$2; shift 2 ;;
    --timeout) timeout=$2; shift 2 ;;
    *) sed -n '7,8p' "$0" >&2; exit 2 ;;
  esac
done
for tool in curl python3 tar /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "bench/pusher: $tool missing; run tools/setup" >&2; exit 1; }
done

export MLAB_PEERS=${MLAB_PEERS:-/usr/local/lib/mlab-peers}
bash tools/setup.d/70-pusher.sh 2>/dev/null || true
fake_gcs="$MLAB_PEERS/bin/fake-gcs-server"
[[ -x "$fake_gcs" ]] || { echo "bench/pusher: fake-gcs-server missing; run tools/setup" >&2; exit 1; }
upstream="${PUSHER_GO:-$MLAB_PEERS/bin/pusher-go}"
go_missing=""
if [[ ! -x "$upstream" ]]; then
  go_missing="no upstream Go pusher at $upstream: the Go module proxy did not serve"
  go_missing+=" github.com/m-lab/pusher (see tools/setup.d/70-pusher.sh) and PUSHER_GO is not"
  go_missing+=" set; Go's column is missing"
  echo "bench/pusher: $go_missing" >&2
fi

echo "bench/pusher: building with -c opt" >&2
bazel build -c opt //services/pusher >&2
bin=$(bazel info -c opt bazel-bin 2>/dev/null)

work=$(mktemp -d /tmp/pusher-bench.XXXXXX)
# A copy: concurrent builds may replace bazel-bin's files while we run.
cp "$bin/services/pusher/pusher" "$work/pusher"
ours="$work/pusher"
tree_py="$PWD/bench/pusher/tree.py"
pusher_pid=""
gcs_pid=""

cleanup() {
  if [[ -n "$pusher_pid" ]]; then kill -KILL "$pusher_pid" 2>/dev/null || true; fi
  if [[ -n "$gcs_pid" ]]; then kill -KILL "$gcs_pid" 2>/dev/null || true; fi
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

datatypes="tcpinfo annotation2 ndt7 pcap"
node=mlab1.lga03.measurement-lab.org
hz=$(getconf CLK_TCK)
cpu() { awk -v hz="$hz" '{ sub(/^.*\) /, ""); printf "%.2f", ($12 + $13) / hz }' "/proc/$1/stat" 2>/dev/null || echo 0; }
rss_mb() { awk '/^VmHWM:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status" 2>/dev/null || echo 0; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
now() { echo "$EPOCHREALTIME"; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
# Waits (bounded) until the command in $2... succeeds; $1 = seconds.
wait_until() {
  local limit=$1
  shift
  local deadline=$((SECONDS + limit))
  until "$@"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.05  # polling a directory, a port or a log line the other process writes
  done
}
spool_empty() {
  local dt
  for dt in $datatypes; do
    [[ -z "$(find "$1/$dt" -type f -print -quit)" ]] || return 1
  done
}
http_up() { curl -s -o /dev/null "$1"; }
has_line() { grep -q "$2" "$1" 2>/dev/null; }

echo "bench/pusher: making the tree ($files files)" >&2
tree="$work/tree"
tree_summary=$(python3 "$tree_py" make "$tree" "$files" 1)
echo "bench/pusher: tree: $tree_summary" >&2

# run KIND DEST SCENARIO: one run; sets R_SECS, R_CPU, R_RSS, R_CHECK.
run() {
  local kind=$1 dest=$2 scenario=$3
  local dir="$work/run"
  rm -rf "$dir"
  mkdir -p "$dir/spool/ndt"
  local spool="$dir/spool/ndt" dt
  if [[ "$scenario" == backlog ]]; then
    for dt in $datatypes; do cp -al "$tree/$dt" "$spool/$dt"; done
  else
    # The directories exist before the pusher starts; the files arrive by rename while it runs.
    mkdir -p "$dir/stage"
    for dt in $datatypes; do
      cp -al "$tree/$dt" "$dir/stage/$dt"
      (cd "$tree" && find "$dt" -type d -exec mkdir -p "$spool/{}" \;)
    done
  fi
  local check_dest bucket_flag=() env=()
  if [[ "$dest" == local ]]; then
    mkdir -p "$dir/uploads"
    check_dest="$dir/uploads"
    bucket_flag=(-bucket="file://$dir/uploads")
  else
    local port
    port=$(free_port)
    "$fake_gcs" -scheme http -host 127.0.0.1 -port "$port" -backend filesystem \
      -filesystem-root "$dir/gcs-data" -log-level error >"$dir/gcs.log" 2>&1 </dev/null &
    gcs_pid=$!
    wait_until 30 http_up "http://127.0.0.1:$port/storage/v1/b" ||
      { echo "bench/pusher: fake-gcs-server did not start" >&2; exit 1; }
    curl -sf -o /dev/null -X POST -H 'Content-Type: application/json' \
      -d '{"name":"pusher-bench"}' "http://127.0.0.1:$port/storage/v1/b"
    check_dest="http://127.0.0.1:$port/pusher-bench"
    if [[ "$kind" == ours ]]; then
      bucket_flag=(-bucket=gs://pusher-bench -gcs_endpoint="http://127.0.0.1:$port")
    else
      bucket_flag=(-bucket=pusher-bench)
      env=(STORAGE_EMULATOR_HOST="127.0.0.1:$port")
    fi
  fi
  local metrics_port
  metrics_port=$(free_port)
  local args=(-directory="$spool" -experiment=ndt -mlab_node_name="$node"
    -archive_size_threshold="$threshold" -archive_wait_time_min="$wait_time"
    -archive_wait_time_expected="$wait_time" -archive_wait_time_max="$wait_time"
    -max_file_age=1h -cleanup_interval=1s -cleanup_interval_max=2s -sigterm_wait_time=2s
    -prometheusx.listen-address="127.0.0.1:$metrics_port"
    -metadata=MLAB.server.name="$node" "${bucket_flag[@]}")
  for dt in $datatypes; do args+=(-datatype="$dt"); done
  local binary=$ours
  [[ "$kind" == go ]] && binary=$upstream
  local t0 t1
  t0=$(now)
  env "${env[@]}" "$binary" "${args[@]}" >"$dir/pusher.log" 2>&1 </dev/null &
  pusher_pid=$!
  if [[ "$scenario" == live ]]; then
    # Watching: ours logs it once every watch is set; Go's watches are set before its first
    # tick, so its metrics port plus a second stands in.
    if [[ "$kind" == ours ]]; then
      wait_until 30 has_line "$dir/pusher.log" "pusher watching"
    else
      wait_until 30 http_up "http://127.0.0.1:$metrics_port/metrics" && sleep 1
    fi
    t0=$(now)
    python3 "$tree_py" move "$dir/stage" "$spool" >/dev/null
  fi
  R_CHECK=""
  if ! wait_until "$timeout" spool_empty "$spool"; then
    R_CHECK="TIMEOUT after ${timeout}s; "
  fi
  t1=$(now)
  R_SECS=$(elapsed "$t0" "$t1")
  R_CPU=$(cpu "$pusher_pid")
  R_RSS=$(rss_mb "$pusher_pid")
  kill -TERM "$pusher_pid" 2>/dev/null || true
  local deadline=$((SECONDS + 40))
  while kill -0 "$pusher_pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
  kill -KILL "$pusher_pid" 2>/dev/null || true
  wait "$pusher_pid" 2>/dev/null || true
  pusher_pid=""
  R_CHECK+=$(python3 "$tree_py" verify "$tree" "$check_dest" "$spool" || true)
  if [[ -n "$gcs_pid" ]]; then
    kill -KILL "$gcs_pid" 2>/dev/null || true
    wait "$gcs_pid" 2>/dev/null || true
    gcs_pid=""
  fi
  cp "$dir/pusher.log" "$work/last-$kind-$dest-$scenario.log"
  rm -rf "$dir"
}

declare -A RATE CPU
fmt='%-9s %-5s %-4s %6s %7s %8s %6s %9s %6s  %s\n'
# shellcheck disable=SC2059  # one format for the header and every row
printf "$fmt" scenario dest who files seconds files/s cpu_s cpu_ms/kf rss_mb check
row() {  # scenario dest who
  local rate per_k
  rate=$(awk -v n="$files" -v s="$R_SECS" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }')
  per_k=$(awk -v c="$R_CPU" -v n="$files" 'BEGIN { printf "%.0f", c * 1e6 / n }')
  RATE[$1/$2/$3]=$rate
  CPU[$1/$2/$3]=$R_CPU
  # shellcheck disable=SC2059
  printf "$fmt" "$1" "$2" "$3" "$files" "$R_SECS" "$rate" "$R_CPU" "$per_k" "$R_RSS" "$R_CHECK"
}

for scenario in $scenarios; do
  for dest in local gcs; do
    for kind in $only; do
      [[ "$kind" == tar ]] && continue
      [[ "$kind" == go && ( -n "$go_missing" || "$dest" == local ) ]] && continue
      run "$kind" "$dest" "$scenario"
      row "$scenario" "$dest" "$kind"
    done
  done
done
if [[ " $only " == *" tar "* ]]; then
  # shellcheck disable=SC2086  # $datatypes is a word list
  /usr/bin/time -f '%e %U %S %M' -o "$work/tar.time" \
    tar czf "$work/tree.tgz" -C "$tree" $datatypes
  read -r secs user sys maxrss <"$work/tar.time"
  R_SECS=$secs
  R_CPU=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
  R_RSS=$(awk -v k="$maxrss" 'BEGIN { printf "%.1f", k / 1024 }')
  R_CHECK="$(stat -c %s "$work/tree.tgz") bytes, no upload, no delete"
  row reference local tar
fi

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0 && b > 0) printf "%.2f", a / b; else print "n/a" }'; }
echo
echo "Tree: $tree_summary; archives of at most $threshold, sealed $wait_time after their first file."
echo "Ratios:"
[[ -n "$go_missing" ]] && echo "  ours / go: not measured ($go_missing)"
for scenario in $scenarios; do
  if [[ -n "${RATE[$scenario/gcs/go]:-}" && -n "${RATE[$scenario/gcs/ours]:-}" ]]; then
    echo "  $scenario gcs: ours / go files/s = $(ratio "${RATE[$scenario/gcs/ours]}" "${RATE[$scenario/gcs/go]}") (target >= 2);" \
      "go / ours CPU = $(ratio "${CPU[$scenario/gcs/go]}" "${CPU[$scenario/gcs/ours]}")"
  fi
  if [[ -n "${RATE[reference/local/tar]:-}" && -n "${RATE[$scenario/local/ours]:-}" ]]; then
    echo "  $scenario local: ours / tar czf files/s = $(ratio "${RATE[$scenario/local/ours]}" "${RATE[reference/local/tar]}");" \
      "ours / tar czf CPU = $(ratio "${CPU[$scenario/local/ours]}" "${CPU[reference/local/tar]}")"
  fi
done
echo "  (absolute figures vary between runs: the 2 cores are shared with other builds)"
