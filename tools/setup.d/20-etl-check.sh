#!/usr/bin/env bash
# Builds tests/etl (etl-check: M-Lab ETL's parsing on our archive files) into $MLAB_PEERS/bin.
# Rebuilt only when its sources change.
set -euo pipefail
src="$(cd "$(dirname "$0")/../../tests/etl" && pwd)"
bin="$MLAB_PEERS/bin/etl-check"
stamp="$MLAB_PEERS/bin/.etl-check.stamp"
want=$(cat "$src"/go.mod "$src"/go.sum "$src"/*.go | sha256sum | cut -d' ' -f1)
if [[ -x "$bin" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then exit 0; fi
echo "setup: building etl-check (Go module proxy)" >&2
mkdir -p "$MLAB_PEERS/bin"
# M-Lab's modules are not in the public checksum database; go.sum pins them instead.
(cd "$src" && GONOSUMDB=github.com/m-lab GOFLAGS=-mod=readonly go build -o "$bin.tmp" .)
mv "$bin.tmp" "$bin"
echo "$want" >"$stamp"
