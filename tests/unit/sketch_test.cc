// HyperLogLog (sketch.h): accuracy within the documented error, merging,
// and Spark's rsd -> precision rule.
#include "sstream/sketch.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace sstream {
namespace {

TEST(HyperLogLogTest, PrecisionFollowsSparksRsdRule) {
  EXPECT_EQ(HyperLogLog::PrecisionForRsd(0.05), 9) << "Spark's default rsd";
  EXPECT_EQ(HyperLogLog::PrecisionForRsd(0.01), 14);
  EXPECT_EQ(HyperLogLog::PrecisionForRsd(0.5), 4) << "clamped";
  EXPECT_EQ(HyperLogLog::PrecisionForRsd(1e-9), 16) << "clamped";
}

TEST(HyperLogLogTest, EstimatesStayWithinFourStandardErrors) {
  for (int p : {9, 12, 14}) {
    HyperLogLog h(p);
    int64_t n = 0;
    for (int64_t target : {10, 100, 1'000, 10'000, 100'000, 300'000}) {
      for (; n < target; ++n) h.Add("\"user-" + std::to_string(n) + "\"");
      double err = std::fabs(static_cast<double>(h.Estimate()) - target) / target;
      EXPECT_LE(err, 4 * h.StandardError()) << "p=" << p << " n=" << target;
    }
  }
}

TEST(HyperLogLogTest, SmallCountsAreNearlyExactAndDuplicatesDoNotCount) {
  HyperLogLog h(9);
  EXPECT_EQ(h.Estimate(), 0);
  for (int rep = 0; rep < 5; ++rep) {
    for (int i = 0; i < 20; ++i) h.Add(std::to_string(i));
  }
  EXPECT_NEAR(h.Estimate(), 20, 1);
}

TEST(HyperLogLogTest, MergeEstimatesTheUnion) {
  HyperLogLog a(12), b(12), both(12);
  for (int i = 0; i < 50'000; ++i) {
    std::string v = std::to_string(i);
    (i % 2 ? a : b).Add(v);
    if (i < 30'000) a.Add(v);  // overlap
    both.Add(v);
  }
  a.Merge(b);
  EXPECT_EQ(a.Estimate(), both.Estimate()) << "merging is exact on the registers";
  HyperLogLog other(9);
  other.Add("x");
  a.Merge(other);  // another precision: ignored
  EXPECT_EQ(a.Estimate(), both.Estimate());
}

}  // namespace
}  // namespace sstream
