"""Compiles .proto files with Debian's protoc and grpc_cpp_plugin (Bazel 4.2 offline has no proto rules)."""

def grpc_cc_library(name, src, deps = [], visibility = None):
    """A cc_library with the protobuf messages and gRPC stubs generated from one .proto file.

    Args:
      name: the cc_library's name.
      src: the .proto file, in this package.
      deps: other grpc_cc_library targets whose .proto files `src` imports.
      visibility: as for cc_library.
    """
    base = src[:-len(".proto")]
    outs = [base + ext for ext in [".pb.h", ".pb.cc", ".grpc.pb.h", ".grpc.pb.cc"]]
    native.genrule(
        name = name + "_gen",
        srcs = [src],
        outs = outs,
        cmd = ("/usr/bin/protoc -I. -I/usr/include " +
               "--cpp_out=$(GENDIR) --grpc_out=$(GENDIR) " +
               "--plugin=protoc-gen-grpc=/usr/bin/grpc_cpp_plugin $(location {})").format(src),
    )
    native.cc_library(
        name = name,
        srcs = [o for o in outs if o.endswith(".cc")],
        hdrs = [o for o in outs if o.endswith(".h")],
        deps = deps + ["//third_party:grpc"],
        visibility = visibility,
    )
