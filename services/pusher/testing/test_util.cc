#include "services/pusher/testing/test_util.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "glog/logging.h"
#include "services/pusher/http_client.h"

namespace mlab::pusher::testing {
std::string ReadFileOrDie(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  CHECK(in.good()) << path;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void SetMtime(const std::string& path, absl::Time mtime) {
  struct timespec times[2] = {absl::ToTimespec(mtime), absl::ToTimespec(mtime)};
  CHECK_EQ(utimensat(AT_FDCWD, path.c_str(), times, AT_SYMLINK_NOFOLLOW), 0);
}

PeerProcess::PeerProcess(std::vector<std::string> argv) {
  if (access(argv[0].c_str(), X_OK) != 0) {
    LOG(ERROR) << "test peer missing: " << argv[0] << " (run tools/setup)";
    return;
  }
  pid_ = fork();
  CHECK_GE(pid_, 0);
  if (pid_ == 0) {
    int null = open("/dev/null", O_WRONLY);
    dup2(null, 1);
    dup2(null, 2);
    std::vector<char*> args;
    for (std::string& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
}

bool PeerProcess::running() {
  if (pid_ <= 0) return false;
  if (waitpid(pid_, nullptr, WNOHANG) == 0) return true;
  pid_ = -1;  // reaped
  return false;
}

PeerProcess::~PeerProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

std::string PeersDir() {
  const char* peers = getenv("MLAB_PEERS");
  return peers != nullptr ? peers : "/usr/local/lib/mlab-peers";
}

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in addr {};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  CHECK_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

bool WaitForHttp(const std::string& url, absl::Duration limit, PeerProcess* peer) {
  HttpClient http;
  absl::Time deadline = absl::Now() + limit;
  while (absl::Now() < deadline) {
    if (peer != nullptr && !peer->running()) return false;
    HttpRequest request;
    request.url = url;
    request.timeout = absl::Seconds(2);
    if (http.Do(request).ok()) return peer == nullptr || peer->running();
    absl::SleepFor(absl::Milliseconds(50));  // Readiness poll, bounded by `limit`.
  }
  return false;
}

int StartHttpPeer(const std::function<std::vector<std::string>(int port)>& argv_for,
                  const std::string& probe_path, std::unique_ptr<PeerProcess>* peer) {
  for (int attempt = 0; attempt < 3; ++attempt) {
    const int port = FreePort();
    *peer = std::make_unique<PeerProcess>(argv_for(port));
    if (!(*peer)->started()) {
      peer->reset();
      return 0;
    }
    if (WaitForHttp(absl::StrCat("http://127.0.0.1:", port, probe_path), absl::Seconds(30),
                    peer->get())) {
      return port;
    }
    LOG(WARNING) << "test peer did not come up on port " << port << "; trying another";
  }
  return 0;
}

}  // namespace mlab::pusher::testing
