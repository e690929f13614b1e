// Default options and suppressions of ASan, LSan, UBSan and TSan for every binary built with
// --config=asan/ubsan/tsan/fuzz (what and why: tools/sanitizers/README.md). The sanitizer runtimes
// call these hooks at startup; $ASAN_OPTIONS etc. still override them. A binary built without a
// sanitizer never calls them.

extern "C" {

// Strict checks beyond the defaults; leaks are reported (LSan) at exit.
const char* __asan_default_options() {
  return "detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1:"
         "check_initialization_order=1:strict_init_order=1:detect_invalid_pointer_pairs=1";
}

const char* __ubsan_default_options() { return "print_stacktrace=1:halt_on_error=1"; }

// Debian's libraries are built without sanitizers. Leak reports are only suppressed where the
// allocation happens inside one of them and is theirs to free (process-lifetime caches).
const char* __lsan_default_suppressions() {
  return "leak:libgrpc.so\n"
         "leak:libgrpc++.so\n"
         "leak:libprotobuf.so\n"
         "leak:libcrypto.so\n";
}

const char* __tsan_default_options() {
  return "halt_on_error=1:second_deadlock_stack=1:history_size=4";
}

// TSan sees only instrumented code, so synchronization done inside Debian's uninstrumented
// libraries is invisible to it. Suppressed: reports whose stack runs through gRPC's or protobuf's
// uninstrumented internals (completion queues, its thread pool and its own locks hand our objects
// from one thread to another with happens-before edges TSan cannot see). Races between our own
// threads are never suppressed.
//
// Abseil is instrumented under --config=tsan (built from source, //third_party:absl), but clang-14's
// TSan counts the mmap behind each thread's Abseil identity (LowLevelAlloc) as a write, and
// Mutex hands identities between threads inside its annotated sections, where TSan looks away: so
// the semaphore post that wakes a waiter "races" with that mmap. Both frames are Abseil-internal.
//
// glibc's tzset (called by glog for each line's time) frees and reallocates its zone string under
// a libc-internal lock TSan does not see; two threads logging at once then "race" inside libc.
const char* __tsan_default_suppressions() {
  return "race:tzset_internal\n"
         "race:absl::*::synchronization_internal::Waiter::\n"
         "race:absl::*::base_internal::LowLevelAlloc::\n"
         "race:libgrpc.so\n"
         "race:libgrpc++.so\n"
         "race:libgpr.so\n"
         "race:libprotobuf.so\n"
         "called_from_lib:libgrpc.so\n"
         "called_from_lib:libgrpc++.so\n"
         "called_from_lib:libgpr.so\n";
}

}  // extern "C"
