#ifndef MLAB_SERVICES_PUSHER_TESTING_TEST_UTIL_H_
#define MLAB_SERVICES_PUSHER_TESTING_TEST_UTIL_H_

#include <sys/types.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "lib/testing/temp_dir.h"

namespace mlab::pusher::testing {

using ScratchDir = ::mlab::testing::TempDir;

std::string ReadFileOrDie(const std::string& path);
// Every regular file under `dir`, relative to it, sorted.
using ::mlab::testing::ListFiles;
void SetMtime(const std::string& path, absl::Time mtime);

// A test peer (fake-gcs-server, s3rver) run as a child process, killed on destruction.
class PeerProcess {
 public:
  // `argv[0]` must exist; the test fails with a clear message if the peer is not installed.
  explicit PeerProcess(std::vector<std::string> argv);
  ~PeerProcess();
  bool started() const { return pid_ > 0; }
  // False once the process has exited (e.g. it could not bind its port).
  bool running();

 private:
  pid_t pid_ = -1;
};

// $MLAB_PEERS or /usr/local/lib/mlab-peers (where tools/setup.d/70-pusher.sh installs peers).
std::string PeersDir();
// A port that was free a moment ago on 127.0.0.1.
int FreePort();
// Polls `url` until it answers any HTTP status, for at most `limit`; with `peer`, gives up as
// soon as that process has exited (an answer would then come from someone else's server).
bool WaitForHttp(const std::string& url, absl::Duration limit, PeerProcess* peer = nullptr);

// Starts an HTTP peer on a free port and waits until http://127.0.0.1:<port><probe_path>
// answers while it runs. `argv_for(port)` is its command line. Another test may take the port
// between FreePort() and the peer's bind, so up to three ports are tried. Returns the port, or 0
// (with `*peer` null when the peer is not installed).
int StartHttpPeer(const std::function<std::vector<std::string>(int port)>& argv_for,
                  const std::string& probe_path, std::unique_ptr<PeerProcess>* peer);

}  // namespace mlab::pusher::testing

#endif  // MLAB_SERVICES_PUSHER_TESTING_TEST_UTIL_H_
