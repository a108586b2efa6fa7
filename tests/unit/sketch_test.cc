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

namespace sstream {
namespace {

// Rank error of QuantileSketch: within a few times 1.7 / k of the count.
TEST(QuantileSketchTest, QuantilesWithinTheRankError) {
  for (int k : {64, 200}) {
    QuantileSketch s(k);
    const int n = 200'000;
    // A scrambled order, so compaction sees unsorted input.
    for (int i = 0; i < n; ++i) s.Add(static_cast<double>((static_cast<int64_t>(i) * 7919) % n));
    EXPECT_EQ(s.count(), n);
    for (double q : {0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99}) {
      double got = s.Quantile(q);
      double rank_error = std::fabs(got / n - q);
      EXPECT_LE(rank_error, 3 * 1.7 / k) << "k=" << k << " q=" << q << " got " << got;
    }
    EXPECT_EQ(s.Quantile(0), 0) << "the extremes are exact";
    EXPECT_EQ(s.Quantile(1), n - 1);
  }
}

TEST(QuantileSketchTest, SmallInputsAreExactAndMergeCombines) {
  QuantileSketch a, b;
  EXPECT_TRUE(std::isnan(a.Quantile(0.5)));
  for (int i = 1; i <= 5; ++i) a.Add(i);
  EXPECT_EQ(a.Quantile(0.5), 3);
  for (int i = 6; i <= 9; ++i) b.Add(i);
  a.Merge(b);
  EXPECT_EQ(a.count(), 9);
  EXPECT_EQ(a.Quantile(0.5), 5);
  EXPECT_EQ(a.Quantile(1), 9);
}

TEST(QuantileSketchTest, ResultsAreReproducible) {
  QuantileSketch x(32), y(32);
  for (int i = 0; i < 10'000; ++i) {
    x.Add((i * 31) % 997);
    y.Add((i * 31) % 997);
  }
  EXPECT_EQ(x.Quantile(0.37), y.Quantile(0.37));
}

}  // namespace
}  // namespace sstream
