#!/usr/bin/env bash
# Test peers for services/pusher: fake-gcs-server (Go module proxy) as the GCS emulator, s3rver
# (npm) as the S3 emulator, our Go harness that checks archive paths against ETL's pattern, and
# (when the proxy serves it) upstream's Go pusher for bench/pusher.
# Idempotent; quick when everything is present.
set -euo pipefail
peers=${MLAB_PEERS:-/usr/local/lib/mlab-peers}
repo=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$peers/bin" "$peers/node"

if [[ ! -x "$peers/bin/fake-gcs-server" ]]; then
  echo "setup: installing fake-gcs-server into $peers/bin" >&2
  GOBIN="$peers/bin" GOFLAGS=-buildvcs=false go install github.com/fsouza/fake-gcs-server@latest
fi

if [[ ! -f "$peers/node/node_modules/s3rver/bin/s3rver.js" ]]; then
  echo "setup: installing s3rver into $peers/node" >&2
  npm install --silent --no-audit --no-fund --prefix "$peers/node" s3rver@3 >/dev/null
fi

# Our own harness (stdlib only, so it builds offline); rebuilt when its source changes.
harness_src="$repo/tests/interop/pusher/etlpath"
stamp="$peers/bin/.etl-archive-path-check.sha256"
sum=$(cat "$harness_src"/go.mod "$harness_src"/*.go | sha256sum | cut -d' ' -f1)
if [[ ! -x "$peers/bin/etl-archive-path-check" || "$(cat "$stamp" 2>/dev/null)" != "$sum" ]]; then
  echo "setup: building etl-archive-path-check into $peers/bin" >&2
  (cd "$harness_src" && GOFLAGS=-buildvcs=false go build -o "$peers/bin/etl-archive-path-check" .)
  echo "$sum" >"$stamp"
fi
# Upstream's Go pusher as $peers/bin/pusher-go, only for bench/pusher; a failure must not fail
# setup. Built from a throwaway module pinning the version (production's v1.20.3): the proxy
# serves m-lab's pinned versions at best, never their version lists. On 2026-11-22 it refused
# github.com/m-lab/pusher v1.20.3-v1.20.5 outright (403), by `go install @version` and by a
# module requiring it. A failed attempt is remembered per version (delete the marker to retry).
# bench/pusher/run.sh also takes PUSHER_GO=<binary>, an upstream pusher built some other way.
version=v1.20.3
unavailable="$peers/bin/.pusher-go.unavailable"
if [[ ! -x "$peers/bin/pusher-go" && "$(cat "$unavailable" 2>/dev/null)" != "$version" ]] &&
  command -v go >/dev/null; then
  echo "setup: building upstream pusher $version as $peers/bin/pusher-go (Go module proxy)" >&2
  build=$(mktemp -d)
  printf 'module peers\n\ngo 1.25\n\nrequire github.com/m-lab/pusher %s\n' "$version" >"$build/go.mod"
  printf '//go:build tools\n\npackage peers\n\nimport _ "github.com/m-lab/pusher"\n' >"$build/tools.go"
  if ! (cd "$build" && export GONOSUMDB=github.com/m-lab GOFLAGS=-mod=mod GOTOOLCHAIN=local &&
    go mod tidy >&2 && go build -o "$peers/bin/pusher-go" github.com/m-lab/pusher); then
    echo "setup: upstream pusher unavailable; bench/pusher measures ours alone" >&2
    echo "$version" >"$unavailable"
  fi
  rm -rf "$build"
fi
echo "setup: pusher test peers ready" >&2
