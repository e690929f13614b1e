// Test helpers: short temporary directories for unix sockets, condition waits, a recording handler.
#ifndef MLAB_LIB_EVENTS_TEST_UTIL_H_
#define MLAB_LIB_EVENTS_TEST_UTIL_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "lib/events/handler.h"
#include "lib/testing/temp_dir.h"
#include "proto/events.pb.h"

namespace mlab::events::testing {

using ::mlab::testing::ShortTempDir;

// Polls `condition` every millisecond until it holds or `timeout` passes; returns the last value.
bool WaitFor(const std::function<bool()>& condition, absl::Duration timeout = absl::Seconds(10));

// A SocketID whose cookie and ports derive from `n`.
SocketID TestSocketId(uint64_t n);

// The uuid tests use for cookie `n`.
std::string TestUuid(uint64_t n);

// Records every callback as a line: "open <uuid>", "open* <uuid>" (replayed), "close <uuid>",
// "close* <uuid>" (synthesized), "replay-complete", "connected", "disconnected <code>".
// Thread-safe.
class RecordingHandler : public FlowEventHandler {
 public:
  void OnOpen(const FlowEvent& event) override;
  void OnClose(const FlowEvent& event) override;
  void OnReplayComplete() override;
  void OnConnected() override;
  void OnDisconnected(const absl::Status& status) override;

  std::vector<std::string> lines() const;
  // How many recorded lines equal `line`.
  int Count(const std::string& line) const;
  // Waits until `line` has been recorded at least `times` times.
  bool WaitForLine(const std::string& line, int times = 1,
                   absl::Duration timeout = absl::Seconds(10)) const;
  void Clear();

 private:
  void Add(std::string line);

  mutable absl::Mutex mu_;
  std::vector<std::string> lines_ ABSL_GUARDED_BY(mu_);
};

}  // namespace mlab::events::testing

#endif  // MLAB_LIB_EVENTS_TEST_UTIL_H_
