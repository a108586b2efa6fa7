// Clock: the only way library code learns the time.
//
// SystemClock reads the real clocks; ManualClock is driven by tests so that
// every tool's output is deterministic for a given input. Both are
// thread-compatible (ManualClock is not meant to be shared across threads).
#pragma once

#include <cstdint>

namespace sstream {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time, milliseconds since the Unix epoch (processing time).
  virtual int64_t NowMillis() = 0;
  // Monotonic time in nanoseconds, for intervals and rates only.
  virtual int64_t SteadyNanos() = 0;
  // Waits (real clocks) or advances time (ManualClock).
  virtual void SleepMillis(int64_t ms) = 0;
};

class SystemClock final : public Clock {
 public:
  int64_t NowMillis() override;
  int64_t SteadyNanos() override;
  void SleepMillis(int64_t ms) override;
};

// Process-wide SystemClock.
Clock& DefaultClock();

class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t now_ms = 0) : now_ms_(now_ms) {}
  int64_t NowMillis() override { return now_ms_; }
  int64_t SteadyNanos() override { return now_ms_ * 1'000'000; }
  void SleepMillis(int64_t ms) override { now_ms_ += ms; }
  void AdvanceMillis(int64_t ms) { now_ms_ += ms; }
  void SetMillis(int64_t ms) { now_ms_ = ms; }

 private:
  int64_t now_ms_;
};

}  // namespace sstream
