// A deliberate data race, for race_canary_test: proves that the TSan build reports races in our
// code through the suppressions and the instrumented Abseil (one thread writes under an
// absl::Mutex, the other without it). Built without TSan it only says so.
#include <cstdio>
#include <thread>

#include "absl/synchronization/mutex.h"

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define RACE_CANARY_TSAN 1
#endif
#endif

namespace {

#ifdef RACE_CANARY_TSAN
absl::Mutex mu;
long counter = 0;

void LockedWrites() {
  for (int i = 0; i < 1000; ++i) {
    absl::MutexLock lock(&mu);
    ++counter;
  }
}

void UnlockedWrites() {
  for (int i = 0; i < 1000; ++i) ++counter;
}
#endif

}  // namespace

int main() {
#ifndef RACE_CANARY_TSAN
  std::printf("race_canary: not a TSan build\n");
  return 0;
#else
  std::thread a(LockedWrites);
  std::thread b(UnlockedWrites);
  a.join();
  b.join();
  std::printf("race_canary: counter %ld\n", counter);
  return 0;
#endif
}
