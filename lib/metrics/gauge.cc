#include "lib/metrics/gauge.h"

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "lib/metrics/text_format.h"

namespace mlab::metrics {

void Gauge::SetToCurrentTime() { Set(absl::ToDoubleSeconds(absl::Now() - absl::UnixEpoch())); }

void Gauge::AppendSamples(absl::string_view name, absl::string_view labels,
                          std::string* out) const {
  AppendSampleStart(name, "", labels, out);
  AppendFloat(Value(), out);
  out->push_back('\n');
}

}  // namespace mlab::metrics
