#!/usr/bin/env bash
# Test peers of services/packet-headers:
#   tshark, tcpdump                    (Debian) read our .pcap.gz files; tcpdump is the bench baseline
#   $MLAB_PEERS/bin/packet-headers     upstream Go packet-headers, for bench/packet-headers only
# Idempotent: each step checks first, so a second run takes well under a second.
set -euo pipefail
peers=${MLAB_PEERS:-/usr/local/lib/mlab-peers}

missing=()
for package in tshark tcpdump; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
if ((${#missing[@]} > 0)); then
  echo "setup.d/packet-headers: installing ${missing[*]} (Debian)" >&2
  sudo=()
  if [[ $(id -u) != 0 ]]; then sudo=(sudo); fi
  export DEBIAN_FRONTEND=noninteractive
  # wireshark-common asks whether non-root users may capture; answer "no" without a prompt.
  echo "wireshark-common wireshark-common/install-setuid boolean false" |
    "${sudo[@]}" debconf-set-selections
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Upstream's packet-headers, only for the side-by-side benchmark; a failure must not fail setup.
# Built from a throwaway module pinning the version: the proxy serves m-lab's pinned versions but
# not their version lists, which `go install ...@version` also asks for.
# A failed attempt is remembered per version (delete the marker to retry), so later runs stay quick.
version=v0.7.6
unavailable="$peers/bin/.packet-headers.unavailable"
if [[ ! -x "$peers/bin/packet-headers" && "$(cat "$unavailable" 2>/dev/null)" != "$version" ]] &&
  command -v go >/dev/null; then
  echo "setup.d/packet-headers: building upstream packet-headers $version (Go module proxy)" >&2
  mkdir -p "$peers/bin"
  build=$(mktemp -d)
  printf 'module peers\n\ngo 1.25\n\nrequire github.com/m-lab/packet-headers %s\n' "$version" >"$build/go.mod"
  printf '//go:build tools\n\npackage peers\n\nimport _ "github.com/m-lab/packet-headers"\n' >"$build/tools.go"
  if ! (cd "$build" && export GONOSUMDB=github.com/m-lab GOFLAGS=-mod=mod GOTOOLCHAIN=local &&
    go mod tidy >&2 && go build -o "$peers/bin/packet-headers" github.com/m-lab/packet-headers); then
    echo "setup.d/packet-headers: upstream packet-headers unavailable; bench/packet-headers skips it" >&2
    echo "$version" >"$unavailable"
  fi
  rm -rf "$build"
fi
echo "setup.d/packet-headers: peers ready" >&2
