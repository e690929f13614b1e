#!/usr/bin/env bash
# Runs fault_test.py under Bazel with this build's binaries (the runfiles root is the cwd).
set -euo pipefail
export PYTHONPATH="$PWD/tests/e2e${PYTHONPATH:+:$PYTHONPATH}"
exec python3 tests/e2e/fault_test.py --runfiles "$PWD" "$@"
