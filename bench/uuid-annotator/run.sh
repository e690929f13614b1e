#!/usr/bin/env bash
# Builds uuid-annotator and the load generator with -c opt, then runs bench/uuid-annotator:
# our Annotator (gRPC) and ipservice (HTTP) beside upstream's Go uuid-annotator ipservice on the
# same datasets and addresses. Extra arguments go to the benchmark (e.g. -concurrency=8).
set -euo pipefail
cd "$(dirname "$0")/../.."
export MLAB_PEERS=${MLAB_PEERS:-/usr/local/lib/mlab-peers}
[[ -x "$MLAB_PEERS/bin/uuid-annotator" ]] || bash tools/setup.d/50-uuid-annotator.sh
bazel build -c opt //bench/uuid-annotator:annotator_bench
# bazel-bin may point at another configuration (builds run concurrently): ask for opt's.
bin=$(bazel info -c opt bazel-bin 2>/dev/null)/bench/uuid-annotator
cd "$bin/annotator_bench.runfiles/mlab_node"
exec "$bin/annotator_bench" -upstream="$MLAB_PEERS/bin/uuid-annotator" "$@"
