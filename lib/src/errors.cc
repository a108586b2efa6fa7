#include "errors.h"

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace sstream {

Status PosixError(std::string_view context, int err) {
  if (err == EPIPE) return Status::PipeClosed();
  std::string msg = fmt::format("{}: {}", context, std::strerror(err));
  if (err == ENOENT) return Status::NotFound(std::move(msg));
  return Status::IOError(std::move(msg));
}

}  // namespace sstream
