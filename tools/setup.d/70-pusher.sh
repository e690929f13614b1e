#!/usr/bin/env bash
# Test peers for services/pusher: fake-gcs-server (Go module proxy) as the GCS emulator, s3rver
# (npm) as the S3 emulator, and our Go harness that checks archive paths against ETL's pattern.
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
echo "setup: pusher test peers ready" >&2
