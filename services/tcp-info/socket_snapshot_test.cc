#include "services/tcp-info/socket_snapshot.h"

#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/tcp-info/testing/diag_message_builder.h"

namespace mlab::tcpinfo {
namespace {

using testing::DiagMessage;
using testing::DiagMessageSpec;
using ::testing::Optional;

DumpBytes Bytes(std::string s) { return std::make_shared<const std::string>(std::move(s)); }

TEST(SocketSnapshotTest, KeepsRawIdmAndAttributesAtKernelLength) {
  DiagMessageSpec spec;
  spec.state = 8;
  spec.cookie = 0x0000000100000002ULL;
  spec.attributes = {{2, testing::TcpInfo(280, 'x')}, {4, std::string("bbr\0", 4)}, {8, "\1"}};
  const std::string message = DiagMessage(spec);
  absl::StatusOr<SocketSnapshot> snapshot = SocketSnapshot::Parse(Bytes(message), 0);
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  EXPECT_EQ(snapshot->raw_idm(), absl::string_view(message).substr(16, 72));
  EXPECT_EQ(snapshot->family(), 10);
  EXPECT_EQ(snapshot->state(), 8);
  EXPECT_EQ(snapshot->cookie(), 0x0000000100000002ULL);
  EXPECT_THAT(snapshot->attribute(2), Optional(absl::string_view(std::string(280, 'x'))));
  EXPECT_THAT(snapshot->attribute(4), Optional(absl::string_view("bbr\0", 4)));
  EXPECT_THAT(snapshot->attribute(8), Optional(absl::string_view("\1")));
  EXPECT_EQ(snapshot->attribute(1), std::nullopt);
  EXPECT_EQ(snapshot->attribute(39), std::nullopt);
  EXPECT_EQ(snapshot->attribute_slots(), 9);
}

TEST(SocketSnapshotTest, NoAttributesStillHasOneSlot) {
  DiagMessageSpec spec;
  absl::StatusOr<SocketSnapshot> snapshot = SocketSnapshot::Parse(Bytes(DiagMessage(spec)), 0);
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  EXPECT_EQ(snapshot->attribute_slots(), 1);
}

TEST(SocketSnapshotTest, ZeroLengthAttributeIsPresentAndEmpty) {
  DiagMessageSpec spec;
  spec.attributes = {{14, ""}};
  absl::StatusOr<SocketSnapshot> snapshot = SocketSnapshot::Parse(Bytes(DiagMessage(spec)), 0);
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  EXPECT_THAT(snapshot->attribute(14), Optional(absl::string_view()));
  EXPECT_EQ(snapshot->attribute_slots(), 15);
}

TEST(SocketSnapshotTest, DropsTypesAbove38AndLastRepeatWins) {
  DiagMessageSpec spec;
  spec.attributes = {{5, "a"}, {39, "zz"}, {5, "b"}, {38, "y"}};
  absl::StatusOr<SocketSnapshot> snapshot = SocketSnapshot::Parse(Bytes(DiagMessage(spec)), 0);
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  EXPECT_THAT(snapshot->attribute(5), Optional(absl::string_view("b")));
  EXPECT_THAT(snapshot->attribute(38), Optional(absl::string_view("y")));
  EXPECT_EQ(snapshot->attribute_slots(), 39);
}

TEST(SocketSnapshotTest, ParsesAtOffsetInsideSharedBuffer) {
  DiagMessageSpec first;
  first.cookie = 7;
  DiagMessageSpec second;
  second.cookie = 9;
  second.attributes = {{1, "meminfo-16-bytes"}};
  absl::StatusOr<std::vector<SocketSnapshot>> all = ParseSockDiagMessages(
      Bytes(DiagMessage(first) + testing::DoneMessage(0, 0) + DiagMessage(second)));
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].cookie(), 7u);
  EXPECT_EQ((*all)[1].cookie(), 9u);
  EXPECT_THAT((*all)[1].attribute(1), Optional(absl::string_view("meminfo-16-bytes")));
}

TEST(SocketSnapshotTest, RejectsTruncatedAndMalformedMessages) {
  DiagMessageSpec spec;
  spec.attributes = {{2, testing::TcpInfo(168)}};
  std::string message = DiagMessage(spec);
  // Cut inside the tcp_info attribute: the header still claims the full length.
  EXPECT_FALSE(SocketSnapshot::Parse(Bytes(message.substr(0, 120)), 0).ok());
  // A message too short for inet_diag_msg.
  std::string short_message = message.substr(0, 16 + 40);
  uint32_t length = static_cast<uint32_t>(short_message.size());
  std::memcpy(short_message.data(), &length, 4);
  EXPECT_FALSE(SocketSnapshot::Parse(Bytes(short_message), 0).ok());
  // An attribute whose length runs past the message.
  std::string bad_attr = message;
  uint16_t huge = 2000;
  std::memcpy(bad_attr.data() + 16 + 72, &huge, 2);
  EXPECT_FALSE(SocketSnapshot::Parse(Bytes(bad_attr), 0).ok());
  // An attribute length below the attribute header.
  std::string tiny_attr = message;
  uint16_t tiny = 2;
  std::memcpy(tiny_attr.data() + 16 + 72, &tiny, 2);
  EXPECT_FALSE(SocketSnapshot::Parse(Bytes(tiny_attr), 0).ok());
  // Another message type.
  EXPECT_FALSE(SocketSnapshot::Parse(Bytes(testing::DoneMessage(1, 1)), 0).ok());
}

}  // namespace
}  // namespace mlab::tcpinfo
