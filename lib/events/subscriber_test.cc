#include "lib/events/subscriber.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "lib/events/publisher.h"
#include "lib/events/server.h"
#include "lib/events/test_util.h"
#include "proto/events.grpc.pb.h"

namespace mlab::events {
namespace {

using ::mlab::events::testing::RecordingHandler;
using ::mlab::events::testing::ShortTempDir;
using ::mlab::events::testing::TestSocketId;
using ::mlab::events::testing::TestUuid;
using ::mlab::events::testing::WaitFor;
using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

void Open(FlowEventPublisher& publisher, uint64_t n) {
  publisher.PublishOpen(absl::Now(), TestUuid(n), TestSocketId(n));
}

void Close(FlowEventPublisher& publisher, uint64_t n) {
  publisher.PublishClose(absl::Now(), TestUuid(n), TestSocketId(n));
}

std::string U(uint64_t n) { return TestUuid(n); }

FlowEventSubscriber::Options FastOptions() {
  FlowEventSubscriber::Options options;
  options.client_name = "subscriber-test";
  options.initial_backoff = absl::Milliseconds(5);
  options.max_backoff = absl::Milliseconds(50);
  return options;
}

// Replays what a handler saw into per-uuid open/close counts.
struct Story {
  explicit Story(const std::vector<std::string>& lines) {
    for (const std::string& line : lines) {
      const size_t space = line.find(' ');
      if (space == std::string::npos) continue;
      const std::string kind = line.substr(0, space), uuid = line.substr(space + 1);
      if (kind == "open" || kind == "open*") {
        ++opens[uuid];
        open.insert(uuid);
      } else if (kind == "close" || kind == "close*") {
        ++closes[uuid];
        open.erase(uuid);
      }
    }
  }
  absl::flat_hash_map<std::string, int> opens, closes;
  absl::flat_hash_set<std::string> open;
};

class FlowEventSubscriberTest : public ::testing::Test {
 protected:
  ShortTempDir dir_;
  const std::string path_ = dir_.File("events.sock");
};

TEST_F(FlowEventSubscriberTest, DeliversReplayThenLiveEvents) {
  FlowEventPublisher publisher;
  Open(publisher, 1);
  Open(publisher, 2);
  FlowEventServer server(&publisher, path_);
  ASSERT_TRUE(server.Start().ok());

  RecordingHandler handler;
  FlowEventSubscriber subscriber(path_, &handler, FastOptions());
  ASSERT_TRUE(subscriber.Start().ok());
  ASSERT_TRUE(handler.WaitForLine("replay-complete"));
  Open(publisher, 3);
  Close(publisher, 1);
  ASSERT_TRUE(handler.WaitForLine("close " + U(1)));

  std::vector<std::string> lines = handler.lines();
  ASSERT_EQ(lines.size(), 6u);
  EXPECT_EQ(lines[0], "connected");
  EXPECT_THAT(std::vector<std::string>(lines.begin() + 1, lines.begin() + 3),
              UnorderedElementsAre("open* " + U(1), "open* " + U(2)));
  EXPECT_THAT(std::vector<std::string>(lines.begin() + 3, lines.end()),
              ElementsAre("replay-complete", "open " + U(3), "close " + U(1)));
  FlowEventSubscriber::Stats stats = subscriber.stats();
  EXPECT_TRUE(stats.connected);
  EXPECT_EQ(stats.connections_total, 1);
  EXPECT_EQ(stats.events_received_total, 5);
  EXPECT_EQ(subscriber.Start().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(FlowEventSubscriberTest, ServerRestartReportsEachFlowOnceAndClosesWhatClosedMeanwhile) {
  FlowEventPublisher publisher;
  Open(publisher, 1);
  Open(publisher, 2);
  auto server = std::make_unique<FlowEventServer>(&publisher, path_);
  ASSERT_TRUE(server->Start().ok());

  RecordingHandler handler;
  FlowEventSubscriber subscriber(path_, &handler, FastOptions());
  ASSERT_TRUE(subscriber.Start().ok());
  ASSERT_TRUE(handler.WaitForLine("replay-complete"));
  Open(publisher, 3);
  ASSERT_TRUE(handler.WaitForLine("open " + U(3)));

  server->Shutdown();
  ASSERT_TRUE(handler.WaitForLine("disconnected UNAVAILABLE"));
  // While nobody serves: 2 closes, 4 opens, 5 opens and closes (never seen, by design).
  Close(publisher, 2);
  Open(publisher, 4);
  Open(publisher, 5);
  Close(publisher, 5);
  server = std::make_unique<FlowEventServer>(&publisher, path_);
  ASSERT_TRUE(server->Start().ok());
  ASSERT_TRUE(handler.WaitForLine("replay-complete", 2));
  Close(publisher, 1);
  ASSERT_TRUE(handler.WaitForLine("close " + U(1)));

  Story story(handler.lines());
  for (int n : {1, 2, 3, 4}) EXPECT_EQ(story.opens[U(n)], 1) << n;
  EXPECT_EQ(story.opens.count(U(5)), 0u);
  EXPECT_EQ(handler.Count("close* " + U(2)), 1);
  EXPECT_EQ(handler.Count("open* " + U(4)), 1);
  EXPECT_EQ(story.open, (absl::flat_hash_set<std::string>{U(3), U(4)}));
  EXPECT_EQ(handler.Count("connected"), 2);
  FlowEventSubscriber::Stats stats = subscriber.stats();
  EXPECT_EQ(stats.connections_total, 2);
  EXPECT_EQ(stats.flows.closes_synthesized, 1);
  EXPECT_EQ(stats.flows.duplicate_opens_suppressed, 2);  // 1 and 3 replayed again
}

// A handler that blocks makes the publisher drop the stream; after resyncing through the replay
// the handler's view matches the publisher's exactly, each flow opened at most once.
TEST_F(FlowEventSubscriberTest, SlowHandlerIsDroppedAndResyncsWithoutDuplicates) {
  FlowEventPublisher::Options options;
  options.queue_capacity = 16;
  FlowEventPublisher publisher(options);
  FlowEventServer server(&publisher, path_);
  ASSERT_TRUE(server.Start().ok());

  struct BlockingHandler : RecordingHandler {
    void OnOpen(const FlowEvent& event) override {
      if (!event.replayed()) gate.WaitForNotification();
      RecordingHandler::OnOpen(event);
    }
    absl::Notification gate;
  } handler;
  FlowEventSubscriber subscriber(path_, &handler, FastOptions());
  ASSERT_TRUE(subscriber.Start().ok());
  ASSERT_TRUE(handler.WaitForLine("replay-complete"));

  // Flows open and close in a sliding window of 10 until the blocked subscriber is dropped.
  constexpr int kWindow = 10;
  int n = 0;
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (publisher.stats().subscribers_dropped_total == 0 && n < 2000000 &&
         absl::Now() < deadline) {
    Open(publisher, n);
    if (n >= kWindow) Close(publisher, n - kWindow);
    ++n;
  }
  ASSERT_EQ(publisher.stats().subscribers_dropped_total, 1);
  handler.gate.Notify();
  ASSERT_TRUE(handler.WaitForLine("replay-complete", 2));
  // One more live pair proves the new stream is live.
  Open(publisher, n);
  Close(publisher, n - kWindow);
  ++n;
  ASSERT_TRUE(handler.WaitForLine("close " + U(n - 1 - kWindow)));

  Story story(handler.lines());
  for (const auto& [uuid, count] : story.opens) EXPECT_EQ(count, 1) << uuid;
  for (const auto& [uuid, count] : story.closes) EXPECT_EQ(count, 1) << uuid;
  absl::flat_hash_set<std::string> expected;
  for (int i = n - kWindow; i < n; ++i) expected.insert(U(i));
  EXPECT_EQ(story.open, expected);
  EXPECT_EQ(handler.Count("disconnected RESOURCE_EXHAUSTED"), 1);
}

TEST_F(FlowEventSubscriberTest, StopIsPromptWhileBackingOff) {
  RecordingHandler handler;
  FlowEventSubscriber::Options options = FastOptions();
  options.initial_backoff = absl::Seconds(30);  // the second attempt would be far away
  options.max_backoff = absl::Seconds(60);
  FlowEventSubscriber subscriber(path_, &handler, options);  // nobody serves path_
  ASSERT_TRUE(subscriber.Start().ok());
  ASSERT_TRUE(WaitFor([&] { return subscriber.stats().connect_failures_total >= 1; }));
  const absl::Time start = absl::Now();
  subscriber.Stop();
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
  EXPECT_TRUE(handler.lines().empty());
}

TEST_F(FlowEventSubscriberTest, StopIsPromptWhileConnected) {
  FlowEventPublisher publisher;
  FlowEventServer server(&publisher, path_);
  ASSERT_TRUE(server.Start().ok());
  RecordingHandler handler;
  FlowEventSubscriber subscriber(path_, &handler, FastOptions());
  ASSERT_TRUE(subscriber.Start().ok());
  ASSERT_TRUE(handler.WaitForLine("replay-complete"));
  const absl::Time start = absl::Now();
  subscriber.Stop();
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
  EXPECT_EQ(handler.Count("disconnected CANCELLED"), 1);
  EXPECT_FALSE(subscriber.stats().connected);
  subscriber.Stop();  // idempotent
}

TEST_F(FlowEventSubscriberTest, ConnectsOnceTheServerAppears) {
  RecordingHandler handler;
  FlowEventSubscriber subscriber(path_, &handler, FastOptions());
  ASSERT_TRUE(subscriber.Start().ok());
  ASSERT_TRUE(WaitFor([&] { return subscriber.stats().connect_failures_total >= 2; }));
  FlowEventPublisher publisher;
  Open(publisher, 1);
  FlowEventServer server(&publisher, path_);
  ASSERT_TRUE(server.Start().ok());
  ASSERT_TRUE(handler.WaitForLine("replay-complete"));
  EXPECT_THAT(handler.lines(), ElementsAre("connected", "open* " + U(1), "replay-complete"));
}

// A server that sends events no conforming publisher would.
class MalformedService final : public FlowEvents::Service {
  grpc::Status Subscribe(grpc::ServerContext*, const SubscribeRequest*,
                         grpc::ServerWriter<FlowEvent>* writer) override {
    FlowEvent event = MakeFlowEvent(FlowEvent::OPEN, absl::Now(), U(1), TestSocketId(1));
    FlowEvent unknown = event;
    unknown.set_type(static_cast<FlowEvent::Type>(42));
    FlowEvent unspecified = event;
    unspecified.set_type(FlowEvent::TYPE_UNSPECIFIED);
    FlowEvent no_uuid = event;
    no_uuid.clear_uuid();
    for (const FlowEvent& e : {unknown, unspecified, no_uuid, MakeReplayComplete(absl::Now()),
                               MakeReplayComplete(absl::Now()), event}) {
      writer->Write(e);
    }
    return grpc::Status(grpc::StatusCode::ABORTED, "test over");
  }
};

TEST_F(FlowEventSubscriberTest, MalformedEventsAreCountedNotFatal) {
  MalformedService service;
  grpc::ServerBuilder builder;
  builder.AddListeningPort("unix:" + path_, grpc::InsecureServerCredentials());
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  ASSERT_NE(server, nullptr);

  RecordingHandler handler;
  FlowEventSubscriber::Options options = FastOptions();
  options.initial_backoff = absl::Seconds(30);  // one connection is enough
  FlowEventSubscriber subscriber(path_, &handler, options);
  ASSERT_TRUE(subscriber.Start().ok());
  ASSERT_TRUE(handler.WaitForLine("disconnected ABORTED"));
  EXPECT_THAT(handler.lines(),
              ElementsAre("connected", "replay-complete", "open " + U(1), "disconnected ABORTED"));
  EXPECT_EQ(subscriber.stats().flows.malformed, 4);
  subscriber.Stop();
  server->Shutdown();
}

}  // namespace
}  // namespace mlab::events
