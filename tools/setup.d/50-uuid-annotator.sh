#!/usr/bin/env bash
# Test peers of services/uuid-annotator:
#   libmaxmind-db-writer-perl  (Debian) builds the City databases the namespace test needs
#   mmdb-bin                   (Debian) mmdblookup, to inspect databases by hand
#   $MLAB_PEERS/bin/uuid-annotator  upstream Go uuid-annotator v0.5.10, for bench/uuid-annotator and
#                                   the byte-for-byte interop test (upstream_compat_test)
# Idempotent: each step checks first, so a second run takes well under a second.
set -euo pipefail
peers=${MLAB_PEERS:-/usr/local/lib/mlab-peers}

missing=()
for package in libmaxmind-db-writer-perl mmdb-bin; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
if ((${#missing[@]} > 0)); then
  echo "setup.d/uuid-annotator: installing ${missing[*]} (Debian)" >&2
  sudo=()
  if [[ $(id -u) != 0 ]]; then sudo=(sudo); fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Upstream's annotator, for the benchmark and the interop test (which skips without it); a failure
# here must not fail setup.
# Built from a throwaway module pinning the version: the proxy serves m-lab's pinned versions but
# not their version lists, which `go install ...@version` also asks for.
if [[ ! -x "$peers/bin/uuid-annotator" ]]; then
  echo "setup.d/uuid-annotator: building upstream uuid-annotator v0.5.10 (Go module proxy)" >&2
  mkdir -p "$peers/bin"
  build=$(mktemp -d)
  printf 'module peers\n\ngo 1.25\n\nrequire github.com/m-lab/uuid-annotator v0.5.10\n' >"$build/go.mod"
  printf '//go:build tools\n\npackage peers\n\nimport _ "github.com/m-lab/uuid-annotator"\n' >"$build/tools.go"
  if ! (cd "$build" && export GONOSUMDB=github.com/m-lab GOFLAGS=-mod=mod GOTOOLCHAIN=local &&
    go mod tidy >&2 && go build -o "$peers/bin/uuid-annotator" github.com/m-lab/uuid-annotator); then
    echo "setup.d/uuid-annotator: upstream uuid-annotator unavailable; its interop test skips" >&2
  fi
  rm -rf "$build"
fi
echo "setup.d/uuid-annotator: peers ready" >&2
