#include "lib/metrics/histogram.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "lib/metrics/text_format.h"

namespace mlab::metrics {
namespace {

void AppendBucket(absl::string_view name, absl::string_view labels, absl::string_view le,
                  uint64_t cumulative, std::string* out) {
  out->append(name.data(), name.size());
  out->append("_bucket{");
  if (!labels.empty()) {
    out->append(labels.data(), labels.size());
    out->push_back(',');
  }
  out->append("le=\"");
  out->append(le.data(), le.size());
  out->append("\"} ");
  out->append(std::to_string(cumulative));
  out->push_back('\n');
}

}  // namespace

Histogram::Histogram(std::vector<double> upper_bounds)
    : upper_bounds_(std::move(upper_bounds)),
      counts_(new std::atomic<uint64_t>[upper_bounds_.size() + 1]) {
  for (size_t i = 0; i <= upper_bounds_.size(); ++i) counts_[i].store(0);
}

void Histogram::Observe(double value) {
  // NaN goes to +Inf like Go's sort.SearchFloat64s would put it; lower_bound alone would not.
  const size_t index = std::isnan(value)
                           ? upper_bounds_.size()
                           : std::lower_bound(upper_bounds_.begin(), upper_bounds_.end(), value) -
                                 upper_bounds_.begin();
  counts_[index].fetch_add(1, std::memory_order_relaxed);
  sum_.Add(value);
}

uint64_t Histogram::Count() const {
  uint64_t total = 0;
  for (size_t i = 0; i <= upper_bounds_.size(); ++i) {
    total += counts_[i].load(std::memory_order_relaxed);
  }
  return total;
}

void Histogram::AppendSamples(absl::string_view name, absl::string_view labels,
                              std::string* out) const {
  // _count is the +Inf bucket, so the two always agree even while other threads observe.
  uint64_t cumulative = 0;
  for (size_t i = 0; i < upper_bounds_.size(); ++i) {
    cumulative += counts_[i].load(std::memory_order_relaxed);
    AppendBucket(name, labels, FormatFloat(upper_bounds_[i]), cumulative, out);
  }
  cumulative += counts_[upper_bounds_.size()].load(std::memory_order_relaxed);
  AppendBucket(name, labels, "+Inf", cumulative, out);
  AppendSampleStart(name, "_sum", labels, out);
  AppendFloat(Sum(), out);
  out->push_back('\n');
  AppendSampleStart(name, "_count", labels, out);
  out->append(std::to_string(cumulative));
  out->push_back('\n');
}

}  // namespace mlab::metrics
