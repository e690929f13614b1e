#!/usr/bin/env bash
# Under --config=tsan, the race canary must be reported (exit 66, its race named): the TSan
# stage's suppressions and the instrumented Abseil hide nothing of ours. Elsewhere it checks only
# that the canary runs.
set -uo pipefail
canary=$1
output=$("$canary" 2>&1)
status=$?
if grep -q 'not a TSan build' <<<"$output"; then
  echo "not a TSan build: nothing to check"
  exit 0
fi
if ((status != 66)); then
  echo "FAIL: the canary exited $status, not 66 (TSan's exit code on a report):"
  echo "$output"
  exit 1
fi
if ! grep -q 'WARNING: ThreadSanitizer: data race' <<<"$output" ||
  ! grep -q 'UnlockedWrites' <<<"$output"; then
  echo "FAIL: no data race reported in UnlockedWrites:"
  echo "$output"
  exit 1
fi
echo "TSan reported the canary's race"
