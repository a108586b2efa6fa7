// Bounded-memory sketches for approximate aggregates.
//
// HyperLogLog counts distinct values in 2^p one-byte registers (Flajolet et
// al. 2007, with linear counting for small cardinalities). Its relative
// standard error is about 1.04 / sqrt(2^p); PrecisionForRsd() picks p from a
// wanted error the way Spark's approx_count_distinct(col, rsd) does
// (p = ceil(2 * log2(1.106 / rsd)), default rsd 0.05 -> p = 9, 512 bytes).
// Sketches of equal precision merge by taking register maxima. Pure logic,
// not thread-safe.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace sstream {

class HyperLogLog {
 public:
  explicit HyperLogLog(int precision);
  static int PrecisionForRsd(double rsd);  // clamped to [4, 16]

  void Add(std::string_view value);
  void Merge(const HyperLogLog& other);  // same precision
  int64_t Estimate() const;
  int precision() const { return p_; }
  double StandardError() const;

 private:
  int p_;
  std::vector<uint8_t> registers_;
};

}  // namespace sstream
