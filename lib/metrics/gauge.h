#ifndef MLAB_LIB_METRICS_GAUGE_H_
#define MLAB_LIB_METRICS_GAUGE_H_

#include <string>

#include "absl/strings/string_view.h"
#include "lib/metrics/atomic_double.h"

namespace mlab::metrics {

// A value that goes up and down (Prometheus "gauge"). Lock-free; get one from
// Registry::NewGauge or GaugeFamily::WithLabels and keep the reference.
class Gauge {
 public:
  Gauge() = default;
  Gauge(const Gauge&) = delete;
  Gauge& operator=(const Gauge&) = delete;

  void Set(double value) { value_.Store(value); }
  void Add(double delta) { value_.Add(delta); }
  void Sub(double delta) { value_.Add(-delta); }
  void Increment() { value_.Add(1); }
  void Decrement() { value_.Add(-1); }
  // Seconds since the Unix epoch, like Go's Gauge.SetToCurrentTime.
  void SetToCurrentTime();
  double Value() const { return value_.Load(); }

  // Appends `name{labels} value\n`; `labels` is the rendered label list without braces.
  void AppendSamples(absl::string_view name, absl::string_view labels, std::string* out) const;

 private:
  internal::AtomicDouble value_;
};

}  // namespace mlab::metrics

#endif  // MLAB_LIB_METRICS_GAUGE_H_
