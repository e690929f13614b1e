#ifndef MLAB_LIB_METRICS_FAMILY_H_
#define MLAB_LIB_METRICS_FAMILY_H_

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"

namespace mlab::metrics {

enum class MetricType { kCounter, kGauge, kHistogram };

// "counter", "gauge" or "histogram", as written after "# TYPE name".
absl::string_view MetricTypeName(MetricType type);

// What every metric family in a Registry has in common: a name, help text, a type, label names,
// and a way to append its samples to a scrape. Families are created by Registry and live as long
// as it does.
class FamilyBase {
 public:
  FamilyBase(const FamilyBase&) = delete;
  FamilyBase& operator=(const FamilyBase&) = delete;
  virtual ~FamilyBase() = default;

  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  MetricType type() const { return type_; }
  const std::vector<std::string>& label_names() const { return label_names_; }
  // Type, labels and buckets in one string: registering a name again must give the same shape.
  const std::string& shape() const { return shape_; }

  // Appends "# HELP", "# TYPE" and the samples; nothing while a labelled family has no child.
  virtual void Expose(std::string* out) const = 0;

 protected:
  FamilyBase(std::string name, std::string help, MetricType type,
             std::vector<std::string> label_names, std::string shape);

  void AppendHeader(std::string* out) const;
  // Puts label values (given in label_names() order) into label-name order, the order Go's
  // client sorts and prints them in; aborts on a wrong number of values.
  std::vector<std::string> SortedValues(absl::Span<const std::string> values) const;
  // `a="x",b="y"` for values in label-name order, escaped.
  std::string RenderLabels(const std::vector<std::string>& sorted_values) const;

 private:
  const std::string name_;
  const std::string help_;
  const MetricType type_;
  const std::vector<std::string> label_names_;
  const std::string shape_;
  std::vector<size_t> sorted_index_;  // label_names_ indexes, sorted by name.
};

// A metric with one child per combination of label values; an unlabelled metric is a family
// with exactly one child. T is Counter, Gauge or Histogram.
template <typename T>
class Family final : public FamilyBase {
 public:
  using Factory = std::function<std::unique_ptr<T>()>;

  Family(std::string name, std::string help, MetricType type, std::vector<std::string> label_names,
         std::string shape, Factory factory)
      : FamilyBase(std::move(name), std::move(help), type, std::move(label_names),
                   std::move(shape)),
        factory_(std::move(factory)) {
    if (this->label_names().empty()) WithLabels({});  // Exposes its zero sample from the start.
  }

  // The child for these label values (in the order the label names were given), created on first
  // use. The reference stays valid for the life of the Registry: cache it on hot paths, since
  // this lookup takes a mutex. A wrong number of values aborts.
  T& WithLabels(absl::Span<const std::string> values) ABSL_LOCKS_EXCLUDED(mu_) {
    std::vector<std::string> key = SortedValues(values);
    absl::MutexLock lock(&mu_);
    auto it = children_.find(key);
    if (it == children_.end()) {
      std::string rendered = RenderLabels(key);
      it = children_.emplace(std::move(key), Child{std::move(rendered), factory_()}).first;
    }
    return *it->second.metric;
  }

  void Expose(std::string* out) const override ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    if (children_.empty()) return;
    AppendHeader(out);
    for (const auto& [key, child] : children_) {
      child.metric->AppendSamples(name(), child.labels, out);
    }
  }

 private:
  struct Child {
    std::string labels;  // Rendered once, at creation.
    std::unique_ptr<T> metric;
  };

  const Factory factory_;
  mutable absl::Mutex mu_;
  // Keyed by values in label-name order, so a scrape lists children sorted as Go does.
  std::map<std::vector<std::string>, Child> children_ ABSL_GUARDED_BY(mu_);
};

}  // namespace mlab::metrics

#endif  // MLAB_LIB_METRICS_FAMILY_H_
