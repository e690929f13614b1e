#ifndef MLAB_LIB_METRICS_COUNTER_H_
#define MLAB_LIB_METRICS_COUNTER_H_

#include <string>

#include "absl/strings/string_view.h"
#include "lib/metrics/atomic_double.h"

namespace mlab::metrics {

// A value that only goes up (Prometheus "counter"). Lock-free; get one from
// Registry::NewCounter or CounterFamily::WithLabels and keep the reference.
class Counter {
 public:
  Counter() = default;
  Counter(const Counter&) = delete;
  Counter& operator=(const Counter&) = delete;

  void Increment() { value_.Add(1); }
  // Negative amounts are ignored: a counter that goes down breaks rate() in every query.
  void Add(double amount) {
    if (amount > 0) value_.Add(amount);
  }
  double Value() const { return value_.Load(); }

  // Appends `name{labels} value\n`; `labels` is the rendered label list without braces.
  void AppendSamples(absl::string_view name, absl::string_view labels, std::string* out) const;

 private:
  internal::AtomicDouble value_;
};

}  // namespace mlab::metrics

#endif  // MLAB_LIB_METRICS_COUNTER_H_
