#!/usr/bin/env bash
# Test peers of services/ndt-server (interop tests in tests/interop/ndt7 and services/ndt-server):
#   $MLAB_PEERS/bin/ndt7-client        m-lab/ndt7-client-go, from the Go module proxy
#   $MLAB_PEERS/bin/ndt7-schema-check  decodes results into upstream v0.25.0's NDT7Result, strictly
#   $MLAB_PEERS/node/node_modules/     @m-lab/ndt7, ws, playwright-core (npm)
#   /usr/bin/chromium                  Debian's chromium, driven by playwright-core
# Idempotent: each step checks first, so a second run takes well under a second.
set -euo pipefail

peers=${MLAB_PEERS:-/usr/local/lib/mlab-peers}
repo=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$peers/bin" "$peers/node"
export GOFLAGS=-mod=mod GOTOOLCHAIN=local

# Built from a throwaway module pinning the version: the proxy serves m-lab's pinned versions
# but not their version lists, which `go install ...@version` also asks for.
if [[ ! -x "$peers/bin/ndt7-client" ]]; then
  echo "setup.d/ndt-server: building ndt7-client-go v0.10.1" >&2
  build=$(mktemp -d)
  printf 'module peers\n\ngo 1.25\n\nrequire github.com/m-lab/ndt7-client-go v0.10.1\n' >"$build/go.mod"
  printf '//go:build tools\n\npackage peers\n\nimport _ "github.com/m-lab/ndt7-client-go/cmd/ndt7-client"\n' >"$build/tools.go"
  (cd "$build" && go mod tidy >&2 &&
    go build -o "$peers/bin/ndt7-client" github.com/m-lab/ndt7-client-go/cmd/ndt7-client)
  rm -rf "$build"
fi

# Our strict schema check against upstream's current data.NDT7Result (ETL's own parsing is
# tests/etl's etl-check, built by 20-etl-check.sh); rebuilt only when its sources change.
schema_src="$repo/tests/interop/ndt7/schemacheck"
if [[ -d "$schema_src" ]]; then
  stamp=$(cat "$schema_src"/go.mod "$schema_src"/go.sum "$schema_src"/*.go | sha256sum | cut -d' ' -f1)
  if [[ ! -x "$peers/bin/ndt7-schema-check" ||
        "$(cat "$peers/bin/.ndt7-schema-check.stamp" 2>/dev/null)" != "$stamp" ]]; then
    echo "setup.d/ndt-server: building ndt7-schema-check (ndt-server v0.25.0 data package)" >&2
    build=$(mktemp -d)
    cp "$schema_src"/go.mod "$schema_src"/go.sum "$schema_src"/*.go "$build"/
    (cd "$build" && go build -o "$peers/bin/ndt7-schema-check" .)
    rm -rf "$build"
    echo "$stamp" >"$peers/bin/.ndt7-schema-check.stamp"
  fi
fi

node_packages=("@m-lab/ndt7@0.1.4" "ws@8" "playwright-core@1")
if [[ ! -f "$peers/node/node_modules/@m-lab/ndt7/package.json" ||
      ! -f "$peers/node/node_modules/ws/package.json" ||
      ! -f "$peers/node/node_modules/playwright-core/package.json" ]]; then
  echo "setup.d/ndt-server: installing ${node_packages[*]} (npm)" >&2
  [[ -f "$peers/node/package.json" ]] || echo '{"name":"mlab-peers","private":true}' >"$peers/node/package.json"
  (cd "$peers/node" && npm install --no-audit --no-fund --silent "${node_packages[@]}" >&2)
fi

if [[ ! -x /usr/bin/chromium ]]; then
  echo "setup.d/ndt-server: installing chromium (Debian)" >&2
  sudo=()
  if [[ $(id -u) != 0 ]]; then sudo=(sudo); fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
fi
echo "setup.d/ndt-server: peers ready in $peers" >&2
