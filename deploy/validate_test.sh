#!/usr/bin/env bash
# //deploy:validate_test: runs deploy/validate on a copy of the manifests (kustomize refuses files
# reached through the runfiles' symlinks), with the binaries of this build's output tree.
set -euo pipefail
runfiles="${TEST_SRCDIR:?run with bazel test}/${TEST_WORKSPACE:-mlab_node}"
work="${TEST_TMPDIR:-$(mktemp -d)}/deploy"
rm -rf "$work"
cp -RL "$runfiles/deploy" "$work"
# bazel-out/<config>/bin: where this build put create-uuid-prefix-file, and the services.
tool=tools/create-uuid-prefix-file/create-uuid-prefix-file
real=$(readlink -f "$runfiles/$tool")
bin=${real%/"$tool"}
# The workspace the manifests come from (runfiles link to the source files).
src=$(dirname "$(dirname "$(readlink -f "$runfiles/deploy/validate")")")
echo "validate_test: binaries from $bin, workspace $src"
exec "$work/validate" --bin "$bin" --src "$src"
