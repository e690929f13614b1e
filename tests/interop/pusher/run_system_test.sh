#!/usr/bin/env bash
# Runs pusher_system_test.py under Bazel with the pusher binary from this build.
set -euo pipefail
exec python3 tests/interop/pusher/pusher_system_test.py --pusher services/pusher/pusher "$@"
