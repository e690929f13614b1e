#ifndef MLAB_LIB_METRICS_TEXT_FORMAT_H_
#define MLAB_LIB_METRICS_TEXT_FORMAT_H_

// Building blocks of the Prometheus text exposition format, version 0.0.4:
// https://prometheus.io/docs/instrumenting/exposition_formats/

#include <string>

#include "absl/strings/string_view.h"

namespace mlab::metrics {

// The content type a /metrics handler sends with Registry::Expose() output.
inline constexpr absl::string_view kTextContentType = "text/plain; version=0.0.4; charset=utf-8";

// Formats a sample value (or an `le` bound) exactly as Go's client_golang does: shortest
// round-trip digits, strconv 'g' layout ("0.25", "1e+06", "1.5e-07"), "+Inf", "-Inf", "NaN".
std::string FormatFloat(double value);

// Appends FormatFloat(value) to `out`.
void AppendFloat(double value, std::string* out);

// Appends the start of a sample line, `<name><suffix>{<labels>} ` (no braces without labels);
// `labels` is already rendered: `a="1",b="2"`.
void AppendSampleStart(absl::string_view name, absl::string_view suffix, absl::string_view labels,
                       std::string* out);

// Appends HELP text with backslash and newline escaped.
void AppendEscapedHelp(absl::string_view help, std::string* out);

// Appends a label value with backslash, double quote and newline escaped; invalid UTF-8 bytes
// become U+FFFD so a scraper never rejects the whole page because of one bad value.
void AppendEscapedLabelValue(absl::string_view value, std::string* out);

// [a-zA-Z_:][a-zA-Z0-9_:]*
bool IsValidMetricName(absl::string_view name);

// [a-zA-Z_][a-zA-Z0-9_]* and not starting with "__" (reserved for Prometheus itself).
bool IsValidLabelName(absl::string_view name);

}  // namespace mlab::metrics

#endif  // MLAB_LIB_METRICS_TEXT_FORMAT_H_
