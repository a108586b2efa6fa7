// Internal JSON helpers shared with the frame reader. The json/ directory is
// the only place that includes simdjson.h.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "sstream/status.h"

namespace sstream::json_internal {

struct ControlLine {
  std::string kind;     // "tick", "watermark", "end", "frame", or anything else
  int64_t number = 0;   // tick: epoch; watermark: ms
  uint8_t type_code = 0;  // frame: type
  uint8_t flags = 0;      // frame: flags (optional, default 0); tick: kTickLastOfRun if "last"
  std::string op, mode;   // stream: "operator" and "mode" (optional)
};

// Parses a JSON control line ({"@sstream":KIND,...}). For kind "frame" the
// decoded payload bytes are written to *payload.
Status ParseControlLine(std::string_view line, ControlLine* out, std::string* payload);

}  // namespace sstream::json_internal
