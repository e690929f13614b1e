#!/bin/bash
# The `check-config` one-shot of the compose project: checks the env file's values and the host
# (host networking: it sees the real interfaces), writes the node's addresses to ./metadata for
# traceroute-caller, and exits non-zero with every problem found.
set -u
problems=0
fail() { echo "check-config: FAIL: $*" >&2; problems=$((problems + 1)); }
ok() { echo "check-config: ok: $*"; }

valid_ipv4() {
  local IFS=. a b c d
  [[ $1 =~ ^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$ ]] || return 1
  read -r a b c d <<<"$1"
  ((a <= 255 && b <= 255 && c <= 255 && d <= 255))
}
valid_ipv6() { [[ $1 =~ ^[0-9A-Fa-f:]+$ && $1 == *:*:* ]]; }

[[ -n ${ORGANIZATION:-} ]] && ok "ORGANIZATION=$ORGANIZATION" || fail "ORGANIZATION is empty"
[[ ${IATA:-} =~ ^[a-z]{3}$ ]] && ok "IATA=$IATA" || fail "IATA must be 3 lowercase letters (got '${IATA:-}')"
if [[ ${PROBABILITY:-} =~ ^(0?\.[0-9]+|1(\.0*)?|0\.?[0-9]*)$ ]] &&
  awk -v p="$PROBABILITY" 'BEGIN { exit !(p > 0 && p <= 1) }'; then
  ok "PROBABILITY=$PROBABILITY"
else
  fail "PROBABILITY must be in (0, 1] (got '${PROBABILITY:-}')"
fi
if [[ ${UPLINK:-} =~ ^([0-9]+)g$ ]] && ((BASH_REMATCH[1] >= 1)); then
  ok "UPLINK=$UPLINK"
else
  fail "UPLINK must be <int>g, at least 1g (got '${UPLINK:-}')"
fi
[[ ${INTERFACE_MAXRATE:-} =~ ^[0-9]+$ ]] && ok "INTERFACE_MAXRATE=$INTERFACE_MAXRATE" ||
  fail "INTERFACE_MAXRATE must be a number of bit/s (got '${INTERFACE_MAXRATE:-}')"
[[ ${TYPE:-} == physical || ${TYPE:-} == virtual ]] && ok "TYPE=$TYPE" ||
  fail "TYPE must be physical or virtual (got '${TYPE:-}')"
valid_ipv4 "${IPV4:-}" && ok "IPV4=$IPV4" || fail "IPV4 must be the node's public IPv4 address (got '${IPV4:-}')"
if [[ -n ${IPV6:-} ]]; then
  valid_ipv6 "$IPV6" && ok "IPV6=$IPV6" || fail "IPV6 is not an IPv6 address (got '$IPV6')"
fi

if [[ -n ${INTERFACE_NAME:-} && -e /sys/class/net/$INTERFACE_NAME ]]; then
  ok "interface $INTERFACE_NAME exists"
else
  fail "INTERFACE_NAME '${INTERFACE_NAME:-}' is not an interface of this host ($(ls /sys/class/net | tr '\n' ' '))"
fi
if grep -qw bbr /proc/sys/net/ipv4/tcp_available_congestion_control; then
  ok "TCP BBR available"
else
  fail "TCP BBR is not available: run 'sudo modprobe tcp_bbr' (and add tcp_bbr to /etc/modules)"
fi

# Written by M-Lab's registration (mlab.yml), or by hand for a node outside M-Lab.
for f in hostname annotation.json; do
  [[ -s /autonode/$f ]] && ok "./autonode/$f present" ||
    fail "./autonode/$f is missing: run with mlab.yml (M-Lab registration) or write it (deploy/README.md)"
done

if [[ -n ${TLS_CERT:-} || -n ${TLS_KEY:-} ]]; then
  [[ -r ${TLS_CERT:-/nonexistent} && -r ${TLS_KEY:-/nonexistent} ]] && ok "TLS certificate and key readable" ||
    fail "TLS_CERT and TLS_KEY must both name readable files under /certs (./certs)"
fi
if [[ ${TOKEN_REQUIRED:-true} == true ]]; then
  [[ -s /locate/verify.pub ]] && ok "Locate verify key present" || fail "./locate/verify.pub is missing"
fi

case "${UPLOAD_BUCKET:-}" in
  "" | file://*) ok "uploads go to the local directory ./uploads" ;;
  s3://*)
    [[ -n ${AWS_ACCESS_KEY_ID:-} && -n ${AWS_SECRET_ACCESS_KEY:-} ]] && ok "uploads go to $UPLOAD_BUCKET" ||
      fail "UPLOAD_BUCKET=$UPLOAD_BUCKET needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY" ;;
  *)
    [[ -s /etc/credentials/pusher.json ]] && ok "uploads go to $UPLOAD_BUCKET" ||
      fail "UPLOAD_BUCKET=$UPLOAD_BUCKET needs the service account key ./credentials/pusher.json" ;;
esac

# traceroute-caller reads the node's public addresses from /metadata (as autonode's configs).
if [[ -w /metadata ]]; then
  printf '%s' "${IPV4:-}" >/metadata/external-ip
  printf '%s' "${IPV6:-}" >/metadata/external-ipv6
fi

if ((problems > 0)); then
  echo "check-config: $problems problem(s); fix the env file or the host, then run again" >&2
  exit 1
fi
echo "check-config: configuration OK"
