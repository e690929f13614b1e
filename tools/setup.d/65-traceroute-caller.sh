#!/usr/bin/env bash
# Test peers of services/traceroute-caller:
#   scamper  (Debian bookworm 20211212) /usr/bin/scamper, the traceroute the service runs; its tests
#            run it inside namespaces they create, never with -O ptr (no DNS).
# Idempotent: checks first, so a second run takes well under a second.
set -euo pipefail

if ! dpkg-query -W -f='${Status}' scamper 2>/dev/null | grep -q "install ok installed"; then
  echo "setup.d/traceroute-caller: installing scamper (Debian)" >&2
  sudo=()
  if [[ $(id -u) != 0 ]]; then sudo=(sudo); fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends scamper >/dev/null
fi
# scamper's privilege separation chroots into /var/empty; create it as upstream's image does.
if [[ ! -d /var/empty ]]; then
  sudo=()
  if [[ $(id -u) != 0 ]]; then sudo=(sudo); fi
  "${sudo[@]}" mkdir -p -m 0555 /var/empty
fi
echo "setup.d/traceroute-caller: scamper ready ($(/usr/bin/scamper -v 2>&1 | head -n1))" >&2
