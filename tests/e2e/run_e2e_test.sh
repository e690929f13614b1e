#!/usr/bin/env bash
# Runs e2e_test.py under Bazel with this build's binaries (the runfiles root is the cwd).
set -euo pipefail
exec python3 tests/e2e/e2e_test.py --runfiles "$PWD" "$@"
