#include "lib/metrics/gauge.h"

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "lib/metrics/text_format.h"

namespace mlab::metrics {

void Gauge::SetToCurrentTime() { Set(absl::ToDoubleSeconds(absl::Now() - absl::UnixEpoch())); }

void Gauge::AppendSamples(absl::string_view name, absl::string_view labels,
                          std::string* out) const {
  out->append(name.data(), name.size());
  if (!labels.empty()) {
    out->push_back('{');
    out->append(labels.data(), labels.size());
    out->push_back('}');
  }
  out->push_back(' ');
  AppendFloat(Value(), out);
  out->push_back('\n');
}

}  // namespace mlab::metrics
