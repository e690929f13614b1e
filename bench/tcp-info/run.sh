#!/usr/bin/env bash
# CPU per poll cycle of services/tcp-info (C++, -c opt) beside upstream's Go tcp-info v1.9.0 and
# beside `ss -tin` dumping the same sockets, with 1,000 and 10,000 established flows between two
# network namespaces (4,000 too: the most upstream can hold here, see below). Never pass/fail: it prints a table and the ratios against the targets
# (ours at most 0.5x Go's CPU per cycle, and within 1.3x of ss). Needs root.
#
#   bench/tcp-info/run.sh [--flows "1000 4000 10000"] [--window SECONDS]
#
# Per flow count: bench/tcp-info:flow_holder opens the flows (listener and accepted ends in the
# "server" namespace, clients in the "client" one, 1000 bytes each way, then idle) and holds both
# ends. Each poller then runs alone in the server namespace, polling every 10 ms; once it has
# opened an archive for every flow and settled, CPU (utime+stime from /proc/<pid>/stat) is
# sampled over a fixed wall-clock window and divided by the poll cycles in that window
# (tcpinfo_polling_interval_histogram_count, which both export). Upstream compresses through one
# zstd child per flow: those children's CPU is reported too. ss: the children's CPU (bash `times`)
# of R runs of `ss -tin >/dev/null` in the server namespace, divided by R.
#
# Upstream holds four descriptors per flow (the pipe to its zstd child, both ends, the output file
# and a pidfd); where the hard RLIMIT_NOFILE is too low for that (it cannot be raised without
# CAP_SYS_RESOURCE) its column says so instead of measuring a poller failing with EMFILE.
set -euo pipefail
cd "$(dirname "$0")/../.."

flow_counts="1000 4000 10000"
window=10
while (($#)); do
  case "$1" in
    --flows) flow_counts=$2; shift 2 ;;
    --window) window=$2; shift 2 ;;
    *) echo "usage: $0 [--flows \"1000 4000 10000\"] [--window SECONDS]" >&2; exit 2 ;;
  esac
done
if [[ $(id -u) != 0 ]]; then
  echo "bench/tcp-info: needs root (network namespaces)" >&2
  exit 1
fi
for tool in ip ss curl zstd; do
  command -v "$tool" >/dev/null || { echo "bench/tcp-info: $tool missing; run tools/setup" >&2; exit 1; }
done

export MLAB_PEERS=${MLAB_PEERS:-/usr/local/lib/mlab-peers}
bash tools/setup.d/30-tcp-info.sh 2>/dev/null || true
upstream="$MLAB_PEERS/bin/tcp-info"
[[ -x "$upstream" ]] || echo "bench/tcp-info: no upstream tcp-info; comparing with ss only" >&2

echo "bench/tcp-info: building with -c opt" >&2
bazel build -c opt //services/tcp-info:tcp-info //bench/tcp-info:flow_holder >&2
bin=$(bazel info -c opt bazel-bin 2>/dev/null)

work=$(mktemp -d /tmp/tcpinfo-bench.XXXXXX)
# Copies: concurrent builds may replace bazel-bin's files while we run.
cp "$bin/services/tcp-info/tcp-info" "$bin/bench/tcp-info/flow_holder" "$work/"
ours="$work/tcp-info"
server_ns="tcpb-s-$$"
client_ns="tcpb-c-$$"
holder_pid=""
poller_pid=""

cleanup() {
  [[ -n "$poller_pid" ]] && kill -KILL "$poller_pid" 2>/dev/null || true
  [[ -n "$holder_pid" ]] && kill -TERM "$holder_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  ip netns del "$server_ns" 2>/dev/null || true
  ip netns del "$client_ns" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# 10,000 flows: an archive (ours) or a zstd pipe (upstream) per flow. The hard limit may not be
# raisable here (no CAP_SYS_RESOURCE); flow_holder keeps each end in its own process.
ulimit -n "$(ulimit -Hn)"
hard_files=$(ulimit -Hn)
[[ $hard_files == unlimited ]] && hard_files=$((1 << 30))
ip netns add "$server_ns"
ip netns add "$client_ns"
ip link add "tbs$$" netns "$server_ns" type veth peer name "tbc$$" netns "$client_ns"
ip -n "$server_ns" link set lo up
ip -n "$client_ns" link set lo up
ip -n "$server_ns" addr add 192.0.2.1/24 dev "tbs$$"
ip -n "$client_ns" addr add 192.0.2.2/24 dev "tbc$$"
ip -n "$server_ns" link set "tbs$$" up
ip -n "$client_ns" link set "tbc$$" up

hz=$(getconf CLK_TCK)
# CPU seconds (user+system) of process $1, or of the processes listed in file $1 (missing ones
# count as 0).
cpu_of() { awk -v hz="$hz" '{ sub(/^.*\) /, ""); t += $12 + $13 } END { printf "%.3f", t / hz }' "$@" 2>/dev/null || true; }
cpu() { cpu_of "/proc/$1/stat"; }
children_cpu() {
  local files=()
  for child in $(cat /proc/"$1"/task/*/children 2>/dev/null); do files+=("/proc/$child/stat"); done
  if ((${#files[@]} == 0)); then echo 0; else cpu_of "${files[@]}"; fi
}
scrape() { ip netns exec "$server_ns" curl -s --max-time 5 "http://127.0.0.1:9990/metrics" || true; }
sample() { awk -v name="$1" '$1 == name && !found { print $2; found = 1 }'; }

# measure KIND BINARY FLOWS: runs one poller alone and sets M_MS (CPU ms per poll), M_POLLS (polls
# in the window), M_KIDS_MS (CPU ms per poll of its children), M_KIDS (children), M_RSS (peak MB).
measure() {
  local kind=$1 binary=$2 flows=$3
  local out="$work/out-$kind"
  mkdir -p "$out"
  ip netns exec "$server_ns" "$binary" -output="$out" -prometheusx.listen-address=127.0.0.1:9990 \
    >"$work/$kind.log" 2>&1 </dev/null &
  poller_pid=$!
  # Warm-up: an archive opened for every flow (upstream starts a zstd process for each).
  local files="" deadline=$((SECONDS + 300))
  while ((SECONDS < deadline)); do
    files=$(scrape | sample tcpinfo_new_file_total)
    [[ -n "$files" ]] && (($(printf '%.0f' "$files") >= flows)) && break
    if ! kill -0 "$poller_pid" 2>/dev/null; then
      echo "bench/tcp-info: $kind exited:" >&2
      tail "$work/$kind.log" >&2
      exit 1
    fi
    sleep 0.5  # polling the metrics page while the poller starts up
  done
  if ((SECONDS >= deadline)); then
    echo "bench/tcp-info: $kind opened ${files:-no} archives of $flows in 300 s" >&2
    exit 1
  fi
  sleep 3  # the first snapshots' writes and any late ACKs settle
  local polls0 cpu0 child0 polls1 cpu1 child1
  polls0=$(scrape | sample tcpinfo_polling_interval_histogram_count)
  cpu0=$(cpu "$poller_pid")
  child0=$(children_cpu "$poller_pid")
  sleep "$window"  # the measurement window
  polls1=$(scrape | sample tcpinfo_polling_interval_histogram_count)
  cpu1=$(cpu "$poller_pid")
  child1=$(children_cpu "$poller_pid")
  M_RSS=$(awk '/VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$poller_pid/status")
  cat /proc/"$poller_pid"/task/*/children >"$work/children" 2>/dev/null || true
  M_KIDS=$(wc -w <"$work/children")
  read -r M_MS M_POLLS M_KIDS_MS < <(awk -v c0="$cpu0" -v c1="$cpu1" -v k0="$child0" \
    -v k1="$child1" -v p0="$polls0" -v p1="$polls1" \
    'BEGIN { p = p1 - p0; printf "%.3f %d %.3f\n", 1000 * (c1 - c0) / p, p, 1000 * (k1 - k0) / p }')
  kill -TERM "$poller_pid" 2>/dev/null || true
  local i
  for ((i = 0; i < 100; i++)); do kill -0 "$poller_pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$poller_pid" 2>/dev/null || true
  wait "$poller_pid" 2>/dev/null || true
  poller_pid=""
  # Upstream's zstd children finish their files once their pipes close.
  for ((i = 0; i < 300; i++)); do
    alive=0
    for child in $(cat "$work/children"); do
      if kill -0 "$child" 2>/dev/null; then alive=1; break; fi
    done
    ((alive)) || break
    sleep 0.1
  done
  rm -rf "$out"
}

# ss_cpu FLOWS: CPU ms per `ss -tin` run over the server namespace's sockets.
ss_cpu() {
  local runs=$((200000 / $1))
  ((runs < 20)) && runs=20
  ip netns exec "$server_ns" timeout 300 bash -c \
    "for ((i = 0; i < $runs; i++)); do ss -tin >/dev/null; done; times" |
    tail -1 | awk -v runs="$runs" '
      function secs(t) { split(t, a, /[ms]/); return a[1] * 60 + a[2] }
      { printf "%.3f %d\n", 1000 * (secs($1) + secs($2)) / runs, runs }'
}

results=()
for flows in $flow_counts; do
  echo "bench/tcp-info: $flows flows" >&2
  rm -f "$work/ready"
  mkfifo "$work/ready"
  "$work/flow_holder" -server_netns="$server_ns" -client_netns="$client_ns" -flows="$flows" \
    -hold=15m >"$work/ready" &
  holder_pid=$!
  line=""
  read -r -t 300 line <"$work/ready" || true
  if [[ "$line" != "ready $flows" ]]; then echo "bench: flow_holder failed" >&2; exit 1; fi
  seen=$(ip netns exec "$server_ns" ss -tnH state established | wc -l)
  echo "bench/tcp-info: ss sees $seen established sockets in the server namespace" >&2

  measure ours "$ours" "$flows"
  ours_ms=$M_MS ours_polls=$M_POLLS ours_rss=$M_RSS
  go_ms="" go_polls="" go_kids_ms="" go_rss="" go_kids=""
  if [[ -x "$upstream" ]] && ((4 * flows + 256 > hard_files)); then
    echo "bench/tcp-info: upstream skipped: $flows flows need $((4 * flows)) descriptors," \
      "the hard limit is $hard_files" >&2
    go_ms="EMFILE"
  elif [[ -x "$upstream" ]]; then
    measure go "$upstream" "$flows"
    go_ms=$M_MS go_polls=$M_POLLS go_kids_ms=$M_KIDS_MS go_rss=$M_RSS go_kids=$M_KIDS
  fi
  read -r ss_ms ss_runs <<<"$(ss_cpu "$flows")"
  results+=("$flows $ours_ms $ours_polls $ours_rss ${go_ms:--} ${go_polls:--} ${go_kids_ms:--} ${go_rss:--} ${go_kids:--} $ss_ms $ss_runs")

  kill -TERM "$holder_pid" 2>/dev/null || true
  wait "$holder_pid" 2>/dev/null || true
  holder_pid=""
done

echo
echo "CPU per poll cycle (ms of user+system CPU; polls counted over ${window} s at a 10 ms target)"
printf '%7s | %9s %6s %7s | %9s %6s %12s %7s | %9s %5s | %8s %8s\n' \
  flows "ours ms" polls "RSS MB" "Go ms" polls "+zstd kids" "RSS MB" "ss ms" runs "ours/Go" "ours/ss"
for row in "${results[@]}"; do
  read -r flows ours_ms ours_polls ours_rss go_ms go_polls go_kids_ms go_rss go_kids ss_ms ss_runs <<<"$row"
  awk -v f="$flows" -v o="$ours_ms" -v op="$ours_polls" -v orss="$ours_rss" -v g="$go_ms" \
    -v gp="$go_polls" -v gk="$go_kids_ms" -v grss="$go_rss" -v kids="$go_kids" -v s="$ss_ms" \
    -v sr="$ss_runs" 'BEGIN {
      og = (g == "-" || g == "EMFILE" || g == 0) ? "-" : sprintf("%.2f", o / g)
      printf "%7d | %9.3f %6d %7d | %9s %6s %12s %7s | %9.3f %5d | %8s %8.2f\n",
        f, o, op, orss, g, gp, (gk == "-" ? "-" : sprintf("%s (%s)", gk, kids)), grss, s, sr, og, o / s
    }'
done
echo "targets: ours/Go <= 0.50, ours/ss <= 1.30"
echo "+zstd kids: CPU ms per cycle of upstream's zstd children (and how many were running)"
echo "EMFILE: upstream needs 4 descriptors per flow, more than this machine's hard limit ($hard_files)"
