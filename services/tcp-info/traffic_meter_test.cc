#include "services/tcp-info/traffic_meter.h"

#include <cstring>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/tcp-info/testing/diag_message_builder.h"

namespace mlab::tcpinfo {
namespace {

using ::testing::ElementsAre;

const absl::Time kT0 = absl::FromUnixSeconds(1700000000);

SocketSnapshot WithBytes(uint64_t cookie, uint64_t sent, uint64_t received) {
  testing::DiagMessageSpec spec = testing::EstablishedV4(cookie);
  std::string& info = spec.attributes[1].second;  // 232 bytes
  std::memcpy(info.data() + 200, &sent, 8);
  std::memcpy(info.data() + 128, &received, 8);
  return testing::Snapshot(spec);
}

class TrafficMeterTest : public ::testing::Test {
 protected:
  Flow MakeFlow(uint64_t cookie) {
    Flow flow;
    flow.cookie = cookie;
    return flow;
  }
  std::vector<double> sent_, received_;
  std::vector<std::string> errors_;
  TrafficMeter meter_{{[this](double bits) { sent_.push_back(bits); },
                       [this](double bits) { received_.push_back(bits); },
                       [this](absl::string_view kind) { errors_.emplace_back(kind); }}};
};

TEST_F(TrafficMeterTest, ReportsBitsPerSecondAcrossLiveAndClosedFlows) {
  meter_.OnSnapshot(MakeFlow(1), WithBytes(1, 1000, 10), SnapshotChange::kPreviousWasNil);
  meter_.Report(kT0);  // baseline
  meter_.OnSnapshot(MakeFlow(1), WithBytes(1, 3000, 30), SnapshotChange::kCounterChange);
  meter_.OnSnapshot(MakeFlow(2), WithBytes(2, 500, 0), SnapshotChange::kPreviousWasNil);
  meter_.Report(kT0 + absl::Milliseconds(500));  // same second: nothing
  meter_.Report(kT0 + absl::Seconds(1));
  EXPECT_THAT(sent_, ElementsAre(8 * 2500.0));
  EXPECT_THAT(received_, ElementsAre(8 * 20.0));
  // A closed flow's bytes stay in the total.
  meter_.OnClose(MakeFlow(1), kT0);
  meter_.Report(kT0 + absl::Seconds(2));
  EXPECT_THAT(sent_, ElementsAre(8 * 2500.0, 0.0));
  EXPECT_EQ(meter_.total_sent(), 3500u);
  EXPECT_TRUE(errors_.empty());
}

TEST_F(TrafficMeterTest, SkipsImpossibleJumpsLikeUpstream) {
  meter_.OnSnapshot(MakeFlow(1), WithBytes(1, 1000, 1000), SnapshotChange::kPreviousWasNil);
  meter_.Report(kT0);
  meter_.OnSnapshot(MakeFlow(1), WithBytes(1, 10, 1ULL << 62), SnapshotChange::kCounterChange);
  meter_.Report(kT0 + absl::Seconds(1));
  EXPECT_TRUE(sent_.empty());
  EXPECT_TRUE(received_.empty());
  EXPECT_THAT(errors_, ElementsAre("totalSent < reportedSent",
                                   "totalReceived-reportedReceived exceeds network capacity"));
}

TEST_F(TrafficMeterTest, ShortTcpInfoCountsNothing) {
  testing::DiagMessageSpec spec = testing::EstablishedV4(1);
  spec.attributes[1].second = testing::TcpInfo(168, 1);
  meter_.OnSnapshot(MakeFlow(1), testing::Snapshot(spec), SnapshotChange::kPreviousWasNil);
  EXPECT_EQ(meter_.total_sent(), 0u);
}

}  // namespace
}  // namespace mlab::tcpinfo
