#include "lib/events/test_util.h"

#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gtest/gtest.h"

namespace mlab::events::testing {

bool WaitFor(const std::function<bool()>& condition, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (!condition()) {
    if (absl::Now() >= deadline) return condition();
    absl::SleepFor(absl::Milliseconds(1));
  }
  return true;
}

SocketID TestSocketId(uint64_t n) {
  SocketID id;
  id.set_src_port(443);
  id.set_dst_port(static_cast<uint32_t>(10000 + n % 50000));
  id.set_src_ip("192.0.2.1");
  id.set_dst_ip("198.51.100.7");
  id.set_cookie(n);
  return id;
}

std::string TestUuid(uint64_t n) { return absl::StrFormat("host_1700000000_%016X", n); }

void RecordingHandler::OnOpen(const FlowEvent& event) {
  Add(absl::StrCat(event.replayed() ? "open* " : "open ", event.uuid()));
}

void RecordingHandler::OnClose(const FlowEvent& event) {
  Add(absl::StrCat(event.replayed() ? "close* " : "close ", event.uuid()));
}

void RecordingHandler::OnReplayComplete() { Add("replay-complete"); }

void RecordingHandler::OnConnected() { Add("connected"); }

void RecordingHandler::OnDisconnected(const absl::Status& status) {
  Add(absl::StrCat("disconnected ", absl::StatusCodeToString(status.code())));
}

std::vector<std::string> RecordingHandler::lines() const {
  absl::MutexLock lock(&mu_);
  return lines_;
}

int RecordingHandler::Count(const std::string& line) const {
  absl::MutexLock lock(&mu_);
  return static_cast<int>(std::count(lines_.begin(), lines_.end(), line));
}

bool RecordingHandler::WaitForLine(const std::string& line, int times,
                                   absl::Duration timeout) const {
  return WaitFor([&] { return Count(line) >= times; }, timeout);
}

void RecordingHandler::Clear() {
  absl::MutexLock lock(&mu_);
  lines_.clear();
}

void RecordingHandler::Add(std::string line) {
  absl::MutexLock lock(&mu_);
  lines_.push_back(std::move(line));
}

}  // namespace mlab::events::testing
