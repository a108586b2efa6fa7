#include "sstream/status.h"

#include <fmt/format.h>

namespace sstream {

namespace {
const char* CodeName(StatusCode c) {
  switch (c) {
    case StatusCode::kOk: return "OK";
    case StatusCode::kInvalidArgument: return "invalid argument";
    case StatusCode::kIOError: return "I/O error";
    case StatusCode::kCorruption: return "corrupt input";
    case StatusCode::kNotFound: return "not found";
    case StatusCode::kUnavailable: return "unavailable";
    case StatusCode::kInternal: return "internal error";
    case StatusCode::kPipeClosed: return "pipe closed";
    case StatusCode::kUsage: return "usage error";
  }
  return "unknown";
}
}  // namespace

const std::string& Status::message() const {
  static const std::string kNone;
  return state_ ? state_->message : kNone;
}

Status Status::WithContext(std::string_view context) const {
  if (ok()) return Status();
  return Status(state_->code, fmt::format("{}: {}", context, state_->message));
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  return fmt::format("{}: {}", CodeName(state_->code), state_->message);
}

int ExitCodeFor(const Status& s) {
  switch (s.code()) {
    case StatusCode::kOk:
    case StatusCode::kPipeClosed:
      return kExitOk;
    case StatusCode::kCorruption:
      return kExitCorrupt;
    case StatusCode::kUsage:
      return kExitUsage;
    default:
      return kExitFailure;
  }
}

}  // namespace sstream
