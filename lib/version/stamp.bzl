"""git_commit_header: the commit a stamped build (--config=stamp) was made from, as a C header."""

def _git_commit_header_impl(ctx):
    out = ctx.actions.declare_file(ctx.attr.out)
    if ctx.attr.stamp:
        # Only stamped builds read the status file: others are not rebuilt at every commit.
        ctx.actions.run_shell(
            inputs = [ctx.info_file],
            outputs = [out],
            command = (
                "commit=$(sed -n 's/^STABLE_GIT_COMMIT //p' \"$1\" | tr -cd '0-9a-f' | cut -c1-12); " +
                "printf '#define MLAB_GIT_COMMIT \"%s\"\\n' \"${commit:-0000000}\" >\"$2\""
            ),
            arguments = [ctx.info_file.path, out.path],
            mnemonic = "GitCommitHeader",
        )
    else:
        ctx.actions.write(out, "#define MLAB_GIT_COMMIT \"0000000\"\n")
    return [DefaultInfo(files = depset([out]))]

git_commit_header = rule(
    implementation = _git_commit_header_impl,
    attrs = {
        "out": attr.string(mandatory = True),
        "stamp": attr.bool(default = False),
    },
)
