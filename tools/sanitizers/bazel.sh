# Sourced by tools/test, tools/fuzz and tools/sanitize (from the workspace root): the clang builds'
# own Bazel output base, so they never disturb the default gcc one. $MLAB_SANITIZER_OUTPUT_BASE,
# default ~/.cache/bazel-mlab-san-<hash of the workspace path> (one per clone, as Bazel keeps one
# output base per workspace).
# shellcheck shell=bash
sanitizer_bazel=(bazel --output_base="${MLAB_SANITIZER_OUTPUT_BASE:-$HOME/.cache/bazel-mlab-san-$(pwd | md5sum | cut -c1-8)}")
# Every fuzz target (mlab_fuzz_target in lib/testing/fuzz.bzl tags them).
fuzz_target_query='attr(tags, "\bmlab_fuzzer\b", //...)'
