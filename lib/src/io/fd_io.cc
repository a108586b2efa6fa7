#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include "errors.h"
#include "sstream/io.h"
#include "sstream/log.h"

namespace sstream {

FdSource::FdSource(int fd, std::string name, bool own_fd)
    : fd_(fd), name_(std::move(name)), own_(own_fd) {}

FdSource::~FdSource() {
  if (own_) ::close(fd_);
}

Status FdSource::Read(char* buf, size_t n, int timeout_ms, size_t* got, bool* timed_out) {
  *got = 0;
  *timed_out = false;
  // The wait also ends on a stop request, even one whose signal came just
  // before it (StopWaitFd in log.h): the caller looks at its stop flag.
  const int stop_fd = StopWaitFd();
  for (;;) {
    if (timeout_ms >= 0 || stop_fd >= 0) {
      struct pollfd p[2] = {{fd_, POLLIN, 0}, {stop_fd, POLLIN, 0}};
      int r = ::poll(p, stop_fd >= 0 ? 2 : 1, timeout_ms);
      if (r > 0 && (p[1].revents & POLLIN) != 0) {
        DrainStopWaitFd();
        if ((p[0].revents & (POLLIN | POLLHUP | POLLERR)) == 0) {
          *timed_out = true;
          return Status::OK();
        }
      }
      if (r < 0) {
        if (errno == EINTR) {
          *timed_out = true;  // let the caller look at its stop flag
          return Status::OK();
        }
        return PosixError("waiting for " + name_, errno);
      }
      if (r == 0) {
        *timed_out = true;
        return Status::OK();
      }
    }
    ssize_t r = ::read(fd_, buf, n);
    if (r >= 0) {
      *got = static_cast<size_t>(r);
      return Status::OK();
    }
    if (errno == EINTR) {
      *timed_out = true;
      return Status::OK();
    }
    if (errno == EAGAIN) {
      if (timeout_ms == 0) {
        *timed_out = true;
        return Status::OK();
      }
      // The one wait above (with the stop pipe) when there is one.
      if (timeout_ms >= 0 || stop_fd >= 0) continue;
      struct pollfd p = {fd_, POLLIN, 0};
      ::poll(&p, 1, -1);
      continue;
    }
    return PosixError("reading " + name_, errno);
  }
}

void EnlargePipeBuffer(int fd) {
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISFIFO(st.st_mode)) return;
  // Best effort: an unprivileged process may be refused above pipe-max-size.
  (void)::fcntl(fd, F_SETPIPE_SZ, 1 << 20);
}

Status OpenFileSource(const std::string& path, std::unique_ptr<ByteSource>* out) {
  if (path == "-") {
    *out = std::make_unique<FdSource>(0, "stdin");
    return Status::OK();
  }
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return PosixError("opening " + path, errno);
  *out = std::make_unique<FdSource>(fd, path, true);
  return Status::OK();
}

std::string AbsolutePath(const std::string& path) {
  char* real = ::realpath(path.c_str(), nullptr);
  if (real == nullptr) return path;
  std::string out(real);
  std::free(real);
  return out;
}

Status OpenFileSourceAt(const std::string& path, uint64_t offset, std::unique_ptr<ByteSource>* out) {
  if (offset == 0) return OpenFileSource(path, out);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return PosixError("opening " + path, errno);
  struct stat st;
  if (::fstat(fd, &st) != 0 || static_cast<uint64_t>(st.st_size) < offset ||
      ::lseek(fd, static_cast<off_t>(offset), SEEK_SET) < 0) {
    ::close(fd);
    return Status::InvalidArgument(fmt::format(
        "{}: cannot resume at byte {}: the file is shorter now (replaced or truncated?)", path,
        offset));
  }
  *out = std::make_unique<FdSource>(fd, path, true);
  return Status::OK();
}

FdSink::FdSink(int fd, std::string name, bool own_fd)
    : fd_(fd), name_(std::move(name)), own_(own_fd) {}

FdSink::~FdSink() {
  if (own_ && fd_ >= 0) ::close(fd_);
}

Status FdSink::Write(std::string_view data) {
  const char* p = data.data();
  size_t left = data.size();
  while (left > 0) {
    ssize_t r = ::write(fd_, p, left);
    if (r < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) {
        struct pollfd pfd = {fd_, POLLOUT, 0};
        ::poll(&pfd, 1, -1);
        continue;
      }
      return PosixError("writing " + name_, errno);
    }
    p += r;
    left -= static_cast<size_t>(r);
  }
  return Status::OK();
}

Status FdSink::Close() {
  if (!own_ || fd_ < 0) return Status::OK();
  int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) return PosixError("closing " + name_, errno);
  return Status::OK();
}

Status OpenFileSink(const std::string& path, bool append, std::unique_ptr<FdSink>* out) {
  int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC);
  int fd = ::open(path.c_str(), flags, 0644);
  if (fd < 0) return PosixError("opening " + path + " for writing", errno);
  *out = std::make_unique<FdSink>(fd, path, true);
  return Status::OK();
}

Status MemorySource::Read(char* buf, size_t n, int, size_t* got, bool* timed_out) {
  *timed_out = false;
  size_t k = std::min({n, chunk_, data_.size() - pos_});
  std::memcpy(buf, data_.data() + pos_, k);
  pos_ += k;
  *got = k;
  return Status::OK();
}

BufferedWriter::BufferedWriter(ByteSink* sink, size_t capacity) : sink_(sink), capacity_(capacity) {
  buf_.reserve(capacity + 4096);
}

BufferedWriter::~BufferedWriter() = default;

Status BufferedWriter::Flush() {
  if (!buf_.empty()) {
    Status s = sink_->Write(buf_);
    buf_.clear();
    SSTREAM_RETURN_IF_ERROR(s);
  }
  return sink_->Flush();
}

Status BufferedWriter::AppendSlow(std::string_view data) {
  SSTREAM_RETURN_IF_ERROR(Flush());
  if (data.size() >= capacity_) return sink_->Write(data);
  buf_.append(data);
  return Status::OK();
}

}  // namespace sstream
