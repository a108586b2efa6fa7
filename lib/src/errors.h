// Translation of foreign error codes (errno, simdjson) into Status, with context.
// The one place where these codes become messages.
#pragma once

#include <string_view>

#include "sstream/status.h"

namespace sstream {

// "<context>: <strerror(err)>"; EPIPE becomes Status::PipeClosed().
Status PosixError(std::string_view context, int err);

}  // namespace sstream
