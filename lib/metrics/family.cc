#include "lib/metrics/family.h"

#include <algorithm>
#include <numeric>

#include "glog/logging.h"
#include "lib/metrics/text_format.h"

namespace mlab::metrics {

absl::string_view MetricTypeName(MetricType type) {
  switch (type) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kHistogram:
      return "histogram";
  }
  return "untyped";
}

FamilyBase::FamilyBase(std::string name, std::string help, MetricType type,
                       std::vector<std::string> label_names, std::string shape)
    : name_(std::move(name)),
      help_(std::move(help)),
      type_(type),
      label_names_(std::move(label_names)),
      shape_(std::move(shape)),
      sorted_index_(label_names_.size()) {
  std::iota(sorted_index_.begin(), sorted_index_.end(), 0);
  std::sort(sorted_index_.begin(), sorted_index_.end(),
            [this](size_t a, size_t b) { return label_names_[a] < label_names_[b]; });
}

void FamilyBase::AppendHeader(std::string* out) const {
  out->append("# HELP ");
  out->append(name_);
  out->push_back(' ');
  AppendEscapedHelp(help_, out);
  out->append("\n# TYPE ");
  out->append(name_);
  out->push_back(' ');
  const absl::string_view type = MetricTypeName(type_);
  out->append(type.data(), type.size());
  out->push_back('\n');
}

std::vector<std::string> FamilyBase::SortedValues(absl::Span<const std::string> values) const {
  if (values.size() != label_names_.size()) {
    LOG(FATAL) << "metric " << name_ << " has " << label_names_.size() << " label(s) but got "
               << values.size() << " value(s)";
  }
  std::vector<std::string> sorted;
  sorted.reserve(values.size());
  for (size_t index : sorted_index_) sorted.push_back(values[index]);
  return sorted;
}

std::string FamilyBase::RenderLabels(const std::vector<std::string>& sorted_values) const {
  std::string out;
  for (size_t i = 0; i < sorted_index_.size(); ++i) {
    if (i > 0) out.push_back(',');
    out.append(label_names_[sorted_index_[i]]);
    out.append("=\"");
    AppendEscapedLabelValue(sorted_values[i], &out);
    out.push_back('"');
  }
  return out;
}

}  // namespace mlab::metrics
