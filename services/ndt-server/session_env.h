#ifndef MLAB_SERVICES_NDT_SERVER_SESSION_ENV_H_
#define MLAB_SERVICES_NDT_SERVER_SESSION_ENV_H_

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "boost/asio/thread_pool.hpp"
#include "services/ndt-server/payload.h"
#include "services/ndt-server/result.h"
#include "services/ndt-server/result_writer.h"
#include "services/ndt-server/spec.h"

namespace mlab::ndt7 {

// What one finished test reports (to the log, and to tests that watch the server).
struct TestSummary {
  std::string uuid;
  Direction direction = Direction::kDownload;
  std::string protocol;        // "ndt7+ws" or "ndt7+wss"
  std::string client;          // host:port
  int64_t app_bytes = 0;       // WebSocket payload bytes sent (download) or received (upload)
  std::string download_write;  // downloads: "send", "sendfile", "tls", "ktls+send", "ktls+sendfile"
  absl::Duration duration;
  double rate_mbps = 0;  // from the last server TCPInfo, as upstream's metric
  std::string sender_exit;
  std::string receiver_exit;
  int server_measurements = 0;
  int client_measurements = 0;
  std::string result_path;  // empty if the result could not be written
};

// Everything the tests of one server share. Owned by the server; outlives every session.
struct SessionEnv {
  ResultWriter* writer = nullptr;  // null: results are not written (tests only)
  std::string git_short_commit;
  std::string version;
  std::vector<NameValue> server_metadata;
  absl::Duration runtime = kDefaultRuntime;
  absl::Duration max_runtime = kMaxRuntime;
  FrameWritePolicy frame_write = FrameWritePolicy::kAuto;  // cleartext downloads
  // Results are compressed and written here, off the network threads.
  boost::asio::thread_pool* result_pool = nullptr;
  // Called after each test's result has been written (on the result pool).
  std::function<void(const TestSummary&)> on_test_done;
  std::atomic<int> active_tests{0};
};

}  // namespace mlab::ndt7

#endif  // MLAB_SERVICES_NDT_SERVER_SESSION_ENV_H_
