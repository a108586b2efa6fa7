// Status: the error value every fallible library function returns.
//
// A Status is a code plus a human-readable message made of context and cause
// ("reading campaigns.csv: line 3: expected 2 fields, found 1"). No exception
// crosses a library API; tools turn the final Status into an exit code with
// ExitCodeFor(), which is the one exit-status table for every sstream tool.
// Status is a small value type; copy and move freely.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace sstream {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,  // bad option value, bad expression, bad record
  kIOError,          // a read/write/open failed
  kCorruption,       // a binary frame stream is damaged or of another version
  kNotFound,
  kUnavailable,      // a peer (broker, server) cannot be reached
  kInternal,
  kPipeClosed,       // downstream closed its end of the pipe: stop quietly
  kUsage,            // an option value is unusable (found before any I/O): exit 2
};

// An OK Status is one null pointer: the success path of a per-record call
// costs no string construction or move.
class Status {
 public:
  Status() = default;
  Status(const Status& other)
      : state_(other.state_ ? std::make_unique<State>(*other.state_) : nullptr) {}
  Status& operator=(const Status& other) {
    if (this != &other) state_ = other.state_ ? std::make_unique<State>(*other.state_) : nullptr;
    return *this;
  }
  Status(Status&&) noexcept = default;
  Status& operator=(Status&&) noexcept = default;
  static Status OK() { return Status(); }
  static Status InvalidArgument(std::string msg) {
    return Status(StatusCode::kInvalidArgument, std::move(msg));
  }
  static Status IOError(std::string msg) {
    return Status(StatusCode::kIOError, std::move(msg));
  }
  static Status Corruption(std::string msg) {
    return Status(StatusCode::kCorruption, std::move(msg));
  }
  static Status NotFound(std::string msg) {
    return Status(StatusCode::kNotFound, std::move(msg));
  }
  static Status Unavailable(std::string msg) {
    return Status(StatusCode::kUnavailable, std::move(msg));
  }
  static Status Internal(std::string msg) {
    return Status(StatusCode::kInternal, std::move(msg));
  }
  static Status Usage(std::string msg) { return Status(StatusCode::kUsage, std::move(msg)); }
  // An InvalidArgument from checking options becomes a usage error; other
  // errors (a missing file, say) pass through.
  static Status AsUsage(const Status& s) {
    return s.IsInvalidArgument() ? Usage(s.message()) : s;
  }
  static Status PipeClosed() { return Status(StatusCode::kPipeClosed, "downstream closed the pipe"); }

  bool ok() const { return state_ == nullptr; }
  StatusCode code() const { return state_ ? state_->code : StatusCode::kOk; }
  const std::string& message() const;  // empty when ok
  bool IsInvalidArgument() const { return code() == StatusCode::kInvalidArgument; }
  bool IsCorruption() const { return code() == StatusCode::kCorruption; }
  bool IsPipeClosed() const { return code() == StatusCode::kPipeClosed; }

  // Returns a copy whose message is "<context>: <message>".
  Status WithContext(std::string_view context) const;
  // "OK", or "<code name>: <message>".
  std::string ToString() const;

 private:
  struct State {
    StatusCode code;
    std::string message;
  };
  Status(StatusCode code, std::string msg)
      : state_(std::make_unique<State>(State{code, std::move(msg)})) {}
  std::unique_ptr<State> state_;  // null: OK
};

// The exit-status table shared by every tool (documented in sstream(7)).
inline constexpr int kExitOk = 0;         // success, including downstream closing the pipe
inline constexpr int kExitFailure = 1;    // runtime or data error
inline constexpr int kExitUsage = 2;      // bad command line
inline constexpr int kExitCorrupt = 3;    // input frame stream damaged or of another version

int ExitCodeFor(const Status& s);

}  // namespace sstream

#define SSTREAM_RETURN_IF_ERROR(expr)          \
  do {                                         \
    ::sstream::Status _st = (expr);            \
    if (!_st.ok()) return _st;                 \
  } while (0)
