// TraceLimiter: never more jobs at once than the limit, a bounded queue, and a clean stop.
#include "services/traceroute-caller/trace_limiter.h"

#include <algorithm>
#include <atomic>
#include <memory>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"

namespace mlab::trc {
namespace {

TEST(TraceLimiterTest, RunsAtMostTheLimitAtOnce) {
  TraceLimiter limiter({3, 100});
  absl::Notification release;
  absl::Mutex mu;
  int now = 0, peak = 0;
  std::atomic<int> done{0};
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(limiter
                    .Submit({[&] {
                               {
                                 absl::MutexLock lock(&mu);
                                 peak = std::max(peak, ++now);
                               }
                               release.WaitForNotification();
                               {
                                 absl::MutexLock lock(&mu);
                                 --now;
                               }
                               done.fetch_add(1);
                             },
                             nullptr})
                    .ok());
  }
  // Waits (bounded) until three jobs are inside their bodies, not merely taken off the queue.
  {
    absl::MutexLock lock(&mu);
    ASSERT_TRUE(mu.AwaitWithTimeout(absl::Condition(
                                        +[](int* n) { return *n == 3; }, &now),
                                    absl::Seconds(10)));
  }
  EXPECT_EQ(limiter.running(), 3);
  EXPECT_EQ(limiter.queued(), 17u);
  release.Notify();
  EXPECT_TRUE(limiter.WaitIdle(absl::Now() + absl::Seconds(10)));
  EXPECT_EQ(done.load(), 20);
  absl::MutexLock lock(&mu);
  EXPECT_EQ(peak, 3);
  EXPECT_EQ(limiter.peak_running(), 3);
}

TEST(TraceLimiterTest, FullQueueRefuses) {
  TraceLimiter limiter({1, 2});
  absl::Notification started, release;
  ASSERT_TRUE(limiter
                  .Submit({[&] {
                             started.Notify();
                             release.WaitForNotification();
                           },
                           nullptr})
                  .ok());
  started.WaitForNotification();
  EXPECT_TRUE(limiter.Submit({[] {}, nullptr}).ok());
  EXPECT_TRUE(limiter.Submit({[] {}, nullptr}).ok());
  EXPECT_EQ(limiter.Submit({[] {}, nullptr}).code(), absl::StatusCode::kResourceExhausted);
  release.Notify();
}

TEST(TraceLimiterTest, StopAbandonsQueuedAndLetsRunningFinish) {
  TraceLimiter limiter({1, 10});
  absl::Notification started, release;
  std::atomic<bool> finished{false};
  ASSERT_TRUE(limiter
                  .Submit({[&] {
                             started.Notify();
                             release.WaitForNotification();
                             finished = true;
                           },
                           nullptr})
                  .ok());
  started.WaitForNotification();
  std::atomic<int> abandoned{0}, ran{0};
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(limiter
                    .Submit({[&] { ran.fetch_add(1); },
                             [&](const absl::Status& s) {
                               EXPECT_EQ(s.code(), absl::StatusCode::kCancelled);
                               abandoned.fetch_add(1);
                             }})
                    .ok());
  }
  limiter.StopAccepting();
  EXPECT_EQ(abandoned.load(), 4);
  EXPECT_EQ(limiter.Submit({[] {}, nullptr}).code(), absl::StatusCode::kUnavailable);
  EXPECT_FALSE(limiter.WaitIdle(absl::Now() + absl::Milliseconds(20)));
  release.Notify();
  limiter.Join();
  EXPECT_TRUE(finished.load());
  EXPECT_EQ(ran.load(), 0);
}

}  // namespace
}  // namespace mlab::trc
