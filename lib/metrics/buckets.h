#ifndef MLAB_LIB_METRICS_BUCKETS_H_
#define MLAB_LIB_METRICS_BUCKETS_H_

#include <vector>

namespace mlab::metrics {

// Bucket upper bounds with the semantics of Go's prometheus client. Invalid arguments are a
// programming error and abort, as Go panics.

// {.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}: Go's DefBuckets (request latencies in s).
const std::vector<double>& DefBuckets();

// `count` bounds: start, start+width, ... (accumulated by repeated addition, as in Go).
// Aborts if count < 1.
std::vector<double> LinearBuckets(double start, double width, int count);

// `count` bounds: start, start*factor, ... Aborts if count < 1, start <= 0 or factor <= 1.
std::vector<double> ExponentialBuckets(double start, double factor, int count);

}  // namespace mlab::metrics

#endif  // MLAB_LIB_METRICS_BUCKETS_H_
