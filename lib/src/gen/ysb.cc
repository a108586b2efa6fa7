#include "sstream/ysb.h"

#include <algorithm>

#include <fmt/format.h>

namespace sstream {

namespace {

uint64_t SplitMix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// A version-4-shaped UUID derived from (salt, index): stable across runs.
std::string FixedUuid(uint64_t salt, uint64_t index) {
  uint64_t hi = SplitMix64(salt * 1000003 + index * 2);
  uint64_t lo = SplitMix64(salt * 1000003 + index * 2 + 1);
  hi = (hi & ~0xF000ull) | 0x4000ull;                    // version 4
  lo = (lo & ~(0xC000ull << 48)) | (0x8000ull << 48);   // RFC 4122 variant
  return fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", hi >> 32, (hi >> 16) & 0xFFFF,
                     hi & 0xFFFF, lo >> 48, lo & 0xFFFFFFFFFFFFull);
}

constexpr const char* kAdTypes[] = {"banner", "modal", "sponsored-search", "mail", "mobile"};
constexpr const char* kEventTypes[] = {"view", "click", "purchase"};

}  // namespace

std::string YsbGenerator::AdId(int ad) { return FixedUuid(1, static_cast<uint64_t>(ad)); }
std::string YsbGenerator::CampaignId(int campaign) {
  return FixedUuid(2, static_cast<uint64_t>(campaign));
}

YsbGenerator::YsbGenerator(uint64_t seed, int64_t start_ms, int64_t events_per_second,
                           int64_t disorder_ms)
    : state_(SplitMix64(seed ^ 0x5eed)),
      start_ms_(start_ms),
      eps_(events_per_second),
      disorder_ms_(disorder_ms) {
  for (int i = 0; i < 100; ++i) {
    users_[i] = FixedUuid(3, static_cast<uint64_t>(i));
    pages_[i] = FixedUuid(4, static_cast<uint64_t>(i));
  }
  for (int i = 0; i < kAds; ++i) ads_[i] = AdId(i);
}

uint64_t YsbGenerator::NextRandom() {
  // xorshift64*: fast and good enough for uniform choices.
  state_ ^= state_ >> 12;
  state_ ^= state_ << 25;
  state_ ^= state_ >> 27;
  return state_ * 0x2545F4914F6CDD1Dull;
}

void YsbGenerator::Next(std::string* out, int64_t* event_time, FieldIndexBuilder* index) {
  uint64_t r = NextRandom();
  uint64_t r2 = NextRandom();
  int user = static_cast<int>(r % 100);
  int page = static_cast<int>((r >> 8) % 100);
  int ad = static_cast<int>((r >> 16) % kAds);
  int ad_type = static_cast<int>((r >> 32) % 5);
  int event_type = static_cast<int>((r >> 40) % 3);
  int64_t offset = produced_ * 1000 / eps_;
  int64_t t = start_ms_ + offset;
  if (disorder_ms_ > 0) {
    // Arrive late by up to `disorder`, but never before the first event.
    int64_t max_delay = std::min(disorder_ms_, offset);
    t -= static_cast<int64_t>(r2 % static_cast<uint64_t>(max_delay + 1));
  }
  ++produced_;
  *event_time = t;
  char time_text[24];
  auto tr = fmt::format_to_n(time_text, sizeof(time_text), "{}", t);
  const size_t start = out->size();
  out->push_back('{');
  // One `"key": "value"` member; all YSB values are strings.
  auto member = [&](std::string_view key, std::string_view value) {
    if (out->size() - start > 1) out->append(", ");
    out->push_back('"');
    size_t key_off = out->size() - start;
    out->append(key);
    out->append("\": ");
    size_t val_off = out->size() - start;
    out->push_back('"');
    out->append(value);
    out->push_back('"');
    if (index) index->Add(key_off, key.size(), val_off, value.size() + 2);
  };
  member("user_id", users_[user]);
  member("page_id", pages_[page]);
  member("ad_id", ads_[ad]);
  member("ad_type", kAdTypes[ad_type]);
  member("event_type", kEventTypes[event_type]);
  member("event_time", std::string_view(time_text, tr.size));
  member("ip_address", "1.2.3.4");
  out->push_back('}');
}

}  // namespace sstream
