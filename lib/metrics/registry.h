#ifndef MLAB_LIB_METRICS_REGISTRY_H_
#define MLAB_LIB_METRICS_REGISTRY_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "lib/metrics/counter.h"
#include "lib/metrics/family.h"
#include "lib/metrics/gauge.h"
#include "lib/metrics/histogram.h"

namespace mlab::metrics {

using CounterFamily = Family<Counter>;
using GaugeFamily = Family<Gauge>;
using HistogramFamily = Family<Histogram>;

// A set of metric families that is scraped as one page. Thread-safe. Families are never removed,
// so every reference handed out stays valid for the life of the Registry.
//
// Registering a name again with the same shape (type, label names, buckets) returns the existing
// family; with a different shape, or an invalid metric or label name, it aborts: both are
// programming errors, as in Go's MustRegister.
class Registry {
 public:
  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // The process-wide registry that services use and the admin server exposes by default. It
  // already holds the process_* metrics (see process_metrics.h). Safe to use during static
  // initialization.
  static Registry& Default();

  CounterFamily& NewCounterFamily(std::string name, std::string help,
                                  std::vector<std::string> label_names);
  Counter& NewCounter(std::string name, std::string help);

  GaugeFamily& NewGaugeFamily(std::string name, std::string help,
                              std::vector<std::string> label_names);
  Gauge& NewGauge(std::string name, std::string help);

  // `upper_bounds` must be strictly increasing; empty means DefBuckets(), a trailing +Inf is
  // implied. A "le" label is reserved.
  HistogramFamily& NewHistogramFamily(std::string name, std::string help,
                                      std::vector<std::string> label_names,
                                      std::vector<double> upper_bounds);
  Histogram& NewHistogram(std::string name, std::string help, std::vector<double> upper_bounds);

  // A gauge (or counter) whose value `fn` computes at scrape time, e.g. a queue length. `fn` runs
  // on the scraping thread without any Registry lock held, and must stay callable for the life of
  // the Registry. Registering the same name again keeps the first function.
  void NewGaugeFunc(std::string name, std::string help, std::function<double()> fn);
  void NewCounterFunc(std::string name, std::string help, std::function<double()> fn);

  // The whole registry in the text exposition format 0.0.4 (content type kTextContentType in
  // text_format.h): families sorted by name, children sorted by label values.
  std::string Expose() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  // Adds `family` under its name, or returns the one already there if its shape matches.
  FamilyBase& GetOrAdd(std::unique_ptr<FamilyBase> family) ABSL_LOCKS_EXCLUDED(mu_);

  mutable absl::Mutex mu_;
  std::map<std::string, std::unique_ptr<FamilyBase>> families_ ABSL_GUARDED_BY(mu_);
};

}  // namespace mlab::metrics

#endif  // MLAB_LIB_METRICS_REGISTRY_H_
