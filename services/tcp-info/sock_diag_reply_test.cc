#include "services/tcp-info/sock_diag_reply.h"

#include <cerrno>
#include <string>

#include "gtest/gtest.h"
#include "services/tcp-info/testing/diag_message_builder.h"

namespace mlab::tcpinfo {
namespace {

using testing::DiagMessage;
using testing::DiagMessageSpec;
using testing::DoneMessage;
using testing::ErrorMessage;

constexpr uint32_t kPort = 1234;
constexpr uint32_t kSeq = 77;

std::string Socket(uint64_t cookie, uint16_t flags = 2) {
  DiagMessageSpec spec = testing::EstablishedV4(cookie);
  spec.sequence = kSeq;
  spec.port_id = kPort;
  spec.flags = flags;
  return DiagMessage(spec);
}

TEST(SockDiagReplyTest, AssemblesMultipartReplyAcrossDatagrams) {
  SockDiagReply reply(kPort, kSeq);
  ASSERT_TRUE(reply.Add(Socket(1) + Socket(2)).ok());
  EXPECT_FALSE(reply.done());
  ASSERT_TRUE(reply.Add(Socket(3)).ok());
  ASSERT_TRUE(reply.Add(Socket(4) + DoneMessage(kSeq, kPort)).ok());
  EXPECT_TRUE(reply.done());
  const absl::Time when = absl::FromUnixSeconds(1700000000);
  absl::StatusOr<std::vector<SocketSnapshot>> sockets = reply.Finish(when);
  ASSERT_TRUE(sockets.ok()) << sockets.status();
  ASSERT_EQ(sockets->size(), 4u);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ((*sockets)[i].cookie(), static_cast<uint64_t>(i + 1));
    EXPECT_EQ((*sockets)[i].timestamp(), when);
    EXPECT_EQ((*sockets)[i].attribute(2)->size(), 232u);
  }
}

TEST(SockDiagReplyTest, EmptyDumpIsOnlyDone) {
  SockDiagReply reply(kPort, kSeq);
  ASSERT_TRUE(reply.Add(DoneMessage(kSeq, kPort)).ok());
  absl::StatusOr<std::vector<SocketSnapshot>> sockets = reply.Finish(absl::Now());
  ASSERT_TRUE(sockets.ok());
  EXPECT_TRUE(sockets->empty());
}

TEST(SockDiagReplyTest, NlmsgErrorFailsTheDumpInsteadOfEndingIt) {
  SockDiagReply reply(kPort, kSeq);
  ASSERT_TRUE(reply.Add(Socket(1)).ok());
  absl::Status status = reply.Add(ErrorMessage(kSeq, kPort, -ENOMEM));
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(reply.failure_kind(), "NLMSG_ERROR");
  EXPECT_FALSE(reply.done());
  EXPECT_FALSE(reply.Finish(absl::Now()).ok());
}

TEST(SockDiagReplyTest, DumpInterruptedFailsAtFinish) {
  SockDiagReply reply(kPort, kSeq);
  ASSERT_TRUE(reply.Add(Socket(1, 2 | 0x10 /* NLM_F_DUMP_INTR */)).ok());
  ASSERT_TRUE(reply.Add(DoneMessage(kSeq, kPort)).ok());
  absl::StatusOr<std::vector<SocketSnapshot>> sockets = reply.Finish(absl::Now());
  EXPECT_EQ(sockets.status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(reply.failure_kind(), "NLM_F_DUMP_INTR");
}

TEST(SockDiagReplyTest, DoneWithErrorFails) {
  SockDiagReply reply(kPort, kSeq);
  EXPECT_FALSE(reply.Add(DoneMessage(kSeq, kPort, -EINTR)).ok());
  EXPECT_EQ(reply.failure_kind(), "NLMSG_DONE");
}

TEST(SockDiagReplyTest, WrongSequenceOrPortFails) {
  {
    SockDiagReply reply(kPort, kSeq + 1);
    EXPECT_FALSE(reply.Add(Socket(1)).ok());
    EXPECT_EQ(reply.failure_kind(), "wrong seq num");
  }
  {
    SockDiagReply reply(kPort + 1, kSeq);
    EXPECT_FALSE(reply.Add(Socket(1)).ok());
    EXPECT_EQ(reply.failure_kind(), "wrong pid");
  }
}

TEST(SockDiagReplyTest, IncompleteOrMalformedReplyFails) {
  {
    SockDiagReply reply(kPort, kSeq);
    ASSERT_TRUE(reply.Add(Socket(1)).ok());
    EXPECT_FALSE(reply.Finish(absl::Now()).ok());
    EXPECT_EQ(reply.failure_kind(), "incomplete");
  }
  {
    SockDiagReply reply(kPort, kSeq);
    std::string cut = Socket(1);
    cut.resize(cut.size() - 8);
    EXPECT_FALSE(reply.Add(cut).ok());
    EXPECT_EQ(reply.failure_kind(), "malformed");
  }
  {
    SockDiagReply reply(kPort, kSeq);
    EXPECT_FALSE(reply.Add(DoneMessage(kSeq, kPort) + Socket(1)).ok());
    EXPECT_EQ(reply.failure_kind(), "after done");
  }
}

}  // namespace
}  // namespace mlab::tcpinfo
