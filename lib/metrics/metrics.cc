#include "lib/metrics/metrics.h"

#include <utility>

namespace mlab::metrics {

CounterFamily& NewCounterFamily(std::string name, std::string help,
                                std::vector<std::string> label_names) {
  return Registry::Default().NewCounterFamily(std::move(name), std::move(help),
                                              std::move(label_names));
}

Counter& NewCounter(std::string name, std::string help) {
  return Registry::Default().NewCounter(std::move(name), std::move(help));
}

GaugeFamily& NewGaugeFamily(std::string name, std::string help,
                            std::vector<std::string> label_names) {
  return Registry::Default().NewGaugeFamily(std::move(name), std::move(help),
                                            std::move(label_names));
}

Gauge& NewGauge(std::string name, std::string help) {
  return Registry::Default().NewGauge(std::move(name), std::move(help));
}

void NewGaugeFunc(std::string name, std::string help, std::function<double()> fn) {
  Registry::Default().NewGaugeFunc(std::move(name), std::move(help), std::move(fn));
}

void NewCounterFunc(std::string name, std::string help, std::function<double()> fn) {
  Registry::Default().NewCounterFunc(std::move(name), std::move(help), std::move(fn));
}

HistogramFamily& NewHistogramFamily(std::string name, std::string help,
                                    std::vector<std::string> label_names,
                                    std::vector<double> upper_bounds) {
  return Registry::Default().NewHistogramFamily(std::move(name), std::move(help),
                                                std::move(label_names), std::move(upper_bounds));
}

Histogram& NewHistogram(std::string name, std::string help, std::vector<double> upper_bounds) {
  return Registry::Default().NewHistogram(std::move(name), std::move(help),
                                          std::move(upper_bounds));
}

}  // namespace mlab::metrics
