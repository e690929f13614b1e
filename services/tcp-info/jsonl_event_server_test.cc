#include "services/tcp-info/jsonl_event_server.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "services/tcp-info/testing/temp_dir.h"

namespace mlab::tcpinfo {
namespace {

constexpr absl::Duration kTimeout = absl::Seconds(10);

int Connect(const std::string& path, int receive_buffer = 0) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (receive_buffer > 0) {
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof(receive_buffer));
  }
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path, path.data(), path.size());
  EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  timeval timeout = absl::ToTimeval(kTimeout);
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  return fd;
}

// Reads exactly `size` bytes (or fails on timeout/EOF).
std::string ReadExactly(int fd, size_t size) {
  std::string data(size, '\0');
  size_t got = 0;
  while (got < size) {
    ssize_t n = read(fd, data.data() + got, size - got);
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  data.resize(got);
  return data;
}

class JsonlEventServerTest : public ::testing::Test {
 protected:
  std::string Path() { return dir_.path() + "/tcpevents.sock"; }
  testing::TempDir dir_{"/tmp"};  // unix socket paths must be short
};

TEST_F(JsonlEventServerTest, EveryClientGetsEveryLineInOrder) {
  JsonlEventServer server(Path());
  absl::Status started = server.Start();
  ASSERT_TRUE(started.ok()) << started;
  int a = Connect(Path());
  int b = Connect(Path());
  ASSERT_TRUE(server.WaitForClients(2, kTimeout));
  std::string expected;
  for (int i = 0; i < 100; ++i) {
    std::string line = absl::StrCat("{\"Event\":0,\"n\":", i, "}\n");
    server.Publish(line);
    expected += line;
  }
  EXPECT_EQ(ReadExactly(a, expected.size()), expected);
  EXPECT_EQ(ReadExactly(b, expected.size()), expected);
  close(a);
  close(b);
}

TEST_F(JsonlEventServerTest, ReplacesAStaleSocketAndRemovesItAtShutdown) {
  // A socket file left by a process that died.
  int stale = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path, Path().data(), Path().size());
  ASSERT_EQ(bind(stale, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  close(stale);
  struct stat info;
  ASSERT_EQ(stat(Path().c_str(), &info), 0);

  JsonlEventServer server(Path());
  ASSERT_TRUE(server.Start().ok());
  int client = Connect(Path());
  ASSERT_TRUE(server.WaitForClients(1, kTimeout));
  server.Publish("x\n");
  EXPECT_EQ(ReadExactly(client, 2), "x\n");
  server.Shutdown();
  EXPECT_NE(stat(Path().c_str(), &info), 0);
  EXPECT_EQ(ReadExactly(client, 1), "");  // disconnected
  close(client);
}

TEST_F(JsonlEventServerTest, RefusesToReplaceSomethingElse) {
  FILE* file = fopen(Path().c_str(), "w");
  fclose(file);
  JsonlEventServer server(Path());
  EXPECT_EQ(server.Start().code(), absl::StatusCode::kFailedPrecondition);
}

// A second tcp-info on the same path must not take the socket from the one still serving.
TEST_F(JsonlEventServerTest, LeavesALiveServersSocketAlone) {
  JsonlEventServer first(Path());
  ASSERT_TRUE(first.Start().ok());
  JsonlEventServer second(Path());
  EXPECT_EQ(second.Start().code(), absl::StatusCode::kAlreadyExists);
  int client = Connect(Path());
  ASSERT_TRUE(first.WaitForClients(1, kTimeout));
  first.Publish("still here\n");
  EXPECT_EQ(ReadExactly(client, 11), "still here\n");
  close(client);
}

// A client that stops reading is dropped once its queue is full; publishing never blocks and the
// other clients keep receiving everything.
TEST_F(JsonlEventServerTest, StuckClientIsDroppedWithoutStallingOthers) {
  JsonlEventServer server(Path(), {.max_queued_bytes = 64 << 10, .max_clients = 4});
  ASSERT_TRUE(server.Start().ok());
  int stuck = Connect(Path(), 4096);
  int reader = Connect(Path());
  ASSERT_TRUE(server.WaitForClients(2, kTimeout));
  const std::string line(200, 'e');
  std::string received;
  const absl::Time start = absl::Now();
  for (int i = 0; i < 20000; ++i) {  // 4 MB, far beyond the stuck client's buffers
    server.Publish(line + "\n");
    if (i % 100 == 99) received += ReadExactly(reader, 100 * (line.size() + 1));
  }
  const absl::Duration publishing = absl::Now() - start;
  EXPECT_EQ(received.size(), 20000 * (line.size() + 1));
  EXPECT_EQ(server.stats().dropped_total, 1);
  EXPECT_LT(publishing, absl::Seconds(5));
  // The stuck client finds its connection closed after what was already in flight.
  char buffer[4096];
  ssize_t n;
  while ((n = read(stuck, buffer, sizeof(buffer))) > 0) {
  }
  EXPECT_EQ(n, 0);
  close(stuck);
  close(reader);
}

}  // namespace
}  // namespace mlab::tcpinfo
