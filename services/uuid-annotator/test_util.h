// Helpers for uuid-annotator's tests: the shared test data, temporary directories short enough
// for unix socket paths, file I/O and condition waits.
#ifndef MLAB_SERVICES_UUID_ANNOTATOR_TEST_UTIL_H_
#define MLAB_SERVICES_UUID_ANNOTATOR_TEST_UTIL_H_

#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "lib/testing/temp_dir.h"

namespace mlab::uuid_annotator::testing {

// A file under ../shared/testdata (Bazel: data = ["@shared_testdata//:files"]), e.g.
// TestData("uuid-annotator/testdata/fake.tar.gz").
std::string TestData(absl::string_view relative);

// The whole file; aborts the test program if it cannot be read.
std::string ReadFileOrDie(const std::string& path);
// Writes `content` to `path` through a temporary file and a rename (what deployments do).
void WriteFileOrDie(const std::string& path, absl::string_view content);

// Directories short enough for unix socket paths, removed with their contents on destruction.
using TempDir = ::mlab::testing::ShortTempDir;
// Regular files below `dir`, relative to it, sorted.
using ::mlab::testing::ListFiles;

// Polls `condition` every millisecond until it holds or `timeout` passes.
bool WaitFor(const std::function<bool()>& condition, absl::Duration timeout = absl::Seconds(20));

// A child process with stdout and stderr going to a log file.
class Subprocess {
 public:
  // Starts argv[0] (a path, or a name looked up in PATH) with `argv`.
  Subprocess(const std::vector<std::string>& argv, const std::string& log_path);
  ~Subprocess();  // Kills (SIGKILL) and reaps the child if it still runs.
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;

  int pid() const { return pid_; }
  void Signal(int sig) const;
  // Waits for the exit and returns the wait status, or -1 on timeout.
  int Wait(absl::Duration timeout);
  bool running();
  std::string log() const;

 private:
  int pid_ = -1;
  bool reaped_ = false;
  std::string log_path_;
};

// An HTTP/1.1 server on 127.0.0.1 (one connection at a time, Connection: close) whose answers
// come from `handler`: the raw request (headers and body) in, the raw response out.
class TestHttpServer {
 public:
  using Handler = std::function<std::string(const std::string& request)>;
  explicit TestHttpServer(Handler handler);
  ~TestHttpServer();
  TestHttpServer(const TestHttpServer&) = delete;
  TestHttpServer& operator=(const TestHttpServer&) = delete;
  int port() const { return port_; }
  std::string url() const;  // "http://127.0.0.1:<port>"
  std::vector<std::string> requests() const;

 private:
  void Run();
  Handler handler_;
  int fd_ = -1;
  int port_ = 0;
  mutable std::mutex mu_;
  std::vector<std::string> requests_;
  std::thread thread_;
};

// A raw response with a body and Content-Length.
std::string HttpAnswer(int status, const std::string& body, const std::string& extra_headers = "");

// GETs http://127.0.0.1:port/path; returns the body, or "" on any failure.
std::string HttpGet(int port, const std::string& path);

// The value of one sample line (e.g. `name{label="x"}`) in a Prometheus text page, or -1.
double MetricValue(const std::string& page, const std::string& sample);

// Gzips `data` (what RouteViews files are).
std::string Gzip(absl::string_view data);

// The upstream Go test fixtures' standard configuration (hostname mlab1-lga03).
inline constexpr char kHostname[] = "mlab1-lga03.mlab-sandbox.measurement-lab.org";

}  // namespace mlab::uuid_annotator::testing

#endif  // MLAB_SERVICES_UUID_ANNOTATOR_TEST_UTIL_H_
