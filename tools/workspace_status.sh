#!/usr/bin/env bash
# Bazel's --workspace_status_command for stamped builds (.bazelrc --config=stamp): the short
# commit of the source tree, which lib/version compiles in (ndt-server's GitShortCommit). Outside
# a git checkout it prints nothing and builds say 0000000.
cd "$(dirname "$0")/.." || exit 0
commit=$(git rev-parse --short=7 HEAD 2>/dev/null) || exit 0
echo "STABLE_GIT_COMMIT $commit"
