#include "lib/unixsocket/socket_path.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "gtest/gtest.h"
#include "lib/testing/temp_dir.h"

namespace mlab::unixsocket {
namespace {

class SocketPathTest : public ::testing::Test {
 protected:
  // A socket bound at `path`; listening when `listen_on` (a live server), else closed (stale).
  int Bind(const std::string& path, bool listen_on) {
    absl::StatusOr<sockaddr_un> addr = SocketAddress(path);
    EXPECT_TRUE(addr.ok());
    const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    EXPECT_EQ(bind(fd, reinterpret_cast<const sockaddr*>(&*addr), sizeof(*addr)), 0);
    if (listen_on) {
      EXPECT_EQ(listen(fd, 1), 0);
      return fd;
    }
    close(fd);
    return -1;
  }

  static bool Exists(const std::string& path) {
    struct stat st;
    return lstat(path.c_str(), &st) == 0;
  }

  mlab::testing::ShortTempDir tmp_;  // sockets are bound in it
  std::string dir_ = tmp_.path();
};

TEST_F(SocketPathTest, CreatesTheDirectory) {
  const std::string path = dir_ + "/a/b/server.sock";
  ASSERT_TRUE(PrepareSocketPath(path).ok());
  EXPECT_TRUE(std::filesystem::is_directory(dir_ + "/a/b"));
  EXPECT_FALSE(Exists(path));
}

TEST_F(SocketPathTest, RemovesAStaleSocket) {
  const std::string path = dir_ + "/stale.sock";
  Bind(path, /*listen_on=*/false);
  ASSERT_TRUE(Exists(path));
  ASSERT_TRUE(PrepareSocketPath(path).ok());
  EXPECT_FALSE(Exists(path));
}

TEST_F(SocketPathTest, NeverTakesALiveServersSocket) {
  const std::string path = dir_ + "/live.sock";
  const int server = Bind(path, /*listen_on=*/true);
  EXPECT_EQ(PrepareSocketPath(path).code(), absl::StatusCode::kAlreadyExists);
  EXPECT_TRUE(Exists(path));
  close(server);
}

TEST_F(SocketPathTest, NeverRemovesAnythingElse) {
  const std::string path = dir_ + "/data.json";
  FILE* file = fopen(path.c_str(), "w");
  ASSERT_NE(file, nullptr);
  fclose(file);
  EXPECT_EQ(PrepareSocketPath(path).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(Exists(path));
}

TEST_F(SocketPathTest, RemovesOnlySockets) {
  const std::string sock = dir_ + "/own.sock", other = dir_ + "/other";
  Bind(sock, /*listen_on=*/false);
  FILE* file = fopen(other.c_str(), "w");
  ASSERT_NE(file, nullptr);
  fclose(file);
  RemoveSocket(sock);
  RemoveSocket(other);
  RemoveSocket(dir_ + "/never-there");
  EXPECT_FALSE(Exists(sock));
  EXPECT_TRUE(Exists(other));
}

TEST_F(SocketPathTest, RefusesPathsThatDoNotFit) {
  EXPECT_EQ(PrepareSocketPath("").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(PrepareSocketPath(dir_ + "/" + std::string(200, 'x')).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(SocketAddress(std::string(sizeof(sockaddr_un::sun_path), 'x')).ok());
  EXPECT_TRUE(SocketAddress(std::string(sizeof(sockaddr_un::sun_path) - 1, 'x')).ok());
}

}  // namespace
}  // namespace mlab::unixsocket
