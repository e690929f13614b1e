#!/usr/bin/env bash
# Test peers of services/tcp-info:
#   zstd (Debian, installed by tools/setup)  upstream's tcp-info pipes every archive through it
#   $MLAB_PEERS/bin/tcp-info                 upstream Go tcp-info v1.9.0, for bench/tcp-info only
# Idempotent: quick when the binary is there.
set -euo pipefail
peers=${MLAB_PEERS:-/usr/local/lib/mlab-peers}
version=v1.9.0

# Only for the side-by-side benchmark; a failure here must not fail setup. Built from a throwaway
# module pinning the version (what `GOBIN=$peers/bin go install github.com/m-lab/tcp-info@v1.9.0`
# would install): the proxy serves m-lab's pinned versions but not their version lists, which
# `go install ...@version` also asks for.
stamp="$peers/bin/.tcp-info.version"
if [[ ! -x "$peers/bin/tcp-info" || "$(cat "$stamp" 2>/dev/null)" != "$version" ]]; then
  echo "setup.d/tcp-info: building upstream tcp-info $version (Go module proxy)" >&2
  mkdir -p "$peers/bin"
  build=$(mktemp -d)
  printf 'module peers\n\ngo 1.25\n\nrequire github.com/m-lab/tcp-info %s\n' "$version" >"$build/go.mod"
  printf '//go:build tools\n\npackage peers\n\nimport _ "github.com/m-lab/tcp-info"\n' >"$build/tools.go"
  if (cd "$build" && export GONOSUMDB=github.com/m-lab GOFLAGS=-mod=mod GOTOOLCHAIN=local &&
    go mod tidy >&2 && go build -o "$peers/bin/tcp-info.tmp" github.com/m-lab/tcp-info); then
    mv "$peers/bin/tcp-info.tmp" "$peers/bin/tcp-info"
    echo "$version" >"$stamp"
  else
    rm -f "$peers/bin/tcp-info.tmp"
    echo "setup.d/tcp-info: upstream tcp-info unavailable; bench/tcp-info cannot compare with it" >&2
  fi
  rm -rf "$build"
fi
echo "setup.d/tcp-info: peers ready" >&2
