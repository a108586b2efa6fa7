// Durations, epoch numbers and ISO-8601 timestamps (time.h).
#include "sstream/time.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

namespace sstream {
namespace {

int64_t Duration(std::string_view text) {
  int64_t ms = -12345;
  Status s = ParseDuration(text, &ms);
  EXPECT_TRUE(s.ok()) << text << ": " << s.ToString();
  return ms;
}

int64_t Iso(std::string_view text) {
  int64_t ms = -12345;
  Status s = ParseIsoTimestamp(text, &ms);
  EXPECT_TRUE(s.ok()) << text << ": " << s.ToString();
  return ms;
}

bool IsoFails(std::string_view text) {
  int64_t ms = 0;
  Status s = ParseIsoTimestamp(text, &ms);
  return s.IsInvalidArgument();
}

// ---- ParseDuration ----

TEST(ParseDurationTest, UnitsAndForms) {
  EXPECT_EQ(Duration("10s"), 10'000);
  EXPECT_EQ(Duration("500ms"), 500);
  EXPECT_EQ(Duration("1.5 s"), 1'500);
  EXPECT_EQ(Duration("2 minutes"), 120'000);
  EXPECT_EQ(Duration("1h30m"), 5'400'000);
  EXPECT_EQ(Duration("250 milliseconds"), 250);
  EXPECT_EQ(Duration("1 second"), 1'000);
  EXPECT_EQ(Duration("3 hours"), 10'800'000);
  EXPECT_EQ(Duration("1d"), 86'400'000);
  EXPECT_EQ(Duration("2 days"), 172'800'000);
  EXPECT_EQ(Duration("1 minute 30 seconds"), 90'000);
  EXPECT_EQ(Duration("0.25h"), 900'000);
  EXPECT_EQ(Duration("  10s  "), 10'000);
  EXPECT_EQ(Duration("10S"), 10'000);  // units are case-insensitive
  EXPECT_EQ(Duration("5 mins"), 300'000);
  EXPECT_EQ(Duration("5 secs"), 5'000);
  EXPECT_EQ(Duration("0s"), 0);
}

TEST(ParseDurationTest, SubMillisecondUnitsTruncate) {
  EXPECT_EQ(Duration("1500us"), 1);
  EXPECT_EQ(Duration("2000000ns"), 2);
  EXPECT_EQ(Duration("999999ns"), 0);
  EXPECT_EQ(Duration("1 microsecond"), 0);
}

TEST(ParseDurationTest, RejectsBadInput) {
  for (const char* bad : {"10", "1.5", "-5s", "- 5s", "10 parsecs", "", "   ", "s", "ms10", "1..5s",
                          ".s", "1.5.2s", "10s5", "1e3s", "10s-", "abc", "99999999999999999999d"}) {
    int64_t ms = 77;
    Status s = ParseDuration(bad, &ms);
    EXPECT_TRUE(s.IsInvalidArgument()) << "'" << bad << "' was accepted as " << ms;
    EXPECT_EQ(ms, 77) << bad;  // output untouched on error
  }
}

TEST(ParseDurationTest, ErrorsExplainTheProblem) {
  int64_t ms;
  EXPECT_NE(ParseDuration("10", &ms).message().find("missing unit"), std::string::npos);
  EXPECT_NE(ParseDuration("-5s", &ms).message().find("negative"), std::string::npos);
  EXPECT_NE(ParseDuration("3 fortnights", &ms).message().find("unknown unit 'fortnights'"),
            std::string::npos);
  EXPECT_NE(ParseDuration("", &ms).message().find("empty"), std::string::npos);
}

// ---- Time formats ----

TEST(TimeFormatTest, NamesRoundTrip) {
  for (const char* name : {"auto", "s", "ms", "us", "ns", "iso"}) {
    TimeFormat f;
    ASSERT_TRUE(ParseTimeFormat(name, &f).ok()) << name;
    EXPECT_STREQ(TimeFormatName(f), name);
  }
  TimeFormat f;
  EXPECT_TRUE(ParseTimeFormat("seconds", &f).IsInvalidArgument());
  EXPECT_TRUE(ParseTimeFormat("", &f).IsInvalidArgument());
}

// ---- EpochToMillis ----

struct Epoch {
  int64_t ms;
  TimeFormat used;
};

Epoch FromInt(int64_t v, TimeFormat unit = TimeFormat::kAuto) {
  Epoch e{-1, TimeFormat::kAuto};
  Status s = EpochToMillis(v, unit, &e.ms, &e.used);
  EXPECT_TRUE(s.ok()) << v << ": " << s.ToString();
  return e;
}

Epoch FromDouble(double v, TimeFormat unit = TimeFormat::kAuto) {
  Epoch e{-1, TimeFormat::kAuto};
  Status s = EpochToMillis(v, unit, &e.ms, &e.used);
  EXPECT_TRUE(s.ok()) << v << ": " << s.ToString();
  return e;
}

TEST(EpochToMillisTest, AutoGuessesUnitAtBoundaries) {
  // |v| < 1e11: seconds.
  EXPECT_EQ(FromInt(99'999'999'999).used, TimeFormat::kSeconds);
  EXPECT_EQ(FromInt(99'999'999'999).ms, 99'999'999'999'000);
  // [1e11, 1e14): milliseconds.
  EXPECT_EQ(FromInt(100'000'000'000).used, TimeFormat::kMillis);
  EXPECT_EQ(FromInt(100'000'000'000).ms, 100'000'000'000);
  EXPECT_EQ(FromInt(99'999'999'999'999).used, TimeFormat::kMillis);
  // [1e14, 1e17): microseconds.
  EXPECT_EQ(FromInt(100'000'000'000'000).used, TimeFormat::kMicros);
  EXPECT_EQ(FromInt(100'000'000'000'000).ms, 100'000'000'000);
  EXPECT_EQ(FromInt(99'999'999'999'999'999).used, TimeFormat::kMicros);
  // >= 1e17: nanoseconds.
  EXPECT_EQ(FromInt(100'000'000'000'000'000).used, TimeFormat::kNanos);
  EXPECT_EQ(FromInt(100'000'000'000'000'000).ms, 100'000'000'000);
  // The same boundaries for doubles.
  EXPECT_EQ(FromDouble(99'999'999'999.0).used, TimeFormat::kSeconds);
  EXPECT_EQ(FromDouble(1e11).used, TimeFormat::kMillis);
  EXPECT_EQ(FromDouble(1e14).used, TimeFormat::kMicros);
  EXPECT_EQ(FromDouble(1e17).used, TimeFormat::kNanos);
  // A realistic time in each unit lands on the same millisecond.
  EXPECT_EQ(FromInt(1'767'323'045).ms, 1'767'323'045'000);
  EXPECT_EQ(FromInt(1'767'323'045'123).ms, 1'767'323'045'123);
  EXPECT_EQ(FromInt(1'767'323'045'123'456).ms, 1'767'323'045'123);
  EXPECT_EQ(FromInt(1'767'323'045'123'456'789).ms, 1'767'323'045'123);
  // Small values (0, 1) are seconds.
  EXPECT_EQ(FromInt(0).ms, 0);
  EXPECT_EQ(FromInt(1).ms, 1000);
}

TEST(EpochToMillisTest, NegativeMagnitudeGuessesAndFloors) {
  EXPECT_EQ(FromInt(-1).ms, -1000);
  EXPECT_EQ(FromInt(-1).used, TimeFormat::kSeconds);
  EXPECT_EQ(FromInt(-100'000'000'000).used, TimeFormat::kMillis);
  // Sub-millisecond parts of negative times floor towards negative infinity.
  EXPECT_EQ(FromInt(-1, TimeFormat::kMicros).ms, -1);
  EXPECT_EQ(FromInt(-1'000, TimeFormat::kMicros).ms, -1);
  EXPECT_EQ(FromInt(-1'001, TimeFormat::kMicros).ms, -2);
  EXPECT_EQ(FromInt(-1, TimeFormat::kNanos).ms, -1);
  EXPECT_EQ(FromInt(-100'000'000'000'001).used, TimeFormat::kMicros);
  EXPECT_EQ(FromInt(-100'000'000'000'001).ms, -100'000'000'001);
  EXPECT_EQ(FromDouble(-1.5).ms, -1'500);
  EXPECT_EQ(FromDouble(-0.0005).ms, -1);
  EXPECT_EQ(FromDouble(-0.0005, TimeFormat::kSeconds).used, TimeFormat::kSeconds);
  // Positive sub-millisecond parts truncate (floor) too.
  EXPECT_EQ(FromInt(1'999, TimeFormat::kMicros).ms, 1);
  EXPECT_EQ(FromDouble(1.25, TimeFormat::kMillis).ms, 1);
  EXPECT_EQ(FromDouble(-1.25, TimeFormat::kMillis).ms, -2);
}

TEST(EpochToMillisTest, ExplicitUnitOverridesGuess) {
  EXPECT_EQ(FromInt(5, TimeFormat::kMillis).ms, 5);
  EXPECT_EQ(FromInt(5, TimeFormat::kMillis).used, TimeFormat::kMillis);
  EXPECT_EQ(FromInt(1'767'323'045'123, TimeFormat::kSeconds).ms, 1'767'323'045'123'000);
  EXPECT_EQ(FromDouble(1.5, TimeFormat::kSeconds).ms, 1'500);
  EXPECT_EQ(FromDouble(2'500'000.0, TimeFormat::kNanos).ms, 2);
}

TEST(EpochToMillisTest, RejectsNonFiniteOutOfRangeAndIso) {
  int64_t ms;
  EXPECT_TRUE(
      EpochToMillis(std::numeric_limits<double>::infinity(), TimeFormat::kAuto, &ms, nullptr)
          .IsInvalidArgument());
  EXPECT_TRUE(
      EpochToMillis(std::numeric_limits<double>::quiet_NaN(), TimeFormat::kAuto, &ms, nullptr)
          .IsInvalidArgument());
  EXPECT_TRUE(EpochToMillis(1e300, TimeFormat::kSeconds, &ms, nullptr).IsInvalidArgument());
  EXPECT_TRUE(EpochToMillis(int64_t{9'300'000'000'000'000}, TimeFormat::kSeconds, &ms, nullptr)
                  .IsInvalidArgument());
  EXPECT_TRUE(EpochToMillis(int64_t{5}, TimeFormat::kIso, &ms, nullptr).IsInvalidArgument());
  EXPECT_TRUE(EpochToMillis(5.0, TimeFormat::kIso, &ms, nullptr).IsInvalidArgument());
  // A null `used` is allowed.
  EXPECT_TRUE(EpochToMillis(int64_t{5}, TimeFormat::kAuto, &ms, nullptr).ok());
  EXPECT_EQ(ms, 5'000);
}

// ---- ParseIsoTimestamp ----

constexpr int64_t kT = 1'767'323'045'000;  // 2026-01-02T03:04:05Z (date -u -d ... +%s)

TEST(ParseIsoTimestampTest, UtcAndOffsets) {
  EXPECT_EQ(Iso("2026-01-02T03:04:05Z"), kT);
  EXPECT_EQ(Iso("2026-01-02T03:04:05z"), kT);
  EXPECT_EQ(Iso("2026-01-02t03:04:05Z"), kT);
  EXPECT_EQ(Iso("2026-01-02T03:04:05"), kT);  // no offset: UTC
  EXPECT_EQ(Iso("2026-01-02 03:04:05"), kT);  // space separator
  EXPECT_EQ(Iso("2026-01-02T03:04:05+00:00"), kT);
  EXPECT_EQ(Iso("2026-01-02T03:04:05+01:00"), kT - 3'600'000);
  EXPECT_EQ(Iso("2026-01-02T03:04:05+0100"), kT - 3'600'000);
  EXPECT_EQ(Iso("2026-01-02T03:04:05+01"), kT - 3'600'000);
  EXPECT_EQ(Iso("2026-01-02T03:04:05-05:30"), kT + 19'800'000);
  EXPECT_EQ(Iso("2026-01-02T04:04:05+01:00"), kT);
  EXPECT_EQ(Iso("2026-01-02T03:04"), kT - 5'000);  // seconds are optional
  EXPECT_EQ(Iso("2026-01-02T03:04Z"), kT - 5'000);
}

TEST(ParseIsoTimestampTest, FractionalSecondsTruncateToMillis) {
  EXPECT_EQ(Iso("2026-01-02T03:04:05.1Z"), kT + 100);
  EXPECT_EQ(Iso("2026-01-02T03:04:05.12Z"), kT + 120);
  EXPECT_EQ(Iso("2026-01-02T03:04:05.123Z"), kT + 123);
  EXPECT_EQ(Iso("2026-01-02T03:04:05.1239Z"), kT + 123);
  EXPECT_EQ(Iso("2026-01-02T03:04:05.12399Z"), kT + 123);
  EXPECT_EQ(Iso("2026-01-02T03:04:05.123999Z"), kT + 123);
  EXPECT_EQ(Iso("2026-01-02T03:04:05.9999999Z"), kT + 999);
  EXPECT_EQ(Iso("2026-01-02T03:04:05.99999999Z"), kT + 999);
  EXPECT_EQ(Iso("2026-01-02T03:04:05.123456789Z"), kT + 123);
  EXPECT_EQ(Iso("2026-01-02T03:04:05,5Z"), kT + 500);  // ISO allows a comma
  EXPECT_EQ(Iso("2026-01-02T03:04:05.250+01:00"), kT + 250 - 3'600'000);
  EXPECT_TRUE(IsoFails("2026-01-02T03:04:05.Z"));
  EXPECT_TRUE(IsoFails("2026-01-02T03:04:05."));
}

TEST(ParseIsoTimestampTest, BareDateIsMidnightUtc) {
  EXPECT_EQ(Iso("2026-01-02"), 1'767'312'000'000);
  EXPECT_EQ(Iso("1970-01-01"), 0);
  EXPECT_EQ(Iso("2000-02-29"), 951'782'400'000);
}

TEST(ParseIsoTimestampTest, BeforeTheEpoch) {
  EXPECT_EQ(Iso("1969-12-31T23:59:59Z"), -1'000);
  EXPECT_EQ(Iso("1969-12-31T23:59:59.5Z"), -500);
  EXPECT_EQ(Iso("1969-12-31T23:59:59.999Z"), -1);
  EXPECT_EQ(Iso("1900-01-01T00:00:00Z"), -2'208'988'800'000);
  EXPECT_EQ(Iso("1960-06-15T10:20:30Z"), -301'239'570'000);
  EXPECT_EQ(Iso("1970-01-01T00:30:00+01:00"), -1'800'000);
}

TEST(ParseIsoTimestampTest, LeapYears) {
  EXPECT_EQ(Iso("2024-02-29T12:00:00Z"), 1'709'208'000'000);
  EXPECT_EQ(Iso("2000-02-29"), 951'782'400'000);  // divisible by 400: leap
  EXPECT_TRUE(IsoFails("2023-02-29"));
  EXPECT_TRUE(IsoFails("1900-02-29"));  // divisible by 100, not 400: not leap
  EXPECT_TRUE(IsoFails("2024-02-30"));
  EXPECT_TRUE(IsoFails("2026-04-31"));
  EXPECT_FALSE(IsoFails("2026-12-31"));
}

TEST(ParseIsoTimestampTest, RejectsMalformed) {
  for (const char* bad : {"",
                          "2026",
                          "2026-01",
                          "26-01-02",
                          "2026-1-2",
                          "2026-13-01",
                          "2026-00-10",
                          "2026-01-00",
                          "2026-01-32",
                          "2026/01/02",
                          "2026-01-02T",
                          "2026-01-02T24:00:00Z",
                          "2026-01-02T03:60Z",
                          "2026-01-02T03:04:61Z",
                          "2026-01-02T3:04:05Z",
                          "2026-01-02T03:04:05Zx",
                          "2026-01-02T03:04:05+01:00junk",
                          "2026-01-02T03:04:05 ",
                          "2026-01-02x",
                          "2026-01-02T03:04:05+25:00",
                          "2026-01-02T03:04:05+01:75",
                          "2026-01-02T03:04:05+1",
                          "2026-01-02T03:04:05UTC",
                          "now",
                          " 2026-01-02",
                          "1767323045"}) {
    EXPECT_TRUE(IsoFails(bad)) << "accepted: '" << bad << "'";
  }
}

TEST(ParseIsoTimestampTest, ErrorNamesTheInput) {
  int64_t ms;
  Status s = ParseIsoTimestamp("2026-02-30", &ms);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("'2026-02-30'"), std::string::npos) << s.message();
}

// ---- ParseTimeText ----

TEST(ParseTimeTextTest, DigitsAreEpochNumbersOtherTextIsIso) {
  int64_t ms;
  TimeFormat used;
  ASSERT_TRUE(ParseTimeText("1767323045", TimeFormat::kAuto, &ms, &used).ok());
  EXPECT_EQ(ms, kT);
  EXPECT_EQ(used, TimeFormat::kSeconds);
  ASSERT_TRUE(ParseTimeText("1767323045123", TimeFormat::kAuto, &ms, &used).ok());
  EXPECT_EQ(ms, kT + 123);
  EXPECT_EQ(used, TimeFormat::kMillis);
  ASSERT_TRUE(ParseTimeText("1767323045.5", TimeFormat::kAuto, &ms, &used).ok());
  EXPECT_EQ(ms, kT + 500);
  EXPECT_EQ(used, TimeFormat::kSeconds);
  ASSERT_TRUE(ParseTimeText("-1", TimeFormat::kAuto, &ms, &used).ok());
  EXPECT_EQ(ms, -1000);
  ASSERT_TRUE(ParseTimeText("1767323045123456789", TimeFormat::kAuto, &ms, &used).ok());
  EXPECT_EQ(ms, kT + 123);
  EXPECT_EQ(used, TimeFormat::kNanos);
  ASSERT_TRUE(ParseTimeText("2026-01-02T03:04:05.5Z", TimeFormat::kAuto, &ms, &used).ok());
  EXPECT_EQ(ms, kT + 500);
  EXPECT_EQ(used, TimeFormat::kIso);
  ASSERT_TRUE(ParseTimeText("2026-01-02", TimeFormat::kIso, &ms, &used).ok());
  EXPECT_EQ(ms, 1'767'312'000'000);
  // An explicit unit applies to digit strings.
  ASSERT_TRUE(ParseTimeText("1767323045", TimeFormat::kMillis, &ms, &used).ok());
  EXPECT_EQ(ms, 1'767'323'045);
  EXPECT_EQ(used, TimeFormat::kMillis);
}

TEST(ParseTimeTextTest, Rejections) {
  int64_t ms;
  TimeFormat used;
  EXPECT_TRUE(ParseTimeText("", TimeFormat::kAuto, &ms, &used).IsInvalidArgument());
  EXPECT_TRUE(ParseTimeText("-", TimeFormat::kAuto, &ms, &used).IsInvalidArgument());
  EXPECT_TRUE(ParseTimeText("yesterday", TimeFormat::kAuto, &ms, &used).IsInvalidArgument());
  EXPECT_TRUE(ParseTimeText("1.2.3", TimeFormat::kAuto, &ms, &used).IsInvalidArgument());
  // ISO text when an epoch unit was asked for: the message names the format.
  Status s = ParseTimeText("2026-01-02", TimeFormat::kMillis, &ms, &used);
  ASSERT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(s.message().find("--time-format ms"), std::string::npos) << s.message();
  // Digits when ISO was asked for are not a timestamp.
  EXPECT_TRUE(ParseTimeText("1767323045", TimeFormat::kIso, &ms, &used).IsInvalidArgument());
}

// ---- FormatIso ----

TEST(FormatIsoTest, Formats) {
  EXPECT_EQ(FormatIso(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatIso(kT + 123), "2026-01-02T03:04:05.123Z");
  EXPECT_EQ(FormatIso(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatIso(-1'000), "1969-12-31T23:59:59.000Z");
  EXPECT_EQ(FormatIso(-86'400'000), "1969-12-31T00:00:00.000Z");
  EXPECT_EQ(FormatIso(951'782'400'000), "2000-02-29T00:00:00.000Z");
}

TEST(FormatIsoTest, RoundTripsThroughParse) {
  for (int64_t ms : {int64_t{0}, int64_t{1}, int64_t{-1}, int64_t{-999}, int64_t{-1'001}, kT,
                     kT + 999, int64_t{-2'208'988'800'001}, int64_t{951'868'799'999},
                     int64_t{253'402'300'799'999} /* 9999-12-31T23:59:59.999 */}) {
    std::string text = FormatIso(ms);
    int64_t back = 0;
    ASSERT_TRUE(ParseIsoTimestamp(text, &back).ok()) << text;
    EXPECT_EQ(back, ms) << text;
  }
  for (int64_t ms = -5'000'000'000'000; ms < 5'000'000'000'000; ms += 123'456'789'011) {
    int64_t back = 0;
    ASSERT_TRUE(ParseIsoTimestamp(FormatIso(ms), &back).ok()) << ms;
    EXPECT_EQ(back, ms);
  }
}

// ---- Floor arithmetic and civil dates ----

TEST(FloorArithmeticTest, NegativesRoundDown) {
  EXPECT_EQ(FloorDiv(7, 2), 3);
  EXPECT_EQ(FloorDiv(-7, 2), -4);
  EXPECT_EQ(FloorDiv(-6, 2), -3);
  EXPECT_EQ(FloorDiv(7, -2), -4);
  EXPECT_EQ(FloorDiv(-7, -2), 3);
  EXPECT_EQ(FloorDiv(0, 5), 0);
  EXPECT_EQ(FloorDiv(-1, 1000), -1);
  EXPECT_EQ(FloorMod(7, 2), 1);
  EXPECT_EQ(FloorMod(-7, 2), 1);
  EXPECT_EQ(FloorMod(-6, 2), 0);
  EXPECT_EQ(FloorMod(-1, 1000), 999);
  EXPECT_EQ(FloorMod(-10'001, 10'000), 9'999);
  EXPECT_EQ(FloorMod(7, -2), -1);  // sign of the divisor, as Python's %
  for (int64_t a = -50; a <= 50; ++a) {
    for (int64_t b : {1, 3, 7, 10}) {
      int64_t q = FloorDiv(a, b), r = FloorMod(a, b);
      EXPECT_EQ(q * b + r, a);
      EXPECT_GE(r, 0);
      EXPECT_LT(r, b);
    }
  }
}

TEST(CivilDaysTest, KnownDates) {
  EXPECT_EQ(DaysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(DaysFromCivil(1969, 12, 31), -1);
  EXPECT_EQ(DaysFromCivil(2000, 3, 1), 11'017);
  EXPECT_EQ(DaysFromCivil(2026, 1, 2), 20'455);
  EXPECT_EQ(DaysFromCivil(1900, 1, 1), -25'567);
  int64_t y;
  unsigned m, d;
  CivilFromDays(-1, &y, &m, &d);
  EXPECT_EQ(y, 1969);
  EXPECT_EQ(m, 12u);
  EXPECT_EQ(d, 31u);
  CivilFromDays(11'016, &y, &m, &d);
  EXPECT_EQ(y, 2000);
  EXPECT_EQ(m, 2u);
  EXPECT_EQ(d, 29u);
}

TEST(CivilDaysTest, RoundTripOverAWideRange) {
  // Every day from year -800 to 3200, checking that consecutive days are
  // consecutive dates.
  const int64_t first = DaysFromCivil(-800, 1, 1);
  const int64_t last = DaysFromCivil(3200, 12, 31);
  int64_t py;
  unsigned pm, pd;
  CivilFromDays(first - 1, &py, &pm, &pd);
  for (int64_t days = first; days <= last; ++days) {
    int64_t y;
    unsigned m, d;
    CivilFromDays(days, &y, &m, &d);
    ASSERT_EQ(DaysFromCivil(y, m, d), days);
    ASSERT_GE(m, 1u);
    ASSERT_LE(m, 12u);
    ASSERT_GE(d, 1u);
    ASSERT_LE(d, 31u);
    if (d == 1) {
      ASSERT_TRUE((m == pm + 1 && y == py) || (m == 1 && pm == 12 && y == py + 1)) << days;
    } else {
      ASSERT_TRUE(y == py && m == pm && d == pd + 1) << days;
    }
    py = y;
    pm = m;
    pd = d;
  }
}

// ---- issue-10: out-of-range and non-numeric event times ----

// issue-10 item 20: every unit is range-checked, so no event time can wrap the
// window or watermark arithmetic (a millisecond value had no check at all).
TEST(EpochToMillisTest, Issue10EveryUnitRefusesTimesBeyondTheLimit) {
  int64_t ms;
  for (TimeFormat unit : {TimeFormat::kSeconds, TimeFormat::kMillis, TimeFormat::kMicros,
                          TimeFormat::kNanos, TimeFormat::kAuto}) {
    for (int64_t v : {std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::min(),
                      int64_t{-9'223'372'036'854'775'000}}) {
      Status s = EpochToMillis(v, unit, &ms, nullptr);
      if (unit == TimeFormat::kNanos || (unit == TimeFormat::kAuto)) {
        // ns: 9.2e18 ns is 9.2e12 ms, within range (auto reads it as ns).
        EXPECT_TRUE(s.ok()) << v << ": " << s.ToString();
        continue;
      }
      EXPECT_TRUE(s.IsInvalidArgument()) << TimeFormatName(unit) << " " << v;
      EXPECT_NE(s.message().find("out of range"), std::string::npos) << s.message();
    }
    EXPECT_TRUE(EpochToMillis(1e300, unit, &ms, nullptr).IsInvalidArgument());
    EXPECT_TRUE(EpochToMillis(-1e300, unit, &ms, nullptr).IsInvalidArgument());
  }
  // The limit itself is accepted in ms; one past it is not.
  EXPECT_TRUE(EpochToMillis(kMaxEventTimeMs, TimeFormat::kMillis, &ms, nullptr).ok());
  EXPECT_EQ(ms, kMaxEventTimeMs);
  EXPECT_TRUE(EpochToMillis(-kMaxEventTimeMs, TimeFormat::kMillis, &ms, nullptr).ok());
  EXPECT_TRUE(
      EpochToMillis(kMaxEventTimeMs + 1, TimeFormat::kMillis, &ms, nullptr).IsInvalidArgument());
  EXPECT_TRUE(
      EpochToMillis(-kMaxEventTimeMs - 1, TimeFormat::kMillis, &ms, nullptr).IsInvalidArgument());
  EXPECT_TRUE(EpochToMillis((kMaxEventTimeMs + 1) * 1000, TimeFormat::kMicros, &ms, nullptr)
                  .IsInvalidArgument());
  EXPECT_TRUE(EpochToMillis(kMaxEventTimeMs / 1000 + 1, TimeFormat::kSeconds, &ms, nullptr)
                  .IsInvalidArgument());
  // Text goes through the same checks.
  TimeFormat used;
  EXPECT_TRUE(ParseTimeText("-9223372036854775000", TimeFormat::kMillis, &ms, &used)
                  .IsInvalidArgument());
  EXPECT_TRUE(ParseTimeText("9300000000000000", TimeFormat::kMillis, &ms, &used)
                  .IsInvalidArgument());
  Status s = ParseTimeText(std::string(400, '9') + ".5", TimeFormat::kAuto, &ms, &used);
  EXPECT_NE(s.message().find("out of range"), std::string::npos) << s.message();
  // The longest duration stays within int64 when added to the latest time.
  int64_t longest;
  ASSERT_TRUE(ParseDuration("106481 days", &longest).ok());
  EXPECT_LE(longest, kMaxEventTimeMs);
  EXPECT_FALSE(ParseDuration("106482 days", &longest).ok());
}

// issue-10 item 23: "." and "-." looked numeric and parsed as epoch 0.
TEST(ParseTimeTextTest, Issue10ADotWithoutDigitsIsNotANumber) {
  int64_t ms = 42;
  TimeFormat used;
  for (const char* text : {".", "-.", "-"}) {
    for (TimeFormat f : {TimeFormat::kAuto, TimeFormat::kSeconds, TimeFormat::kMillis}) {
      Status s = ParseTimeText(text, f, &ms, &used);
      EXPECT_TRUE(s.IsInvalidArgument()) << text << " " << TimeFormatName(f);
    }
  }
  EXPECT_EQ(ms, 42);
  Status s = ParseTimeText(".", TimeFormat::kAuto, &ms, &used);
  EXPECT_NE(s.message().find("'.' is not a number"), std::string::npos) << s.message();
  // Numbers with a leading or trailing point still parse.
  ASSERT_TRUE(ParseTimeText(".5", TimeFormat::kSeconds, &ms, &used).ok());
  EXPECT_EQ(ms, 500);
  ASSERT_TRUE(ParseTimeText("-1.", TimeFormat::kSeconds, &ms, &used).ok());
  EXPECT_EQ(ms, -1000);
}

// issue-10 item 20: a pattern cannot build a time beyond the limit, and a
// wide field cannot overflow while its digits are read.
TEST(TimePatternTest, Issue10NoOverflowAndNoTimeBeyondTheLimit) {
  TimePattern p;
  ASSERT_TRUE(p.Compile("yyyy-MM-dd").ok());
  int64_t ms = 0;
  ASSERT_TRUE(p.Parse("2026-01-02", &ms));
  EXPECT_EQ(ms, 1'767'312'000'000);
  EXPECT_FALSE(p.Parse("999999-01-02", &ms));  // about 3.2e16 ms: out of range
  ASSERT_TRUE(p.Parse("99999-01-02", &ms));    // about 3.1e15 ms
  TimePattern wide;
  ASSERT_TRUE(wide.Compile("yyyyyyyyyyyyyyyyyyyyyyyyMM").ok());
  EXPECT_FALSE(wide.Parse("99999999999999999999999901", &ms));
  TimePattern frac;
  ASSERT_TRUE(frac.Compile("ss.SSSSSSSSSSSSSSSSSSSSSSSSSSSS").ok());
  EXPECT_FALSE(frac.Parse("01.9999999999999999999999999999", &ms));
}

}  // namespace
}  // namespace sstream
