#ifndef MLAB_LIB_METRICS_METRICS_H_
#define MLAB_LIB_METRICS_METRICS_H_

// Shorthands for defining metrics in Registry::Default(), the registry every service's admin
// server exposes. Safe at namespace scope:
//
//   namespace {
//   metrics::CounterFamily& errors =
//       metrics::NewCounterFamily("tcpinfo_error_total", "Errors by type.", {"type"});
//   metrics::Counter& new_files = metrics::NewCounter("tcpinfo_new_file_total", "Files opened.");
//   }  // namespace
//   ...
//   errors.WithLabels({"NLMSG_ERROR"}).Increment();

#include <functional>
#include <string>
#include <vector>

#include "lib/metrics/buckets.h"
#include "lib/metrics/counter.h"
#include "lib/metrics/gauge.h"
#include "lib/metrics/histogram.h"
#include "lib/metrics/registry.h"

namespace mlab::metrics {

CounterFamily& NewCounterFamily(std::string name, std::string help,
                                std::vector<std::string> label_names);
Counter& NewCounter(std::string name, std::string help);

GaugeFamily& NewGaugeFamily(std::string name, std::string help,
                            std::vector<std::string> label_names);
Gauge& NewGauge(std::string name, std::string help);
void NewGaugeFunc(std::string name, std::string help, std::function<double()> fn);
void NewCounterFunc(std::string name, std::string help, std::function<double()> fn);

HistogramFamily& NewHistogramFamily(std::string name, std::string help,
                                    std::vector<std::string> label_names,
                                    std::vector<double> upper_bounds);
Histogram& NewHistogram(std::string name, std::string help, std::vector<double> upper_bounds);

}  // namespace mlab::metrics

#endif  // MLAB_LIB_METRICS_METRICS_H_
