#include "sstream/watermark.h"

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

}  // namespace sstream
