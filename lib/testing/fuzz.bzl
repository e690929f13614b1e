"""mlab_fuzz_target: one libFuzzer target per parser of outside input.

    mlab_fuzz_target(
        name = "query_fuzzer",            # the fuzz target's file is query_fuzzer.cc
        srcs = ["query_fuzzer.cc"],       # defines LLVMFuzzerTestOneInput
        deps = [":query"],
        seeds = glob(["fuzz/corpus/query/*"]) + ["@shared_testdata//:some/file"],
    )

creates
  <name>            the fuzz target: a libFuzzer binary under --config=fuzz (clang, ASan, UBSan,
                    coverage; run it with tools/fuzz), a seed replayer in any other build;
  <name>_seeds_test a cc_test replaying every seed (and the empty input) through the target, so
                    `bazel test //...` checks the seeds in the default build and under each
                    sanitizer config;
  <name>_seeds      the seed list (<name>_seeds.txt, runfiles paths) that tools/fuzz reads.
"""

def mlab_fuzz_target(name, srcs, deps = [], seeds = [], tags = [], **kwargs):
    native.cc_library(
        name = name + "_target",
        testonly = True,
        srcs = srcs,
        deps = deps,
        alwayslink = True,
        **kwargs
    )
    native.filegroup(
        name = name + "_seed_files",
        testonly = True,
        srcs = seeds,
    )
    native.genrule(
        name = name + "_seeds",
        testonly = True,
        srcs = [":" + name + "_seed_files"],
        outs = [name + "_seeds.txt"],
        cmd = "for f in $(rootpaths :" + name + "_seed_files); do echo $$f; done > $@",
    )
    native.cc_binary(
        name = name,
        testonly = True,
        deps = [":" + name + "_target"] + select({
            "//lib/testing:fuzzing": [],
            "//conditions:default": ["//lib/testing:fuzz_replay_main"],
        }),
        linkopts = select({
            "//lib/testing:fuzzing": ["-fsanitize=fuzzer"],
            "//conditions:default": [],
        }),
        data = [":" + name + "_seeds", ":" + name + "_seed_files"],
        tags = tags + ["mlab_fuzzer"],
    )
    native.cc_test(
        name = name + "_seeds_test",
        size = "small",
        deps = [":" + name + "_target", "//lib/testing:fuzz_replay_main"],
        data = [":" + name + "_seed_files"],
        args = ["$(rootpaths :" + name + "_seed_files)"],
        tags = tags,
    )
