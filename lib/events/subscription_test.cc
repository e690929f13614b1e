#include "lib/events/subscription.h"

#include <memory>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "lib/events/flow_event.h"
#include "lib/events/test_util.h"

namespace mlab::events {
namespace {

using ::mlab::events::testing::TestSocketId;
using ::mlab::events::testing::TestUuid;

FlowEventPtr Open(uint64_t n) {
  return std::make_shared<const FlowEvent>(
      MakeFlowEvent(FlowEvent::OPEN, absl::Now(), TestUuid(n), TestSocketId(n)));
}

std::vector<FlowEventPtr> Opens(int count) {
  std::vector<FlowEventPtr> events;
  for (int i = 0; i < count; ++i) events.push_back(Open(i));
  return events;
}

TEST(SubscriptionTest, ReplayAlwaysFitsAndLiveEventsAreBounded) {
  Subscription sub("test", Opens(10), /*live_capacity=*/2);
  EXPECT_EQ(sub.Push(Open(100)), Subscription::PushResult::kQueued);
  EXPECT_EQ(sub.Push(Open(101)), Subscription::PushResult::kQueued);
  EXPECT_EQ(sub.Push(Open(102)), Subscription::PushResult::kOverflow);
  EXPECT_EQ(sub.Push(Open(103)), Subscription::PushResult::kEnded);
  EXPECT_EQ(sub.status().code(), absl::StatusCode::kResourceExhausted);

  std::vector<FlowEventPtr> out;
  EXPECT_EQ(sub.Take(absl::ZeroDuration(), &out).code(), absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(out.empty());
}

TEST(SubscriptionTest, TakeReturnsEventsInOrder) {
  Subscription sub("test", Opens(3), 10);
  sub.Push(Open(100));
  std::vector<FlowEventPtr> out;
  ASSERT_TRUE(sub.Take(absl::ZeroDuration(), &out).ok());
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[0]->uuid(), TestUuid(0));
  EXPECT_EQ(out[2]->uuid(), TestUuid(2));
  EXPECT_EQ(out[3]->uuid(), TestUuid(100));
}

TEST(SubscriptionTest, TakenReplayNoLongerWidensTheLiveBound) {
  Subscription sub("test", Opens(3), 2);
  std::vector<FlowEventPtr> out;
  ASSERT_TRUE(sub.Take(absl::ZeroDuration(), &out).ok());
  EXPECT_EQ(sub.Push(Open(100)), Subscription::PushResult::kQueued);
  EXPECT_EQ(sub.Push(Open(101)), Subscription::PushResult::kQueued);
  EXPECT_EQ(sub.Push(Open(102)), Subscription::PushResult::kOverflow);
}

TEST(SubscriptionTest, TakeTimesOutEmptyWhileAlive) {
  Subscription sub("test", {}, 2);
  std::vector<FlowEventPtr> out;
  EXPECT_TRUE(sub.Take(absl::Milliseconds(5), &out).ok());
  EXPECT_TRUE(out.empty());
}

TEST(SubscriptionTest, EndWakesABlockedTake) {
  Subscription sub("test", {}, 2);
  absl::Status taken;
  std::thread taker([&] {
    std::vector<FlowEventPtr> out;
    taken = sub.Take(absl::Seconds(60), &out);
  });
  sub.End(absl::UnavailableError("bye"));
  taker.join();
  EXPECT_EQ(taken.code(), absl::StatusCode::kUnavailable);
}

TEST(SubscriptionTest, PushWakesABlockedTake) {
  Subscription sub("test", {}, 2);
  std::vector<FlowEventPtr> out;
  std::thread taker([&] {
    while (out.empty()) ASSERT_TRUE(sub.Take(absl::Seconds(60), &out).ok());
  });
  sub.Push(Open(1));
  taker.join();
  ASSERT_EQ(out.size(), 1u);
}

TEST(SubscriptionTest, OnEndRunsOnceWithTheEndStatus) {
  Subscription sub("test", {}, 1);
  int calls = 0;
  absl::Status seen;
  sub.SetOnEnd([&](const absl::Status& status) {
    ++calls;
    seen = status;
  });
  sub.Push(Open(1));
  sub.Push(Open(2));  // overflow
  sub.End(absl::UnavailableError("later"));
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(seen.code(), absl::StatusCode::kResourceExhausted);
}

TEST(SubscriptionTest, ClearedOnEndNeverRuns) {
  Subscription sub("test", {}, 1);
  bool called = false;
  sub.SetOnEnd([&](const absl::Status&) { called = true; });
  sub.ClearOnEnd();
  sub.End(absl::UnavailableError("bye"));
  EXPECT_FALSE(called);
}

}  // namespace
}  // namespace mlab::events
