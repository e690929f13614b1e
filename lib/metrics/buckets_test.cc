#include "lib/metrics/buckets.h"

#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mlab::metrics {
namespace {

using ::testing::ElementsAre;

TEST(BucketsTest, DefBuckets) {
  EXPECT_THAT(DefBuckets(), ElementsAre(.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10));
}

TEST(BucketsTest, Linear) {
  EXPECT_THAT(LinearBuckets(-15, 5, 6), ElementsAre(-15, -10, -5, 0, 5, 10));
  EXPECT_THAT(LinearBuckets(1, 0.5, 1), ElementsAre(1));
}

TEST(BucketsTest, LinearAccumulatesLikeGo) {
  // Go adds the width repeatedly, so the third bound is 0.30000000000000004, not 0.3.
  const std::vector<double> buckets = LinearBuckets(0.1, 0.1, 3);
  ASSERT_EQ(buckets.size(), 3u);
  EXPECT_EQ(buckets[2], 0.1 + 0.1 + 0.1);
}

TEST(BucketsTest, Exponential) {
  EXPECT_THAT(ExponentialBuckets(100, 1.2, 3), ElementsAre(100, 120, 144));
  EXPECT_THAT(ExponentialBuckets(1, 2, 5), ElementsAre(1, 2, 4, 8, 16));
}

TEST(BucketsDeathTest, InvalidArgumentsAbort) {
  EXPECT_DEATH(LinearBuckets(0, 1, 0), "positive count");
  EXPECT_DEATH(ExponentialBuckets(0, 2, 3), "positive start");
  EXPECT_DEATH(ExponentialBuckets(1, 1, 3), "factor greater than 1");
  EXPECT_DEATH(ExponentialBuckets(1, 2, 0), "positive count");
}

}  // namespace
}  // namespace mlab::metrics
