#include "services/uuid-annotator/reload_scheduler.h"

#include "absl/strings/str_cat.h"
#include "lib/flags/duration.h"

namespace mlab::uuid_annotator {

absl::Status ReloadScheduler::Check(const Config& c) {
  const absl::Duration zero = absl::ZeroDuration();
  if (zero <= c.min && c.min <= c.expected && (c.max == zero || c.expected <= c.max)) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "reload intervals make no sense: need reloadmin <= reloadtime <= reloadmax, have ",
      flags::FormatGoDuration(c.min), ", ", flags::FormatGoDuration(c.expected), ", ",
      flags::FormatGoDuration(c.max)));
}

absl::Duration ReloadScheduler::NextWait(const Config& config, std::mt19937_64& rng) {
  std::exponential_distribution<double> exp(1.0);
  absl::Duration wait = config.expected * exp(rng);
  if (wait < config.min) wait = config.min;
  if (config.max != absl::ZeroDuration() && wait > config.max) wait = config.max;
  return wait;
}

ReloadScheduler::ReloadScheduler(Config config, std::function<void()> reload)
    : config_(config), reload_(std::move(reload)) {}

ReloadScheduler::~ReloadScheduler() { Stop(); }

void ReloadScheduler::Start() {
  thread_ = std::thread([this] { Run(); });
}

void ReloadScheduler::TriggerNow() {
  absl::MutexLock lock(&mu_);
  triggered_ = true;
}

void ReloadScheduler::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

int64_t ReloadScheduler::completed() const {
  absl::MutexLock lock(&mu_);
  return completed_;
}

void ReloadScheduler::Run() {
  std::mt19937_64 rng(std::random_device{}());
  while (true) {
    const absl::Time deadline = absl::Now() + NextWait(config_, rng);
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return stopping_ || triggered_; };
      mu_.AwaitWithDeadline(absl::Condition(&ready), deadline);
      if (stopping_) return;
      triggered_ = false;
    }
    reload_();
    absl::MutexLock lock(&mu_);
    ++completed_;
  }
}

}  // namespace mlab::uuid_annotator
