#ifndef MLAB_LIB_METRICS_HISTOGRAM_H_
#define MLAB_LIB_METRICS_HISTOGRAM_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "lib/metrics/atomic_double.h"

namespace mlab::metrics {

// Counts observations into buckets with fixed upper bounds (Prometheus "histogram"). Observe is
// lock-free; get one from Registry::NewHistogram or HistogramFamily::WithLabels.
class Histogram {
 public:
  // `upper_bounds` must be sorted and strictly increasing (the Registry checks this); a final
  // +Inf bucket is always added.
  explicit Histogram(std::vector<double> upper_bounds);
  Histogram(const Histogram&) = delete;
  Histogram& operator=(const Histogram&) = delete;

  // A value equal to a bound falls into that bound's bucket (le = "less or equal").
  void Observe(double value);

  const std::vector<double>& upper_bounds() const { return upper_bounds_; }
  // Number of observations; always equals the +Inf bucket in the exposition.
  uint64_t Count() const;
  double Sum() const { return sum_.Load(); }

  // Appends the cumulative `_bucket` lines, `_sum` and `_count`.
  void AppendSamples(absl::string_view name, absl::string_view labels, std::string* out) const;

 private:
  const std::vector<double> upper_bounds_;
  // Non-cumulative counts, one per bound plus the +Inf bucket.
  const std::unique_ptr<std::atomic<uint64_t>[]> counts_;
  internal::AtomicDouble sum_;
};

}  // namespace mlab::metrics

#endif  // MLAB_LIB_METRICS_HISTOGRAM_H_
