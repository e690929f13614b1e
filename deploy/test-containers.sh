#!/usr/bin/env bash
# Container tests of deploy/ (the second test command; `tools/test` runs the offline checks):
#
#   pod      The DaemonSet's pod, rendered from the manifests (deploy/testing/pod: the physical
#            overlay minus M-Lab's heartbeat, uploading to a local directory), runs under podman:
#            init containers, then the six services, with the pod's volumes, flags, users and
#            capabilities (deploy/testing/pod.py). An ndt7 client test (ws and wss, with a
#            Locate-style token) must fill every datatype directory; pusher must upload them;
#            SIGTERM must turn ndt-server's readiness probe to not ready (lame duck).
#   compose  The compose project runs under podman through Debian's docker-compose against
#            podman's API socket: check-config profile, then ndt profile; the same client test,
#            every datatype directory filled and uploaded to ./uploads.
#
# Both run in network namespaces made here: the node's (interface net1, 198.51.100.2), a
# router's, and the client's (192.0.2.1); nothing listens on or routes through the host's own
# network.
#
#   deploy/test-containers.sh [--no-build] [pod] [compose]     (default: both)
# Needs root, the images (deploy/images/build.sh, run first unless --no-build) and all six
# services. Takes about 2.5 minutes once the images exist. Prints "container tests: N passed,
# M failed" at the end.
set -uo pipefail

deploy=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$deploy/.." && pwd)
build=1
tests=()
for arg in "$@"; do
  case "$arg" in
    --no-build) build=0 ;;
    pod | compose) tests+=("$arg") ;;
    -h | --help) sed -n '2,22p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "test-containers: unknown argument $arg" >&2; exit 2 ;;
  esac
done
((${#tests[@]})) || tests=(pod compose)
if [[ $(id -u) != 0 ]]; then
  echo "test-containers: run as root (rootful podman, network namespaces)" >&2
  exit 2
fi

export MLAB_PEERS=${MLAB_PEERS:-/usr/local/lib/mlab-peers}
export CONTAINERS_CONF=${CONTAINERS_CONF:-$deploy/podman/containers.conf}
bash "$repo/tools/setup.d/80-deploy.sh"
client_bin="$MLAB_PEERS/bin/ndt7-client"
[[ -x $client_bin ]] || bash "$repo/tools/setup.d/40-ndt-server.sh"

SERVICES=(tcp-info packet-headers uuid-annotator traceroute-caller ndt-server pusher)
missing=()
for s in "${SERVICES[@]}"; do
  grep -q "name = \"$s\"" "$repo/services/$s/BUILD.bazel" 2>/dev/null || missing+=("$s")
done
if ((${#missing[@]})); then
  echo "test-containers: cannot run yet: no binary target for ${missing[*]} (//services/<name>:<name>)" >&2
  exit 2
fi
if ((build)); then
  "$deploy/images/build.sh" || { echo "test-containers: image build failed" >&2; exit 1; }
fi
for image in base:bookworm uuid:dev nftables:dev "${SERVICES[@]/%/:dev}"; do
  podman image exists "localhost/mlab-cpp/$image" ||
    { echo "test-containers: image localhost/mlab-cpp/$image missing (deploy/images/build.sh)" >&2; exit 1; }
done

passed=0
failed=0
check() {  # check DESCRIPTION COMMAND...
  if "${@:2}"; then
    echo "PASS: $1"; passed=$((passed + 1))
  else
    echo "FAIL: $1"; failed=$((failed + 1))
  fi
}
log() { echo "test-containers: $*" >&2; }

work=$(mktemp -d /var/tmp/mlab-container-test.XXXXXX)
id=$$
node_ns="mlabct-node-$id"
client_ns="mlabct-client-$id"
router_ns="mlabct-router-$id"
pod_name="ndt-ct$id"
api_pid=""
watch_pid=""
cleanup() {
  set +e
  touch "$work/stop-watch"
  python3 "$deploy/testing/pod.py" down --name "$pod_name" --grace 5 >/dev/null 2>&1
  if [[ -S $work/podman.sock ]]; then
    (cd "$work/compose" && DOCKER_HOST="unix://$work/podman.sock" docker-compose -p "mlabct$id" \
      --env-file env -f docker-compose.yml -f podman.yml -f test.yml --profile ndt \
      --profile check-config down -t 5 >/dev/null 2>&1)
  fi
  [[ -n $api_pid ]] && kill "$api_pid" 2>/dev/null && wait "$api_pid" 2>/dev/null
  ip netns del "$node_ns" 2>/dev/null
  ip netns del "$client_ns" 2>/dev/null
  ip netns del "$router_ns" 2>/dev/null
  if [[ -z ${KEEP:-} ]]; then rm -rf "$work"; else log "kept $work"; fi
}
trap cleanup EXIT

# ---- network namespaces: client -- router -- node ----------------------------------------
# The router gives traceroute-caller a hop to trace and annotate (hopannotation2).
ip netns add "$node_ns" && ip netns add "$router_ns" && ip netns add "$client_ns" || exit 1
ip link add "ct${id}n" type veth peer name "ct${id}a"
ip link add "ct${id}b" type veth peer name "ct${id}c"
ip link set "ct${id}n" netns "$node_ns"
ip link set "ct${id}a" netns "$router_ns"
ip link set "ct${id}b" netns "$router_ns"
ip link set "ct${id}c" netns "$client_ns"
ip -n "$node_ns" link set "ct${id}n" name net1
ip -n "$client_ns" link set "ct${id}c" name eth0
ip -n "$node_ns" addr add 198.51.100.2/24 dev net1
ip -n "$router_ns" addr add 198.51.100.1/24 dev "ct${id}a"
ip -n "$router_ns" addr add 192.0.2.254/24 dev "ct${id}b"
ip -n "$client_ns" addr add 192.0.2.1/24 dev eth0
for ns in "$node_ns" "$router_ns" "$client_ns"; do
  ip -n "$ns" link set lo up
done
ip -n "$node_ns" link set net1 up
ip -n "$router_ns" link set "ct${id}a" up
ip -n "$router_ns" link set "ct${id}b" up
ip -n "$client_ns" link set eth0 up
ip netns exec "$router_ns" sysctl -q -w net.ipv4.ip_forward=1
ip -n "$node_ns" route add default via 198.51.100.1
ip -n "$client_ns" route add default via 192.0.2.254
NODE_IP=198.51.100.2
MACHINE=mlab1-lga03.mlab-sandbox.measurement-lab.org
annotator_testdata="$repo/../shared/testdata/uuid-annotator/testdata"

# ---- credentials made for the test ---------------------------------------------------------
mkdir -p "$work/keys" "$work/tls"
node "$deploy/testing/token.mjs" keygen "$work/keys"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
  -subj "/CN=$MACHINE" -addext "subjectAltName=DNS:$MACHINE,IP:$NODE_IP" \
  -keyout "$work/tls/tls.key" -out "$work/tls/tls.crt" 2>/dev/null
chmod 0644 "$work/tls/tls.key"  # read by uid 65534 (as a secret volume's files are)

# ---- the client test and what it must leave behind -----------------------------------------
DATATYPES=(ndt7 tcpinfo pcap annotation2 scamper1 hopannotation2)

# client_test: one download over wss (443) and one upload over ws (80), each with a token.
client_test() {
  local token direction scheme out download upload rc=0
  for direction in download upload; do
    scheme=ws download=false upload=true
    [[ $direction == download ]] && scheme=wss download=true upload=false
    token=$(node "$deploy/testing/token.mjs" sign "$work/keys" "$MACHINE")
    out="$work/client-$1-$direction.json"
    ip netns exec "$client_ns" "$client_bin" -no-verify -format json -timeout 30s \
      -service-url "$scheme://$NODE_IP/ndt/v7/$direction?access_token=$token" \
      -download="$download" -upload="$upload" >"$out" 2>&1 || rc=1
    grep -q '"Value"' "$out" || { log "client $direction:"; tail -5 "$out" >&2; rc=1; }
  done
  return $rc
}

# Files leave a datatype directory once pusher has uploaded them, so a watcher records every file
# that appears, from before the client test on.
start_watch() {
  local spool=$1
  : >"$work/seen"
  : >"$work/seen.raw"
  rm -f "$work/stop-watch"
  (
    while [[ ! -e $work/stop-watch ]]; do
      for d in "${DATATYPES[@]}"; do
        find "$spool/$d" -type f 2>/dev/null | sed "s|^|$d |"
      done >>"$work/seen.raw"
      sort -u "$work/seen.raw" -o "$work/seen"
      sleep 0.5
    done
  ) &
  watch_pid=$!
}

# wait_for_datatypes SECONDS: until each datatype has had a file (then stops the watcher).
wait_for_datatypes() {
  local deadline=$((SECONDS + $1)) d all=0
  while ((SECONDS < deadline)); do
    all=1
    for d in "${DATATYPES[@]}"; do grep -q "^$d " "$work/seen" || all=0; done
    ((all)) && break
    sleep 1
  done
  sleep 1
  touch "$work/stop-watch"
  wait "$watch_pid" 2>/dev/null
  return 0
}

every_datatype_seen() {
  local d ok=0
  for d in "${DATATYPES[@]}"; do
    if grep -q "^$d " "$work/seen"; then
      echo "    $d: $(grep "^$d " "$work/seen" | head -1 | sed 's|.*/||')"
    else
      echo "    $d: NOTHING"; ok=1
    fi
  done
  return $ok
}

# uploaded UPLOADS SECONDS: every datatype has an uploaded archive, and every file seen in the
# spool is in one.
uploaded() {
  local uploads=$1 deadline=$((SECONDS + $2)) d name problem
  while :; do
    problem=""
    for d in "${DATATYPES[@]}"; do
      find "$uploads" -path "*/$d/*" -name '*.tgz' 2>/dev/null | grep -q . ||
        { problem="no archive of $d"; break; }
    done
    if [[ -z $problem ]]; then
      find "$uploads" -name '*.tgz' -exec tar -tzf {} \; 2>/dev/null | sed 's|.*/||' | sort -u >"$work/archived"
      while read -r d name; do
        grep -qxF "${name##*/}" "$work/archived" || { problem="$d file ${name##*/} in no archive"; break; }
      done <"$work/seen"
    fi
    [[ -z $problem ]] && break
    ((SECONDS < deadline)) || { log "$problem"; return 1; }
    sleep 2
  done
  find "$uploads" -name '*.tgz' | sed "s|^$uploads/|    |" | sort
}

# The download's UUID names its files in ndt7, tcpinfo, pcap, annotation2 and scamper1.
same_uuid() {
  local uuid d
  uuid=$(grep '^ndt7 .*download' "$work/seen" | head -1 | sed -E 's/.*Z\.(.*)\.json(\.gz)?$/\1/')
  [[ -n $uuid ]] || { log "no ndt7 download file"; return 1; }
  echo "    download UUID $uuid"
  for d in tcpinfo pcap annotation2 scamper1; do
    grep -q "^$d .*$uuid" "$work/seen" || { log "no $d file for $uuid"; return 1; }
  done
}

metrics_served() {
  local port code rc=0
  for port in 9990 9991 9992 9993 9994 9995; do
    code=$(ip netns exec "$client_ns" curl -s -o /dev/null -w '%{http_code}' --max-time 5 \
      "http://$NODE_IP:$port/metrics")
    [[ $code == 200 ]] || { log "metrics on $port: HTTP $code"; rc=1; }
  done
  return $rc
}

# The images were built here (stamped): ndt-server must name this checkout's commit.
built_from_this_commit() {
  local want
  want=$(git -C "$repo" rev-parse --short=7 HEAD 2>/dev/null) || want=0000000
  ip netns exec "$client_ns" curl -s --max-time 5 "http://$NODE_IP:9990/metrics" |
    grep -q "^git_short_commit{commit=\"$want\"}" ||
    { log "ndt-server's git_short_commit is not $want"; return 1; }
}

# podman's API can fail a start with "read /proc/PID/cgroup: no such process" when a one-shot
# container (set-data-dir-perms) exits before podman reads its cgroup; `up` converges, so a
# second one finishes the job. Anything else failing twice is a real failure.
compose_up_ndt() {
  "${compose[@]}" --profile ndt up -d && return 0
  log "compose up failed once; retrying (podman's short-lived container race)"
  "${compose[@]}" --profile ndt up -d
}

spool_empty() {
  local left
  # Hidden directories hold services' state (pusher's journal, staging, annotated UUIDs).
  left=$(find "$1" -type f ! -path '*/.*/*' | head -5)
  [[ -z $left ]] || { log "left in the spool: $left"; return 1; }
}

dump_logs() {
  local c
  log "last log lines of each container:"
  for c in $(podman ps -a --format '{{.Names}}' | grep "^$1"); do
    echo "--- $c" >&2
    podman logs --tail 15 "$c" 2>&1 | sed 's/^/    /' >&2
  done
}

# ---- pod -----------------------------------------------------------------------------------
run_pod() {
  echo "== pod: rendered from deploy/testing/pod (physical overlay), run with podman"
  local manifest="$work/pod.yaml" root="$work/pod-host"
  kubectl kustomize "$deploy/testing/pod" >"$manifest" 2>"$work/kustomize.err" ||
    { cat "$work/kustomize.err" >&2; check "render the pod" false; return; }
  mkdir -p "$root/cache/annotator-data" "$root/var/local/metadata" "$work/secrets"/{tls,verify,pusher,annotator}
  cp "$annotator_testdata"/{fake.tar.gz,RouteViewIPv4.tiny.gz,RouteViewIPv6.tiny.gz,annotations.json} \
    "$root/cache/annotator-data/"
  printf 10000000000 >"$root/var/local/metadata/iface-max-rate"
  printf none >"$root/var/local/metadata/managed"
  printf false >"$root/var/local/metadata/loadbalanced"
  cp "$work/tls/tls.crt" "$work/tls/tls.key" "$work/secrets/tls/"
  cp "$work/keys/verify.jwk" "$work/secrets/verify/jwk_sig_EdDSA_locate_20200409.pub"
  check "pod: init containers succeed and the six services start" \
    python3 "$deploy/testing/pod.py" up --manifest "$manifest" --name "$pod_name" \
    --netns "/run/netns/$node_ns" --pod-ip "$NODE_IP" --node-name "$MACHINE" \
    --host-root "$root" --state "$work/pod-state" \
    --secret "measurement-lab-org-tls=$work/secrets/tls" \
    --secret "locate-verify-keys=$work/secrets/verify" \
    --secret "pusher-credentials=$work/secrets/pusher" \
    --secret "uuid-annotator-credentials=$work/secrets/annotator"
  check "pod: every container running, ndt-server ready" \
    python3 "$deploy/testing/pod.py" wait-ready --manifest "$manifest" --name "$pod_name" --timeout 90
  check "pod: metrics on 9990-9995 (through the pod's nftables firewall)" metrics_served
  ((build)) && check "pod: ndt-server stamped with this commit (git_short_commit)" built_from_this_commit
  start_watch "$root/cache/data/ndt"
  check "pod: ndt7 client test (download wss, upload ws, with tokens)" client_test pod
  wait_for_datatypes 120
  check "pod: every datatype directory filled" every_datatype_seen
  check "pod: one UUID across ndt7, tcpinfo, pcap, annotation2, scamper1" same_uuid
  check "pod: pusher uploaded every datatype to the local directory" uploaded "$root/cache/uploads" 90
  ((failed)) && dump_logs "$pod_name"
  # Lame duck: SIGTERM to every container (as the kubelet), then the probe must fail.
  local c lame=1
  for c in $(podman ps --filter "pod=$pod_name" --format '{{.Names}}'); do
    podman kill --signal TERM "$c" >/dev/null
  done
  for _ in $(seq 1 10); do
    if ! python3 "$deploy/testing/pod.py" probe --manifest "$manifest" --name "$pod_name" >/dev/null 2>&1; then
      lame=0; break
    fi
    sleep 1
  done
  check "pod: after SIGTERM ndt-server's readiness probe fails (lame duck)" test $lame = 0
  python3 "$deploy/testing/pod.py" down --name "$pod_name" --grace 100
  check "pod: after shutdown everything was uploaded and the spool is empty" \
    spool_empty "$root/cache/data/ndt"
}

# ---- compose -------------------------------------------------------------------------------
run_compose() {
  echo "== compose: docker-compose against podman's API socket"
  local project="$work/compose" sock="$work/podman.sock"
  mkdir -p "$project"
  cp -r "$deploy/compose/." "$project/"
  rm -f "$project/.gitignore"
  (cd "$project" && mkdir -p spool uploads run/uuid run/tcpinfoeventsocket run/uuidannotatorsocket \
    autonode certs credentials metadata annotator-data)
  cp "$annotator_testdata"/{fake.tar.gz,RouteViewIPv4.tiny.gz,RouteViewIPv6.tiny.gz} "$project/annotator-data/"
  printf '%s' "$MACHINE" >"$project/autonode/hostname"
  cp "$annotator_testdata/annotations.json" "$project/autonode/annotation.json"
  cp "$work/keys/verify.jwk" "$project/locate/verify.pub"
  cp "$work/tls/tls.crt" "$work/tls/tls.key" "$project/certs/"
  sed -e 's/^ORGANIZATION=.*/ORGANIZATION=mlabtest/' -e "s/^IPV4=.*/IPV4=$NODE_IP/" \
    -e 's/^INTERFACE_NAME=.*/INTERFACE_NAME=net1/' -e 's/^INTERFACE_MAXRATE=.*/INTERFACE_MAXRATE=10000000000/' \
    -e 's|^TLS_CERT=.*|TLS_CERT=/certs/tls.crt|' -e 's|^TLS_KEY=.*|TLS_KEY=/certs/tls.key|' \
    -e 's|^MAXMIND_URL=.*|MAXMIND_URL=file:///annotator-data/fake.tar.gz|' \
    -e 's|^ROUTEVIEW_V4_URL=.*|ROUTEVIEW_V4_URL=file:///annotator-data/RouteViewIPv4.tiny.gz|' \
    -e 's|^ROUTEVIEW_V6_URL=.*|ROUTEVIEW_V6_URL=file:///annotator-data/RouteViewIPv6.tiny.gz|' \
    "$deploy/compose/env.example" >"$project/env"
  # Test only: pusher seals archives 10 s after their first file (ARCHIVE_WAIT_TIME sets
  # -archive_wait_time).
  cat >"$project/test.yml" <<'EOF'
services:
  pusher:
    environment:
      ARCHIVE_WAIT_TIME: 10s
  traceroute-caller:
    environment:
      SCAMPER_PTR: "false"  # tests make no DNS lookups
EOF
  # podman's API in the node's network namespace: "host" networking means that namespace.
  nsenter --net="/run/netns/$node_ns" podman system service --time=0 "unix://$sock" \
    >"$work/podman-service.log" 2>&1 &
  api_pid=$!
  for _ in $(seq 1 50); do [[ -S $sock ]] && break; sleep 0.2; done
  local compose=(docker-compose -p "mlabct$id" --env-file env -f docker-compose.yml -f podman.yml -f test.yml)
  export DOCKER_HOST="unix://$sock"
  cd "$project" || return
  check "compose: profile check-config passes" \
    "${compose[@]}" --profile check-config up --exit-code-from check-config check-config
  check "compose: profile ndt starts (one-shots complete, services up)" compose_up_ndt
  local s state all_up=0
  for _ in $(seq 1 45); do
    all_up=1
    for s in "${SERVICES[@]}"; do
      state=$(podman inspect -f '{{.State.Status}}' "mlabct${id}_${s}_1" 2>/dev/null)
      [[ $state == running ]] || all_up=0
    done
    ((all_up)) && break
    sleep 2
  done
  check "compose: the six services are running" test $all_up = 1
  local healthy=1
  sleep 5
  for s in "${SERVICES[@]}"; do
    podman healthcheck run "mlabct${id}_${s}_1" >/dev/null 2>&1 || { log "$s unhealthy"; healthy=0; }
  done
  check "compose: every service's health check passes" test $healthy = 1
  check "compose: metrics on 9990-9995" metrics_served
  start_watch "$project/spool"
  check "compose: ndt7 client test (download wss, upload ws, with tokens)" client_test compose
  wait_for_datatypes 120
  check "compose: every datatype directory filled" every_datatype_seen
  check "compose: one UUID across ndt7, tcpinfo, pcap, annotation2, scamper1" same_uuid
  check "compose: pusher uploaded every datatype to ./uploads" uploaded "$project/uploads" 90
  ((failed)) && dump_logs "mlabct${id}_"
  "${compose[@]}" --profile ndt stop -t 100 >/dev/null 2>&1
  check "compose: after stop everything was uploaded and the spool is empty" spool_empty "$project/spool"
  cd "$repo" || return
}

for t in "${tests[@]}"; do
  "run_$t"
done
echo "container tests: $passed passed, $failed failed"
((failed == 0))
