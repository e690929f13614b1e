#include "services/tcp-info/snapshot_diff.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "services/tcp-info/archive_reader.h"
#include "services/tcp-info/testing/diag_message_builder.h"
#include "services/tcp-info/testing/test_data.h"

namespace mlab::tcpinfo {
namespace {

using testing::DiagMessageSpec;
using testing::Snapshot;

constexpr int kInfoIndex = 1;  // position of tcp_info in EstablishedV4's attribute list

DiagMessageSpec WithInfoByte(DiagMessageSpec spec, size_t offset, char value) {
  spec.attributes[kInfoIndex].second[offset] = value;
  return spec;
}

SnapshotChange Diff(const DiagMessageSpec& a, const DiagMessageSpec& b) {
  SocketSnapshot first = Snapshot(a);
  return DiffSnapshots(&first, Snapshot(b));
}

TEST(SnapshotDiffTest, FirstSnapshotAndIdenticalOnes) {
  const DiagMessageSpec base = testing::EstablishedV4(1);
  EXPECT_EQ(DiffSnapshots(nullptr, Snapshot(base)), SnapshotChange::kPreviousWasNil);
  EXPECT_EQ(Diff(base, base), SnapshotChange::kNone);
}

TEST(SnapshotDiffTest, OnlyStateOfInetDiagMsgCounts) {
  const DiagMessageSpec base = testing::EstablishedV4(1);
  DiagMessageSpec closing = base;
  closing.state = 8;
  EXPECT_EQ(Diff(base, closing), SnapshotChange::kStateChange);
  DiagMessageSpec moved = base;
  moved.interface = 3;  // other inet_diag_msg fields are ignored
  EXPECT_EQ(Diff(base, moved), SnapshotChange::kNone);
}

TEST(SnapshotDiffTest, ComparesUpstreamsTcpInfoRanges) {
  const DiagMessageSpec base = testing::EstablishedV4(1);  // 232-byte tcp_info
  for (size_t offset : {0, 20, 43, 60, 100, 167}) {
    EXPECT_EQ(Diff(base, WithInfoByte(base, offset, 'x')), SnapshotChange::kCounterChange)
        << offset;
  }
  for (size_t offset : {44, 50, 59, 168, 200, 231}) {  // last_* and busy_time onwards
    EXPECT_EQ(Diff(base, WithInfoByte(base, offset, 'x')), SnapshotChange::kNone) << offset;
  }
}

TEST(SnapshotDiffTest, TcpInfoLengthBeyond168IsIgnored) {
  const DiagMessageSpec base = testing::EstablishedV4(1);
  DiagMessageSpec longer = base;
  longer.attributes[kInfoIndex].second = testing::TcpInfo(280);
  EXPECT_EQ(Diff(base, longer), SnapshotChange::kNone);
}

TEST(SnapshotDiffTest, ShortTcpInfoIsComparedWithoutOverrun) {
  DiagMessageSpec short_info = testing::EstablishedV4(1);
  short_info.attributes[kInfoIndex].second = testing::TcpInfo(104);  // a 3.x kernel
  EXPECT_EQ(Diff(short_info, short_info), SnapshotChange::kNone);
  EXPECT_EQ(Diff(short_info, WithInfoByte(short_info, 103, 'x')), SnapshotChange::kCounterChange);
  EXPECT_EQ(Diff(short_info, WithInfoByte(short_info, 50, 'x')), SnapshotChange::kNone);
  DiagMessageSpec tiny = short_info;
  tiny.attributes[kInfoIndex].second = testing::TcpInfo(30);
  EXPECT_EQ(Diff(tiny, tiny), SnapshotChange::kNone);
  EXPECT_EQ(Diff(tiny, short_info), SnapshotChange::kCounterChange);
  DiagMessageSpec empty = short_info;
  empty.attributes[kInfoIndex].second.clear();
  EXPECT_EQ(Diff(empty, empty), SnapshotChange::kNone);
  EXPECT_EQ(Diff(empty, tiny), SnapshotChange::kCounterChange);
}

TEST(SnapshotDiffTest, MissingTcpInfoIsAlwaysArchived) {
  const DiagMessageSpec base = testing::EstablishedV4(1);
  DiagMessageSpec minisock = base;
  minisock.attributes.clear();  // FIN_WAIT2 timewait sockets carry no attributes
  EXPECT_EQ(Diff(base, minisock), SnapshotChange::kNoTcpInfo);
  EXPECT_EQ(Diff(minisock, minisock), SnapshotChange::kNoTcpInfo);
}

TEST(SnapshotDiffTest, AttributeChanges) {
  const DiagMessageSpec base = testing::EstablishedV4(1);  // types 1 2 4 5 7 8
  DiagMessageSpec more = base;
  more.attributes.push_back({22, "\1\0"});
  EXPECT_EQ(Diff(base, more), SnapshotChange::kNewAttribute);
  EXPECT_EQ(Diff(more, base), SnapshotChange::kLostAttribute);

  DiagMessageSpec hole_filled = base;
  hole_filled.attributes.push_back({6, "\0"});  // TCLASS, below the highest type
  EXPECT_EQ(Diff(base, hole_filled), SnapshotChange::kNewAttribute);
  EXPECT_EQ(Diff(hole_filled, base), SnapshotChange::kLostAttribute);

  DiagMessageSpec bbr = base;
  bbr.attributes[2].second = std::string("bbr\0", 4);
  EXPECT_EQ(Diff(base, bbr), SnapshotChange::kAttributeLength);

  DiagMessageSpec memory = base;
  memory.attributes[4].second[0] = 'm';  // SKMEMINFO accounting alone
  EXPECT_EQ(Diff(base, memory), SnapshotChange::kOther);
}

// Upstream wrote a line only when its Compare saw a change from the previous poll, so every
// consecutive pair of lines of its real archives must differ under our rule too. (The April 2019
// ndt-jdczh samples predate this rule: they also changed on last_* and busy_time.)
TEST(SnapshotDiffTest, EveryLineOfARealArchiveIsAChange) {
  for (const char* file :
       {"tcp-info/netlink/testdata/ndt-7hhhv_1559749627_0000000000062D84.00000.jsonl.zst"}) {
    absl::StatusOr<std::vector<ArchiveLine>> lines = ReadArchive(testing::SharedTestData(file));
    ASSERT_TRUE(lines.ok()) << lines.status();
    ASSERT_GT(lines->size(), 100u);
    SocketSnapshot previous = testing::SnapshotFromArchiveLine((*lines)[1]);
    for (size_t i = 2; i < lines->size(); ++i) {
      SocketSnapshot current = testing::SnapshotFromArchiveLine((*lines)[i]);
      EXPECT_NE(DiffSnapshots(&previous, current), SnapshotChange::kNone) << file << ":" << i;
      previous = current;
    }
  }
}

}  // namespace
}  // namespace mlab::tcpinfo
