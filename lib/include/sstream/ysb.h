// The Yahoo Streaming Benchmark event generator.
//
// 100 campaigns x 10 ads; ids are fixed UUIDs derived from their index, so
// the campaign table is the same for every seed. Each event is
//   {"user_id": U, "page_id": P, "ad_id": A, "ad_type": T, "event_type": E,
//    "event_time": "<epoch ms>", "ip_address": "1.2.3.4"}
// with user/page among 100 ids each, ad_type among banner, modal,
// sponsored-search, mail, mobile and event_type among view, click, purchase,
// all uniform from a seeded PRNG. Event i has time start + i*1000/rate, minus
// a uniform delay in [0, min(disorder, i*1000/rate)] (never before the start).
#pragma once

#include <cstdint>
#include <string>

#include "sstream/frame.h"

namespace sstream {

class YsbGenerator {
 public:
  static constexpr int kCampaigns = 100;
  static constexpr int kAdsPerCampaign = 10;
  static constexpr int kAds = kCampaigns * kAdsPerCampaign;

  YsbGenerator(uint64_t seed, int64_t start_ms, int64_t events_per_second, int64_t disorder_ms);
  // Appends the next event as a JSON object, no newline; lists its fields in
  // *index when given (offsets relative to where the object starts).
  void Next(std::string* out, int64_t* event_time, FieldIndexBuilder* index = nullptr);
  int64_t produced() const { return produced_; }

  static std::string AdId(int ad);              // ad in [0, kAds)
  static std::string CampaignId(int campaign);  // campaign in [0, kCampaigns)
  static int CampaignOfAd(int ad) { return ad / kAdsPerCampaign; }

 private:
  uint64_t NextRandom();
  uint64_t state_;
  int64_t start_ms_;
  int64_t eps_;
  int64_t disorder_ms_;
  int64_t produced_ = 0;
  std::string users_[100];
  std::string pages_[100];
  std::string ads_[kAds];
};

}  // namespace sstream
