#include "lib/events/open_flow_tracker.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/events/flow_event.h"
#include "lib/events/test_util.h"

namespace mlab::events {
namespace {

using ::mlab::events::testing::RecordingHandler;
using ::mlab::events::testing::TestSocketId;
using ::mlab::events::testing::TestUuid;
using ::testing::ElementsAre;

FlowEvent Open(uint64_t n, bool replayed = false) {
  FlowEvent event = MakeFlowEvent(FlowEvent::OPEN, absl::Now(), TestUuid(n), TestSocketId(n));
  event.set_replayed(replayed);
  return event;
}

FlowEvent Close(uint64_t n) {
  return MakeFlowEvent(FlowEvent::CLOSE, absl::Now(), TestUuid(n), TestSocketId(n));
}

FlowEvent Complete() { return MakeReplayComplete(absl::Now()); }

std::string U(uint64_t n) { return TestUuid(n); }

class OpenFlowTrackerTest : public ::testing::Test {
 protected:
  void Feed(const std::vector<FlowEvent>& events) {
    for (const FlowEvent& e : events) tracker_.Process(e, absl::Now());
  }

  RecordingHandler handler_;
  OpenFlowTracker tracker_{&handler_};
};

TEST_F(OpenFlowTrackerTest, FirstConnectionPassesEverythingThrough) {
  tracker_.BeginConnection();
  Feed({Open(1, true), Complete(), Open(2), Close(1)});
  EXPECT_THAT(handler_.lines(),
              ElementsAre("open* " + U(1), "replay-complete", "open " + U(2), "close " + U(1)));
  EXPECT_EQ(tracker_.open_count(), 1u);
}

TEST_F(OpenFlowTrackerTest, ReconnectReportsEachFlowOnceAndClosesVanishedFlows) {
  tracker_.BeginConnection();
  Feed({Open(1, true), Open(2, true), Complete(), Open(3)});
  handler_.Clear();

  // Reconnected: 2 closed and 4 opened while we were away.
  tracker_.BeginConnection();
  Feed({Open(1, true), Open(3, true), Open(4, true), Complete(), Close(3)});
  EXPECT_THAT(handler_.lines(),
              ElementsAre("open* " + U(4), "close* " + U(2), "replay-complete", "close " + U(3)));
  EXPECT_EQ(tracker_.counters().closes_synthesized, 1);
  EXPECT_EQ(tracker_.counters().duplicate_opens_suppressed, 2);
  EXPECT_EQ(tracker_.open_count(), 2u);
}

TEST_F(OpenFlowTrackerTest, SynthesizedCloseKeepsTheSocketId) {
  struct Capture : RecordingHandler {
    void OnClose(const FlowEvent& event) override { closes.push_back(event); }
    std::vector<FlowEvent> closes;
  } capture;
  OpenFlowTracker tracker(&capture);
  tracker.BeginConnection();
  tracker.Process(Open(7, true), absl::Now());
  tracker.Process(Complete(), absl::Now());
  tracker.BeginConnection();
  const absl::Time now = absl::FromUnixSeconds(1800000000);
  tracker.Process(Complete(), now);
  ASSERT_EQ(capture.closes.size(), 1u);
  EXPECT_EQ(capture.closes[0].type(), FlowEvent::CLOSE);
  EXPECT_TRUE(capture.closes[0].replayed());
  EXPECT_EQ(capture.closes[0].uuid(), U(7));
  EXPECT_EQ(capture.closes[0].id().cookie(), 7u);
  EXPECT_EQ(EventTime(capture.closes[0]), now);
}

TEST_F(OpenFlowTrackerTest, DisconnectDuringReplayResumesCleanly) {
  tracker_.BeginConnection();
  Feed({Open(1, true), Open(2, true)});  // stream broke before REPLAY_COMPLETE
  tracker_.BeginConnection();
  Feed({Open(2, true), Open(3, true), Complete()});
  EXPECT_THAT(handler_.lines(), ElementsAre("open* " + U(1), "open* " + U(2), "open* " + U(3),
                                            "close* " + U(1), "replay-complete"));
}

TEST_F(OpenFlowTrackerTest, LiveOpenBeforeMarkerCountsAsOpen) {
  tracker_.BeginConnection();
  Feed({Open(1, true), Complete()});
  tracker_.BeginConnection();
  Feed({Open(1), Complete()});
  EXPECT_THAT(handler_.lines(), ElementsAre("open* " + U(1), "replay-complete", "replay-complete"));
}

TEST_F(OpenFlowTrackerTest, DuplicateLiveOpenSuppressedUnknownCloseDelivered) {
  tracker_.BeginConnection();
  Feed({Complete(), Open(1), Open(1), Close(9)});
  EXPECT_THAT(handler_.lines(), ElementsAre("replay-complete", "open " + U(1), "close " + U(9)));
  EXPECT_EQ(tracker_.counters().duplicate_opens_suppressed, 1);
  EXPECT_EQ(tracker_.counters().unknown_closes, 1);
}

TEST_F(OpenFlowTrackerTest, MalformedEventsAreCountedAndSkipped) {
  tracker_.BeginConnection();
  FlowEvent unspecified = Open(1);
  unspecified.set_type(FlowEvent::TYPE_UNSPECIFIED);
  FlowEvent unknown = Open(2);
  unknown.set_type(static_cast<FlowEvent::Type>(42));
  FlowEvent no_uuid = Open(3);
  no_uuid.clear_uuid();
  Feed({unspecified, unknown, no_uuid, Complete(), Complete(), Open(4)});
  EXPECT_THAT(handler_.lines(), ElementsAre("replay-complete", "open " + U(4)));
  EXPECT_EQ(tracker_.counters().malformed, 4);
}

}  // namespace
}  // namespace mlab::events
