#!/usr/bin/env bash
# tools/workspace_status.sh: in a git checkout it names HEAD's short commit (what stamped builds
# compile in); outside one it prints nothing and still succeeds, so a build from a tarball works.
set -euo pipefail
fail() { echo "FAIL: $*" >&2; exit 1; }
script="${TEST_SRCDIR:?run with bazel test}/${TEST_WORKSPACE:-mlab_node}/tools/workspace_status.sh"
work=$(mktemp -d "${TEST_TMPDIR:-/tmp}/status.XXXXXX")
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/repo/tools" "$work/plain/tools"
cp "$script" "$work/repo/tools/" && cp "$script" "$work/plain/tools/"
git -C "$work/repo" init -q
git -C "$work/repo" -c user.name=t -c user.email=t@example.com commit -q --allow-empty -m first
want=$(git -C "$work/repo" rev-parse --short=7 HEAD)
got=$(bash "$work/repo/tools/workspace_status.sh")
[[ $got == "STABLE_GIT_COMMIT $want" ]] || fail "in a checkout: got '$got', want STABLE_GIT_COMMIT $want"

got=$(GIT_CEILING_DIRECTORIES="$work" bash "$work/plain/tools/workspace_status.sh") ||
  fail "outside a checkout it failed"
[[ -z $got ]] || fail "outside a checkout it printed '$got'"
echo "PASS: workspace status names the commit, and nothing outside git"
