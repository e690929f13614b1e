#include "lib/metrics/counter.h"

#include "lib/metrics/text_format.h"

namespace mlab::metrics {

void Counter::AppendSamples(absl::string_view name, absl::string_view labels,
                            std::string* out) const {
  AppendSampleStart(name, "", labels, out);
  AppendFloat(Value(), out);
  out->push_back('\n');
}

}  // namespace mlab::metrics
