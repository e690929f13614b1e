#include "lib/metrics/registry.h"

#include <cmath>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "glog/logging.h"
#include "lib/metrics/buckets.h"
#include "lib/metrics/process_metrics.h"
#include "lib/metrics/text_format.h"

namespace mlab::metrics {
namespace {

void CheckNames(const std::string& name, const std::vector<std::string>& label_names,
                MetricType type) {
  if (!IsValidMetricName(name)) LOG(FATAL) << "invalid metric name \"" << name << "\"";
  std::set<std::string> seen;
  for (const std::string& label : label_names) {
    if (!IsValidLabelName(label)) {
      LOG(FATAL) << "metric " << name << ": invalid label name \"" << label << "\"";
    }
    if (!seen.insert(label).second) {
      LOG(FATAL) << "metric " << name << ": duplicate label name \"" << label << "\"";
    }
    if (type == MetricType::kHistogram && label == "le") {
      LOG(FATAL) << "histogram " << name << ": label name \"le\" is reserved";
    }
  }
}

std::string Shape(MetricType type, const std::vector<std::string>& label_names,
                  absl::string_view extra = "") {
  return absl::StrCat(MetricTypeName(type), "{", absl::StrJoin(label_names, ","), "}", extra);
}

std::vector<double> CheckedBuckets(const std::string& name, std::vector<double> upper_bounds) {
  if (upper_bounds.empty()) upper_bounds = DefBuckets();
  if (std::isinf(upper_bounds.back()) && upper_bounds.back() > 0) upper_bounds.pop_back();
  for (size_t i = 0; i < upper_bounds.size(); ++i) {
    if (std::isnan(upper_bounds[i]) || (i > 0 && upper_bounds[i] <= upper_bounds[i - 1])) {
      LOG(FATAL) << "histogram " << name << ": bucket bounds must be strictly increasing";
    }
  }
  return upper_bounds;
}

// A family with one sample whose value is computed at scrape time.
class CallbackFamily final : public FamilyBase {
 public:
  CallbackFamily(std::string name, std::string help, MetricType type, std::function<double()> fn)
      : FamilyBase(std::move(name), std::move(help), type, {},
                   Shape(type, {}, " (computed at scrape time)")),
        fn_(std::move(fn)) {}

  void Expose(std::string* out) const override {
    AppendHeader(out);
    out->append(name());
    out->push_back(' ');
    AppendFloat(fn_(), out);
    out->push_back('\n');
  }

 private:
  const std::function<double()> fn_;
};

}  // namespace

Registry::Registry() = default;
Registry::~Registry() = default;

Registry& Registry::Default() {
  // Leaked on purpose: metrics may be touched by other static objects' destructors.
  static Registry* const registry = [] {
    auto* r = new Registry;
    RegisterProcessMetrics(*r);
    return r;
  }();
  return *registry;
}

FamilyBase& Registry::GetOrAdd(std::unique_ptr<FamilyBase> family) {
  absl::MutexLock lock(&mu_);
  auto [it, inserted] = families_.try_emplace(family->name(), nullptr);
  if (inserted) {
    it->second = std::move(family);
  } else if (it->second->shape() != family->shape()) {
    LOG(FATAL) << "metric " << family->name() << " is already registered as " << it->second->shape()
               << ", cannot register it again as " << family->shape();
  }
  return *it->second;
}

CounterFamily& Registry::NewCounterFamily(std::string name, std::string help,
                                          std::vector<std::string> label_names) {
  CheckNames(name, label_names, MetricType::kCounter);
  std::string shape = Shape(MetricType::kCounter, label_names);
  return static_cast<CounterFamily&>(GetOrAdd(std::make_unique<CounterFamily>(
      std::move(name), std::move(help), MetricType::kCounter, std::move(label_names),
      std::move(shape), [] { return std::make_unique<Counter>(); })));
}

Counter& Registry::NewCounter(std::string name, std::string help) {
  return NewCounterFamily(std::move(name), std::move(help), {}).WithLabels({});
}

GaugeFamily& Registry::NewGaugeFamily(std::string name, std::string help,
                                      std::vector<std::string> label_names) {
  CheckNames(name, label_names, MetricType::kGauge);
  std::string shape = Shape(MetricType::kGauge, label_names);
  return static_cast<GaugeFamily&>(GetOrAdd(std::make_unique<GaugeFamily>(
      std::move(name), std::move(help), MetricType::kGauge, std::move(label_names),
      std::move(shape), [] { return std::make_unique<Gauge>(); })));
}

Gauge& Registry::NewGauge(std::string name, std::string help) {
  return NewGaugeFamily(std::move(name), std::move(help), {}).WithLabels({});
}

HistogramFamily& Registry::NewHistogramFamily(std::string name, std::string help,
                                              std::vector<std::string> label_names,
                                              std::vector<double> upper_bounds) {
  CheckNames(name, label_names, MetricType::kHistogram);
  std::vector<double> bounds = CheckedBuckets(name, std::move(upper_bounds));
  std::string bounds_text;
  for (double bound : bounds)
    absl::StrAppend(&bounds_text, bounds_text.empty() ? "" : ",", FormatFloat(bound));
  std::string shape =
      Shape(MetricType::kHistogram, label_names, absl::StrCat(" buckets [", bounds_text, "]"));
  return static_cast<HistogramFamily&>(GetOrAdd(std::make_unique<HistogramFamily>(
      std::move(name), std::move(help), MetricType::kHistogram, std::move(label_names),
      std::move(shape), [bounds] { return std::make_unique<Histogram>(bounds); })));
}

Histogram& Registry::NewHistogram(std::string name, std::string help,
                                  std::vector<double> upper_bounds) {
  return NewHistogramFamily(std::move(name), std::move(help), {}, std::move(upper_bounds))
      .WithLabels({});
}

void Registry::NewGaugeFunc(std::string name, std::string help, std::function<double()> fn) {
  CheckNames(name, {}, MetricType::kGauge);
  GetOrAdd(std::make_unique<CallbackFamily>(std::move(name), std::move(help), MetricType::kGauge,
                                            std::move(fn)));
}

void Registry::NewCounterFunc(std::string name, std::string help, std::function<double()> fn) {
  CheckNames(name, {}, MetricType::kCounter);
  GetOrAdd(std::make_unique<CallbackFamily>(std::move(name), std::move(help), MetricType::kCounter,
                                            std::move(fn)));
}

std::string Registry::Expose() const {
  // Families are never removed, so the pointers outlive the lock; callbacks then run unlocked.
  std::vector<const FamilyBase*> families;
  {
    absl::MutexLock lock(&mu_);
    families.reserve(families_.size());
    for (const auto& [name, family] : families_) families.push_back(family.get());
  }
  std::string out;
  for (const FamilyBase* family : families) family->Expose(&out);
  return out;
}

}  // namespace mlab::metrics
