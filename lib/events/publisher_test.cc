#include "lib/events/publisher.h"

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "gtest/gtest.h"
#include "lib/events/test_util.h"

namespace mlab::events {
namespace {

using ::mlab::events::testing::TestSocketId;
using ::mlab::events::testing::TestUuid;

void Open(FlowEventPublisher& publisher, uint64_t n) {
  publisher.PublishOpen(absl::Now(), TestUuid(n), TestSocketId(n));
}

void Close(FlowEventPublisher& publisher, uint64_t n) {
  publisher.PublishClose(absl::Now(), TestUuid(n), TestSocketId(n));
}

std::vector<FlowEventPtr> TakeAll(Subscription& sub) {
  std::vector<FlowEventPtr> out;
  EXPECT_TRUE(sub.Take(absl::ZeroDuration(), &out).ok());
  return out;
}

TEST(FlowEventPublisherTest, SubscriberGetsReplayThenMarkerThenLive) {
  FlowEventPublisher publisher;
  Open(publisher, 1);
  Open(publisher, 2);
  Open(publisher, 3);
  Close(publisher, 2);

  auto sub = publisher.Subscribe("test", /*skip_replay=*/false);
  ASSERT_TRUE(sub.ok()) << sub.status();
  Open(publisher, 4);
  Close(publisher, 1);

  std::vector<FlowEventPtr> events = TakeAll(**sub);
  ASSERT_EQ(events.size(), 5u);
  absl::flat_hash_set<std::string> replayed;
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(events[i]->type(), FlowEvent::OPEN);
    EXPECT_TRUE(events[i]->replayed());
    replayed.insert(events[i]->uuid());
  }
  EXPECT_EQ(replayed, (absl::flat_hash_set<std::string>{TestUuid(1), TestUuid(3)}));
  EXPECT_EQ(events[2]->type(), FlowEvent::REPLAY_COMPLETE);
  EXPECT_EQ(events[3]->type(), FlowEvent::OPEN);
  EXPECT_FALSE(events[3]->replayed());
  EXPECT_EQ(events[3]->uuid(), TestUuid(4));
  EXPECT_EQ(events[3]->id().cookie(), 4u);
  EXPECT_EQ(events[4]->type(), FlowEvent::CLOSE);
  EXPECT_EQ(events[4]->uuid(), TestUuid(1));
}

TEST(FlowEventPublisherTest, SkipReplaySendsOnlyLiveEvents) {
  FlowEventPublisher publisher;
  Open(publisher, 1);
  auto sub = publisher.Subscribe("test", /*skip_replay=*/true);
  ASSERT_TRUE(sub.ok());
  Close(publisher, 1);
  std::vector<FlowEventPtr> events = TakeAll(**sub);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]->type(), FlowEvent::CLOSE);
}

TEST(FlowEventPublisherTest, SlowSubscriberIsDroppedOthersKeepEverything) {
  FlowEventPublisher::Options options;
  options.queue_capacity = 4;
  FlowEventPublisher publisher(options);
  auto slow = publisher.Subscribe("slow", true);
  auto good = publisher.Subscribe("good", true);
  ASSERT_TRUE(slow.ok() && good.ok());

  std::vector<FlowEventPtr> received;
  for (int i = 0; i < 100; ++i) {
    Open(publisher, i);
    ASSERT_TRUE((*good)->Take(absl::ZeroDuration(), &received).ok());
  }
  EXPECT_EQ(received.size(), 100u);
  EXPECT_EQ((*slow)->status().code(), absl::StatusCode::kResourceExhausted);
  PublisherStats stats = publisher.stats();
  EXPECT_EQ(stats.subscribers_dropped_total, 1);
  EXPECT_EQ(stats.subscribers_current, 1);
  EXPECT_EQ(stats.subscribers_accepted_total, 2);
  EXPECT_EQ(stats.opens_published_total, 100);
  EXPECT_EQ(stats.open_flows, 100);
  publisher.Unsubscribe(*slow);  // harmless after the drop
  EXPECT_EQ(publisher.stats().subscribers_current, 1);
}

TEST(FlowEventPublisherTest, RefusesSubscribersBeyondTheMaximum) {
  FlowEventPublisher::Options options;
  options.max_subscribers = 2;
  FlowEventPublisher publisher(options);
  auto a = publisher.Subscribe("a", false);
  auto b = publisher.Subscribe("b", false);
  ASSERT_TRUE(a.ok() && b.ok());
  auto c = publisher.Subscribe("c", false);
  EXPECT_EQ(c.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(publisher.stats().subscribers_rejected_total, 1);
  publisher.Unsubscribe(*a);
  EXPECT_TRUE(publisher.Subscribe("d", false).ok());
}

TEST(FlowEventPublisherTest, PublishValidatesEvents) {
  FlowEventPublisher publisher;
  FlowEvent event = MakeFlowEvent(FlowEvent::OPEN, absl::Now(), TestUuid(1), TestSocketId(1));
  event.set_replayed(true);
  EXPECT_TRUE(publisher.Publish(event).ok());

  FlowEvent marker = MakeReplayComplete(absl::Now());
  EXPECT_EQ(publisher.Publish(marker).code(), absl::StatusCode::kInvalidArgument);
  FlowEvent unknown = event;
  unknown.set_type(static_cast<FlowEvent::Type>(42));
  EXPECT_EQ(publisher.Publish(unknown).code(), absl::StatusCode::kInvalidArgument);
  FlowEvent no_uuid = event;
  no_uuid.clear_uuid();
  EXPECT_EQ(publisher.Publish(no_uuid).code(), absl::StatusCode::kInvalidArgument);

  auto sub = publisher.Subscribe("test", false);
  ASSERT_TRUE(sub.ok());
  std::vector<FlowEventPtr> events = TakeAll(**sub);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0]->uuid(), TestUuid(1));
  EXPECT_EQ(EventTime(*events[0]), EventTime(event));
  EXPECT_EQ(publisher.stats().opens_published_total, 1);
}

TEST(FlowEventPublisherTest, TimestampsRoundTrip) {
  const absl::Time ts = absl::FromUnixNanos(1700000000123456789);
  FlowEvent event = MakeFlowEvent(FlowEvent::OPEN, ts, "u", SocketID());
  EXPECT_EQ(event.timestamp().seconds(), 1700000000);
  EXPECT_EQ(event.timestamp().nanos(), 123456789);
  EXPECT_EQ(EventTime(event), ts);
}

// Subscribing while another thread publishes: replay + live must be the exact story, with no
// event missed or repeated at the seam.
TEST(FlowEventPublisherTest, ReplayAndLiveHaveNoGapAndNoDuplicate) {
  FlowEventPublisher::Options options;
  options.queue_capacity = 1 << 20;
  FlowEventPublisher publisher(options);
  constexpr int kFlows = 20000;
  constexpr int kOpenAtOnce = 50;
  std::thread producer([&] {
    for (int i = 0; i < kFlows; ++i) {
      Open(publisher, i);
      if (i >= kOpenAtOnce) Close(publisher, i - kOpenAtOnce);
    }
  });
  std::vector<std::shared_ptr<Subscription>> subs;
  for (int i = 0; i < 20; ++i) {
    auto sub = publisher.Subscribe("s" + std::to_string(i), false);
    ASSERT_TRUE(sub.ok());
    subs.push_back(*sub);
  }
  producer.join();

  absl::flat_hash_set<std::string> expected;
  for (int i = kFlows - kOpenAtOnce; i < kFlows; ++i) expected.insert(TestUuid(i));
  for (const auto& sub : subs) {
    absl::flat_hash_set<std::string> open;
    bool replay_done = false;
    for (const FlowEventPtr& e : TakeAll(*sub)) {
      switch (e->type()) {
        case FlowEvent::OPEN:
          EXPECT_EQ(e->replayed(), !replay_done);
          EXPECT_TRUE(open.insert(e->uuid()).second) << "duplicate open " << e->uuid();
          break;
        case FlowEvent::CLOSE:
          ASSERT_TRUE(replay_done);
          EXPECT_EQ(open.erase(e->uuid()), 1u) << "close without open " << e->uuid();
          break;
        default:
          EXPECT_FALSE(replay_done);
          replay_done = true;
      }
    }
    EXPECT_TRUE(replay_done);
    EXPECT_EQ(open, expected) << sub->name();
  }
}

}  // namespace
}  // namespace mlab::events
