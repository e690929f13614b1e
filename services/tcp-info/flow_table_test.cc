#include "services/tcp-info/flow_table.h"

#include <netinet/in.h>

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/tcp-info/testing/diag_message_builder.h"
#include "services/tcp-info/testing/recording_observer.h"

namespace mlab::tcpinfo {
namespace {

using testing::DiagMessageSpec;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

const absl::Time kT0 = absl::FromUnixSeconds(1700000000);

DiagMessageSpec V6Flow(uint64_t cookie) {
  DiagMessageSpec spec = testing::EstablishedV4(cookie);
  spec.family = AF_INET6;
  spec.src = testing::Address("2001:db8::1");
  spec.dst = testing::Address("2001:db8::2");
  return spec;
}

FamilyDump Dump(uint8_t family, absl::Time when, const std::vector<DiagMessageSpec>& specs) {
  FamilyDump dump;
  dump.family = family;
  dump.timestamp = when;
  for (const DiagMessageSpec& spec : specs) dump.sockets.push_back(testing::Snapshot(spec, when));
  return dump;
}

class FlowTableTest : public ::testing::Test {
 protected:
  FlowTableTest() { table_.AddObserver(&observer_); }

  FlowFilter filter_;
  FlowTable table_{"host_1700000000", &filter_};
  testing::RecordingObserver observer_;
};

TEST_F(FlowTableTest, OpensOnFirstSightingWithUuidAndFirstSnapshot) {
  DumpOutcome outcome =
      table_.Apply(Dump(AF_INET, kT0, {testing::EstablishedV4(0x3E8), testing::EstablishedV4(7)}));
  EXPECT_THAT(observer_.Take(), ElementsAre("open 1000", "snapshot 1000 previous was nil", "open 7",
                                            "snapshot 7 previous was nil"));
  EXPECT_EQ(outcome.opened, 2);
  EXPECT_EQ(outcome.changed, 2);
  EXPECT_EQ(table_.size(), 2u);
  ASSERT_EQ(observer_.flows.size(), 2u);
  EXPECT_EQ(observer_.flows[0].uuid, "host_1700000000_00000000000003E8");
  EXPECT_EQ(observer_.flows[0].first_seen, kT0);
  EXPECT_EQ(observer_.flows[0].id.src_port, 443);
}

TEST_F(FlowTableTest, PassesOnOnlyChangedSnapshots) {
  DiagMessageSpec flow = testing::EstablishedV4(5);
  table_.Apply(Dump(AF_INET, kT0, {flow}));
  observer_.Take();
  table_.Apply(Dump(AF_INET, kT0 + absl::Milliseconds(10), {flow}));
  EXPECT_THAT(observer_.Take(), IsEmpty());
  flow.attributes[1].second[100] = 1;  // a counter moved
  DumpOutcome outcome = table_.Apply(Dump(AF_INET, kT0 + absl::Milliseconds(20), {flow}));
  EXPECT_THAT(observer_.Take(), ElementsAre("snapshot 5 state or counter"));
  EXPECT_EQ(outcome.changed, 1);
  // Compared with the previous poll, not the first one.
  table_.Apply(Dump(AF_INET, kT0 + absl::Milliseconds(30), {flow}));
  EXPECT_THAT(observer_.Take(), IsEmpty());
}

TEST_F(FlowTableTest, ClosesWhenASuccessfulDumpOfItsFamilyNoLongerListsIt) {
  table_.Apply(Dump(AF_INET, kT0, {testing::EstablishedV4(1), testing::EstablishedV4(2)}));
  table_.Apply(Dump(AF_INET6, kT0, {V6Flow(3)}));
  observer_.Take();
  const absl::Time later = kT0 + absl::Milliseconds(10);
  // An IPv4 dump says nothing about IPv6 flows.
  DumpOutcome outcome = table_.Apply(Dump(AF_INET, later, {testing::EstablishedV4(2)}));
  EXPECT_THAT(observer_.Take(), ElementsAre("close 1"));
  EXPECT_EQ(outcome.closed, 1);
  EXPECT_THAT(observer_.close_times, ElementsAre(later));
  EXPECT_TRUE(table_.contains(3));
  table_.Apply(Dump(AF_INET6, later, {}));
  EXPECT_THAT(observer_.Take(), ElementsAre("close 3"));
  EXPECT_EQ(table_.size(), 1u);
}

// The poller applies only successful dumps: a failed IPv6 dump in between must leave IPv6
// flows alone, and the next good dump continues them without a Close/Open pair.
TEST_F(FlowTableTest, FailedDumpInBetweenCausesNoSpuriousCloseOrOpen) {
  table_.Apply(Dump(AF_INET6, kT0, {V6Flow(3)}));
  table_.Apply(Dump(AF_INET, kT0, {testing::EstablishedV4(1)}));
  observer_.Take();
  // Poll 2: IPv6 dump failed (not applied), IPv4 fine.
  table_.Apply(Dump(AF_INET, kT0 + absl::Milliseconds(10), {testing::EstablishedV4(1)}));
  // Poll 3: both fine again.
  table_.Apply(Dump(AF_INET6, kT0 + absl::Milliseconds(20), {V6Flow(3)}));
  table_.Apply(Dump(AF_INET, kT0 + absl::Milliseconds(20), {testing::EstablishedV4(1)}));
  EXPECT_THAT(observer_.Take(), IsEmpty());
}

TEST_F(FlowTableTest, ExcludedAndCookieZeroSocketsProduceNothing) {
  ASSERT_TRUE(filter_.ExcludeSrcPorts({"9990"}).ok());
  DiagMessageSpec loopback = testing::EstablishedV4(1);
  loopback.dst = testing::Address("127.0.0.1");
  DiagMessageSpec listener = testing::EstablishedV4(2);
  listener.state = 10;
  listener.dst = testing::Address("0.0.0.0");
  DiagMessageSpec metrics = testing::EstablishedV4(3);
  metrics.src_port = 9990;
  DiagMessageSpec no_cookie = testing::EstablishedV4(0);
  DumpOutcome outcome = table_.Apply(Dump(AF_INET, kT0, {loopback, listener, metrics, no_cookie}));
  EXPECT_THAT(observer_.Take(), IsEmpty());
  EXPECT_EQ(outcome.excluded, 4);
  EXPECT_EQ(table_.size(), 0u);
}

TEST_F(FlowTableTest, SocketListedTwiceInOneDumpCountsOnce) {
  DiagMessageSpec flow = testing::EstablishedV4(9);
  DiagMessageSpec changed = flow;
  changed.attributes[1].second[0] = 1;
  DumpOutcome outcome = table_.Apply(Dump(AF_INET, kT0, {flow, changed}));
  EXPECT_THAT(observer_.Take(), ElementsAre("open 9", "snapshot 9 previous was nil"));
  EXPECT_EQ(outcome.duplicates, 1);
}

TEST_F(FlowTableTest, DestroyNotificationClosesAtOnceWithFinalSnapshot) {
  table_.Apply(Dump(AF_INET, kT0, {testing::EstablishedV4(4)}));
  observer_.Take();
  DiagMessageSpec destroyed;
  destroyed.family = AF_INET;
  destroyed.state = 7;  // CLOSE
  destroyed.cookie = 4;
  destroyed.attributes = {{2, testing::TcpInfo(280, 9)}, {10, std::string(1, 6)}};
  const absl::Time when = kT0 + absl::Milliseconds(3);
  EXPECT_TRUE(table_.ApplyDestroyed(testing::Snapshot(destroyed, when)));
  EXPECT_THAT(observer_.Take(), ElementsAre("snapshot 4 state", "close 4"));
  EXPECT_THAT(observer_.close_times, ElementsAre(when));
  EXPECT_FALSE(table_.contains(4));
  destroyed.cookie = 99;
  EXPECT_FALSE(table_.ApplyDestroyed(testing::Snapshot(destroyed, when)));
  EXPECT_THAT(observer_.Take(), IsEmpty());
  // The next poll no longer lists it and closes nothing more.
  table_.Apply(Dump(AF_INET, kT0 + absl::Milliseconds(10), {}));
  EXPECT_THAT(observer_.Take(), IsEmpty());
}

// A FIN-closed socket is destroyed when a FIN_WAIT2 timewait socket with the same cookie (and no
// attributes) replaces it: dumps keep listing that cookie, which must not reopen the flow.
TEST_F(FlowTableTest, TimewaitLeftoverOfADestroyedFlowDoesNotReopenIt) {
  table_.Apply(Dump(AF_INET, kT0, {testing::EstablishedV4(4)}));
  DiagMessageSpec destroyed = testing::EstablishedV4(4);
  destroyed.state = 7;
  ASSERT_TRUE(table_.ApplyDestroyed(testing::Snapshot(destroyed, kT0)));
  observer_.Take();
  DiagMessageSpec timewait = testing::EstablishedV4(4);
  timewait.state = 5;
  timewait.attributes.clear();
  for (int i = 1; i <= 3; ++i) {
    DumpOutcome outcome = table_.Apply(Dump(AF_INET, kT0 + absl::Milliseconds(10 * i), {timewait}));
    EXPECT_EQ(outcome.destroyed, 1);
  }
  EXPECT_THAT(observer_.Take(), IsEmpty());
  // Once it is gone, the tombstone goes too.
  table_.Apply(Dump(AF_INET, kT0 + absl::Milliseconds(50), {}));
  table_.Apply(Dump(AF_INET, kT0 + absl::Milliseconds(60), {timewait}));
  EXPECT_THAT(observer_.Take(), ElementsAre("open 4", "snapshot 4 previous was nil"));
}

}  // namespace
}  // namespace mlab::tcpinfo
