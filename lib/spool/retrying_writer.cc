#include "lib/spool/retrying_writer.h"

#include <algorithm>
#include <utility>

namespace mlab::spool {
namespace {

// Only a lack of room (ENOSPC, EDQUOT) is worth waiting out; anything else would fail again.
bool Refused(const absl::Status& status) { return absl::IsResourceExhausted(status); }

}  // namespace

RetryingWriter::RetryingWriter(const SpoolDir* spool, Options options)
    : spool_(spool), options_(options) {
  absl::MutexLock lock(&mu_);
  thread_ = std::thread([this] { Run(); });
}

RetryingWriter::~RetryingWriter() { Stop(); }

absl::StatusOr<std::string> RetryingWriter::Write(absl::Time date, const std::string& name,
                                                  std::string contents, Done done, bool* held) {
  if (held != nullptr) *held = false;
  absl::StatusOr<std::string> path = spool_->WriteFile(date, name, contents);
  if (path.ok() || !Refused(path.status())) return path;
  absl::MutexLock lock(&mu_);
  if (stopping_ || held_bytes_ + contents.size() > options_.max_held_bytes) {
    ++stats_.lost;
    return path;
  }
  held_bytes_ += contents.size();
  held_.push_back(Held{date, name, std::move(contents), std::move(done)});
  ++stats_.held;
  if (held != nullptr) *held = true;
  return path;
}

bool RetryingWriter::RetryOldest() {
  Held file;
  {
    absl::MutexLock lock(&mu_);
    if (held_.empty()) return true;
    file = std::move(held_.front());
    held_.pop_front();
  }
  absl::StatusOr<std::string> path = spool_->WriteFile(file.date, file.name, file.contents);
  if (!path.ok() && Refused(path.status())) {
    absl::MutexLock lock(&mu_);
    held_.push_front(std::move(file));  // Still full: keep it first in line.
    return false;
  }
  Settle(file, path);
  return true;
}

void RetryingWriter::Settle(const Held& file, const absl::StatusOr<std::string>& path) {
  // The caller hears first, so that once nothing is held every outcome has been reported.
  if (file.done) file.done(path.status(), path.ok() ? *path : std::string());
  absl::MutexLock lock(&mu_);
  held_bytes_ -= file.contents.size();
  ++(path.ok() ? stats_.recovered : stats_.lost);
}

void RetryingWriter::Run() {
  absl::Duration wait = options_.first_retry;
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      auto work = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return stopping_ || !held_.empty(); };
      mu_.Await(absl::Condition(&work));
      auto stopping = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return stopping_; };
      if (!stopping_ && wait > absl::ZeroDuration()) {
        mu_.AwaitWithTimeout(absl::Condition(&stopping), wait);
      }
      if (stopping_) return;  // Stop() makes the last attempt.
    }
    if (!RetryOldest()) {
      wait = std::clamp(wait * 2, options_.first_retry, options_.max_retry);
      continue;
    }
    // Room again: the rest at once; the next refusal starts the backoff afresh.
    absl::MutexLock lock(&mu_);
    wait = held_.empty() ? options_.first_retry : absl::ZeroDuration();
  }
}

void RetryingWriter::Stop() {
  std::thread thread;
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    thread = std::move(thread_);
  }
  if (thread.joinable()) thread.join();
  while (true) {
    Held file;
    {
      absl::MutexLock lock(&mu_);
      if (held_.empty()) return;
      file = std::move(held_.front());
      held_.pop_front();
    }
    absl::StatusOr<std::string> path = spool_->WriteFile(file.date, file.name, file.contents);
    Settle(file, path);
  }
}

bool RetryingWriter::WaitUntilNoneHeld(absl::Duration timeout) const {
  absl::MutexLock lock(&mu_);
  // held_bytes_ drops only once a file's outcome is reported; held_ is emptied before its attempt.
  auto none = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return held_bytes_ == 0; };
  return mu_.AwaitWithTimeout(absl::Condition(&none), timeout);
}

RetryingWriter::Stats RetryingWriter::stats() const {
  absl::MutexLock lock(&mu_);
  Stats stats = stats_;
  stats.held_now = held_.size();
  stats.held_bytes = held_bytes_;
  return stats;
}

}  // namespace mlab::spool
