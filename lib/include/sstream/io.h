// ByteSource / ByteSink: the byte-level I/O seam.
//
// Tools read and write through these interfaces so tests can inject memory
// buffers, short reads and failures. The fd-backed implementations handle
// EINTR, EAGAIN (non-blocking descriptors) and EPIPE (reported as
// Status::PipeClosed, which tools treat as a quiet exit). None of them own the
// descriptor unless constructed with own_fd = true. Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <memory>
#include <vector>

#include "sstream/clock.h"
#include "sstream/status.h"

namespace sstream {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to n bytes. Waits at most timeout_ms (-1 = forever) for data.
  // *got == 0 with *timed_out false means end of input.
  virtual Status Read(char* buf, size_t n, int timeout_ms, size_t* got, bool* timed_out) = 0;
  // Name used in messages ("stdin", "clicks.ndjson").
  virtual std::string Name() const = 0;
};

class ByteSink {
 public:
  virtual ~ByteSink() = default;
  virtual Status Write(std::string_view data) = 0;
  // Makes written data visible to the reader (fsync is not implied).
  virtual Status Flush() { return Status::OK(); }
};

class FdSource final : public ByteSource {
 public:
  FdSource(int fd, std::string name, bool own_fd = false);
  ~FdSource() override;
  Status Read(char* buf, size_t n, int timeout_ms, size_t* got, bool* timed_out) override;
  std::string Name() const override { return name_; }
  int fd() const { return fd_; }

 private:
  int fd_;
  std::string name_;
  bool own_;
};

// Raises a pipe's buffer to 1 MiB (the default is 64 KiB), so neighbouring
// stages block on each other less. No effect on anything but a pipe.
void EnlargePipeBuffer(int fd);

// What reads the pipe (or named pipe) on `fd`, found through /proc: the
// processes of this session holding its read end, and the programs they run.
// A reader that has not started its program yet (a forked shell before exec,
// a launcher such as env or nice, the shell between forking this process and
// the reader) is waited for, at most `wait_ms` on `clock`; if it is still
// undecided then, it counts as foreign.
enum class PipeReader {
  kNotPipe,  // not a pipe: a file, a terminal, a socket, a bad descriptor
  kUnknown,  // a pipe whose readers cannot be seen (no /proc, another user)
  kSstream,  // an sstream tool reads it
  kForeign,  // only other programs read it (jq, grep, head, tee, a shell)
};
PipeReader IdentifyPipeReader(int fd, Clock* clock, int64_t wait_ms);

// Opens a file for reading ("-" means stdin).
Status OpenFileSource(const std::string& path, std::unique_ptr<ByteSource>* out);
// `path` made absolute, links resolved (realpath); as given when it does not
// exist. Names a file the same way from any working directory.
std::string AbsolutePath(const std::string& path);
// A file read from byte `offset` on (a file shorter than that is an error).
Status OpenFileSourceAt(const std::string& path, uint64_t offset, std::unique_ptr<ByteSource>* out);

class FdSink final : public ByteSink {
 public:
  FdSink(int fd, std::string name, bool own_fd = false);
  ~FdSink() override;
  Status Write(std::string_view data) override;
  // Closes an owned descriptor and reports the error close() returns.
  Status Close();

 private:
  int fd_;
  std::string name_;
  bool own_;
};

// Opens (creating or truncating, or appending) a file for writing.
Status OpenFileSink(const std::string& path, bool append, std::unique_ptr<FdSink>* out);

// In-memory source for tests: returns `data` in chunks of at most `chunk` bytes.
class MemorySource final : public ByteSource {
 public:
  explicit MemorySource(std::string data, size_t chunk = SIZE_MAX)
      : data_(std::move(data)), chunk_(chunk) {}
  Status Read(char* buf, size_t n, int timeout_ms, size_t* got, bool* timed_out) override;
  std::string Name() const override { return "memory"; }

 private:
  std::string data_;
  size_t pos_ = 0;
  size_t chunk_;
};

class MemorySink final : public ByteSink {
 public:
  Status Write(std::string_view data) override {
    out_.append(data);
    return Status::OK();
  }
  const std::string& contents() const { return out_; }

 private:
  std::string out_;
};

// Buffers writes to a ByteSink in large blocks.
class BufferedWriter {
 public:
  // 256 KiB blocks: large enough to amortize write(2), small enough that the
  // next stage starts on a block while this one fills the next.
  explicit BufferedWriter(ByteSink* sink, size_t capacity = 256 << 10);
  ~BufferedWriter();
  Status Append(std::string_view data) {
    if (buf_.size() + data.size() > capacity_) return AppendSlow(data);
    buf_.append(data);
    return Status::OK();
  }
  std::string& buffer() { return buf_; }  // direct appends; call MaybeFlush() after
  Status MaybeFlush() { return buf_.size() >= capacity_ ? Flush() : Status::OK(); }
  Status Flush();

 private:
  Status AppendSlow(std::string_view data);
  ByteSink* sink_;
  size_t capacity_;
  std::string buf_;
};

}  // namespace sstream
