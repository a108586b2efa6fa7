#include "sstream/watermark.h"

#include "common/codec.h"
#include "sstream/time.h"

namespace sstream {

Status NewWatermarkTracker(std::string_view delay, std::string_view policy,
                           std::unique_ptr<WatermarkTracker>* out) {
  int64_t delay_ms;
  SSTREAM_RETURN_IF_ERROR(ParseDuration(delay, &delay_ms).WithContext("--watermark"));
  if (policy != "min" && policy != "max") {
    return Status::InvalidArgument("--watermark-policy: expected min or max");
  }
  *out = std::make_unique<WatermarkTracker>(
      delay_ms, policy == "max" ? WatermarkPolicy::kMax : WatermarkPolicy::kMin);
  return Status::OK();
}

void WatermarkTracker::AppendState(std::string* out) const {
  PutI64(out, current_);
  PutI64(out, own_);
  PutI64(out, max_event_ms_);
  PutI64(out, has_upstream_);
  PutI64(out, upstream_);
  PutI64(out, raise_to_);
}

bool WatermarkTracker::LoadState(std::string_view bytes) {
  Decoder d(bytes);
  current_ = d.I64();
  own_ = d.I64();
  max_event_ms_ = d.I64();
  has_upstream_ = d.I64() != 0;
  upstream_ = d.I64();
  raise_to_ = d.I64();
  return d.done();
}

}  // namespace sstream
