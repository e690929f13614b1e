"""@abseil_source: Debian's Abseil source, unpacked by tools/setup.d/91-abseil-source.sh.

Only --config=tsan uses it (third_party:absl): there Abseil is compiled from this source with
-fsanitize=thread instead of linked from Debian's uninstrumented libraries. Without the source
(tools/setup not run) the repository still loads, and building from it fails with a message
saying what to run.
"""

_MISSING = """
genrule(
    name = "missing_source",
    outs = ["missing.cc"],
    cmd = "echo 'Abseil source not found in {path}: run tools/setup (tools/setup.d/91-abseil-source.sh)' >&2; exit 1",
)

cc_library(
    name = "absl_tsan",
    srcs = [":missing_source"],
    visibility = ["//visibility:public"],
)
"""

def _abseil_source_impl(ctx):
    peers = ctx.os.environ.get("MLAB_PEERS", "/usr/local/lib/mlab-peers")
    source = ctx.path(peers + "/src/abseil")
    if not source.get_child("absl").exists:
        ctx.file("BUILD.bazel", _MISSING.format(path = str(source)))
        return

    # The sources and headers only: the tree's own BUILD files would split it into packages.
    found = ctx.execute(
        ["find", "absl", "-type", "f", "(", "-name", "*.cc", "-o", "-name", "*.h", "-o", "-name", "*.inc", ")"],
        working_directory = str(source),
    )
    if found.return_code != 0:
        fail("listing %s: %s" % (source, found.stderr))
    for file in found.stdout.splitlines():
        ctx.symlink(ctx.path(str(source) + "/" + file), file)
    ctx.symlink(ctx.attr.build_file, "BUILD.bazel")

abseil_source = repository_rule(
    implementation = _abseil_source_impl,
    attrs = {"build_file": attr.label(allow_single_file = True)},
    environ = ["MLAB_PEERS"],
    local = True,
)
