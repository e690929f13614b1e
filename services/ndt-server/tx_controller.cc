#include "services/ndt-server/tx_controller.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "glog/logging.h"
#include "services/ndt-server/ndt7_metrics.h"

namespace mlab::ndt7 {

void TxRateEstimator::Start(absl::Time now, uint64_t tx_bytes) {
  prev_time_ = now;
  prev_bytes_ = tx_bytes;
  rate_ = 0;
}

double TxRateEstimator::Update(absl::Time now, uint64_t tx_bytes) {
  const absl::Duration interval = now - prev_time_;
  if (interval <= period_ / 2) return rate_;
  const double seconds = absl::ToDoubleSeconds(interval);
  const double rate_now = 8.0 * static_cast<double>(tx_bytes - prev_bytes_) / seconds;
  const double alpha = absl::ToDoubleSeconds(period_) / 2;
  rate_ = std::max(rate_now, (1 - alpha) * rate_ + alpha * rate_now);
  prev_bytes_ = tx_bytes;
  prev_time_ = now;
  return rate_;
}

absl::StatusOr<uint64_t> ReadNetDevTxBytes(const std::string& path, const std::string& device) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::string line;
  while (std::getline(in, line)) {
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;  // The two header lines.
    if (absl::StripAsciiWhitespace(absl::string_view(line).substr(0, colon)) != device) continue;
    std::vector<absl::string_view> fields =
        absl::StrSplit(absl::string_view(line).substr(colon + 1), ' ', absl::SkipEmpty());
    // 8 receive columns, then transmit bytes.
    uint64_t tx = 0;
    if (fields.size() < 9 || !absl::SimpleAtoi(fields[8], &tx)) {
      return absl::DataLossError(absl::StrCat("malformed line for ", device, " in ", path));
    }
    return tx;
  }
  return absl::NotFoundError(absl::StrCat("Given device not found: \"", device, "\""));
}

absl::StatusOr<std::unique_ptr<TxController>> TxController::Create(std::string device,
                                                                   uint64_t max_rate_bps,
                                                                   std::string net_dev_path,
                                                                   absl::Duration period) {
  if (device.empty()) return absl::InvalidArgumentError("no device found");
  // This first reading is also the baseline of the first rate sample.
  const absl::Time now = absl::Now();
  absl::StatusOr<uint64_t> first = ReadNetDevTxBytes(net_dev_path, device);
  if (!first.ok()) return first.status();
  return std::unique_ptr<TxController>(new TxController(
      std::move(device), max_rate_bps, std::move(net_dev_path), period, now, *first));
}

TxController::TxController(std::string device, uint64_t limit, std::string path,
                           absl::Duration period, absl::Time start, uint64_t start_bytes)
    : device_(std::move(device)), limit_(limit), path_(std::move(path)), period_(period) {
  if (limit_ > 0) thread_ = std::thread([this, start, start_bytes] { Watch(start, start_bytes); });
}

TxController::~TxController() {
  stop_.Notify();
  if (thread_.joinable()) thread_.join();
}

void TxController::Watch(absl::Time start, uint64_t start_bytes) {
  TxRateEstimator estimator(period_);
  estimator.Start(start, start_bytes);
  absl::Time next = start + period_;
  while (!stop_.WaitForNotificationWithDeadline(next)) {
    next += period_;
    absl::StatusOr<uint64_t> tx = ReadNetDevTxBytes(path_, device_);
    if (!tx.ok()) {
      LOG_EVERY_N(WARNING, 100) << "txcontroller: " << tx.status();
      continue;
    }
    current_.store(static_cast<uint64_t>(estimator.Update(absl::Now(), *tx)),
                   std::memory_order_relaxed);
  }
}

bool TxController::IsLimited(bool monitoring) {
  const bool limited = limit_ > 0 && current_bps() > limit_ && !monitoring;
  metrics::TxRequests().WithLabels({limited ? "rejected" : "accepted", "http"}).Increment();
  return limited;
}

}  // namespace mlab::ndt7
