#include "lib/metrics/buckets.h"

#include "glog/logging.h"

namespace mlab::metrics {

const std::vector<double>& DefBuckets() {
  static const auto* const kBuckets =
      new std::vector<double>{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10};
  return *kBuckets;
}

std::vector<double> LinearBuckets(double start, double width, int count) {
  CHECK_GE(count, 1) << "LinearBuckets needs a positive count";
  std::vector<double> buckets(count);
  for (int i = 0; i < count; ++i) {
    buckets[i] = start;
    start += width;
  }
  return buckets;
}

std::vector<double> ExponentialBuckets(double start, double factor, int count) {
  CHECK_GE(count, 1) << "ExponentialBuckets needs a positive count";
  CHECK_GT(start, 0) << "ExponentialBuckets needs a positive start";
  CHECK_GT(factor, 1) << "ExponentialBuckets needs a factor greater than 1";
  std::vector<double> buckets(count);
  for (int i = 0; i < count; ++i) {
    buckets[i] = start;
    start *= factor;
  }
  return buckets;
}

}  // namespace mlab::metrics
