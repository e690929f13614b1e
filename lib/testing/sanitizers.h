#ifndef MLAB_LIB_TESTING_SANITIZERS_H_
#define MLAB_LIB_TESTING_SANITIZERS_H_

namespace mlab::testing {

// True in the ASan and TSan builds (--config=asan, tsan, fuzz). Their shadow memory and quarantine
// count in a process's resident memory, so a test of a memory cap means nothing there; and they
// slow code 2-15x, so a test of timeliness needs slack.
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define MLAB_TESTING_HEAVY_SANITIZER 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define MLAB_TESTING_HEAVY_SANITIZER 1
#endif

#ifdef MLAB_TESTING_HEAVY_SANITIZER
inline constexpr bool kHeavySanitizer = true;
#else
inline constexpr bool kHeavySanitizer = false;
#endif
#undef MLAB_TESTING_HEAVY_SANITIZER

}  // namespace mlab::testing

#endif  // MLAB_LIB_TESTING_SANITIZERS_H_
