#include "io/part_files.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

namespace sstream {

namespace {

Status Errno(const std::string& what) {
  return Status::IOError(fmt::format("{}: {}", what, std::strerror(errno)));
}

// A temporary file of a process that is gone (".part-tmp-PID-N").
bool IsLeftover(const char* name) {
  if (std::strncmp(name, ".part-tmp-", 10) != 0) return false;
  const long pid = std::strtol(name + 10, nullptr, 10);
  return pid <= 0 || (::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH);
}

// Removes leftover temporary files in `dir` and its partition directories.
void RemoveTemporaries(const std::string& dir, int depth) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return;
  while (dirent* e = ::readdir(d)) {
    if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0) continue;
    const std::string path = dir + "/" + e->d_name;
    if (IsLeftover(e->d_name)) {
      ::unlink(path.c_str());
    } else if (depth > 0 && std::strchr(e->d_name, '=') != nullptr) {
      RemoveTemporaries(path, depth - 1);
    }
  }
  ::closedir(d);
}

Status MakeDirs(const std::string& path) {
  if (::mkdir(path.c_str(), 0755) == 0 || errno == EEXIST) return Status::OK();
  if (errno == ENOENT) {
    const size_t slash = path.rfind('/');
    if (slash != std::string::npos && slash > 0) {
      SSTREAM_RETURN_IF_ERROR(MakeDirs(path.substr(0, slash)));
      if (::mkdir(path.c_str(), 0755) == 0 || errno == EEXIST) return Status::OK();
    }
  }
  return Errno("creating " + path);
}

Status SyncDir(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Errno("opening " + path);
  const int rc = ::fsync(fd);
  ::close(fd);
  return rc == 0 ? Status::OK() : Errno("syncing " + path);
}

}  // namespace

std::string PartitionName(std::string_view field, std::string_view text, bool missing) {
  std::string out(field);
  out.push_back('=');
  if (missing) return out + "__HIVE_DEFAULT_PARTITION__";
  for (unsigned char c : text) {
    // Spark's escapePathName set: control characters and "\"#%'*/:=?\\{[]^".
    if (c < 0x20 || c == 0x7f || std::strchr("\"#%'*/:=?\\{[]^", c) != nullptr) {
      out += fmt::format("%{:02X}", c);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  if (text.empty()) out += "__HIVE_DEFAULT_PARTITION__";
  return out;
}

// Removes part files of epochs after `epoch` in `dir` and its partitions.
static void RemoveParts(const std::string& dir, int64_t epoch, int depth, int64_t* removed) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return;
  while (dirent* e = ::readdir(d)) {
    if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0) continue;
    const std::string path = dir + "/" + e->d_name;
    long long part_epoch = -1;
    if (std::sscanf(e->d_name, "part-%12lld-", &part_epoch) == 1) {
      if (part_epoch > epoch && ::unlink(path.c_str()) == 0) ++*removed;
    } else if (depth > 0 && std::strchr(e->d_name, '=') != nullptr) {
      RemoveParts(path, epoch, depth - 1, removed);
    }
  }
  ::closedir(d);
}

PartFiles::~PartFiles() { Abort(); }

Status PartFiles::RemoveAfter(int64_t epoch, int64_t* removed) {
  *removed = 0;
  RemoveParts(dir_, epoch, 1, removed);
  return *removed > 0 ? SyncDir(dir_) : Status::OK();
}

Status PartFiles::Open() {
  SSTREAM_RETURN_IF_ERROR(MakeDirs(dir_));
  RemoveTemporaries(dir_, 1);
  return Status::OK();
}

Status PartFiles::NewFile(std::string_view partition, int seq, File** out) {
  std::string dir = partition.empty() ? dir_ : dir_ + "/" + std::string(partition);
  if (!partition.empty()) SSTREAM_RETURN_IF_ERROR(MakeDirs(dir));
  File f;
  f.partition = std::string(partition);
  f.seq = seq;
  f.tmp_path = fmt::format("{}/.part-tmp-{}-{}", dir, ::getpid(), tmp_counter_++);
  f.fd = ::open(f.tmp_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (f.fd < 0) return Errno("creating " + f.tmp_path);
  files_.push_back(std::move(f));
  open_[std::string(partition)] = files_.size() - 1;
  *out = &files_.back();
  return Status::OK();
}

Status PartFiles::FlushFile(File* f) {
  const char* p = f->buf.data();
  size_t left = f->buf.size();
  while (left > 0) {
    ssize_t n = ::write(f->fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("writing " + f->tmp_path);
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  f->buf.clear();
  return Status::OK();
}

Status PartFiles::Append(std::string_view partition, std::string_view bytes,
                         std::string_view header) {
  File* f = nullptr;
  auto it = open_.find(partition);
  if (it == open_.end()) {
    SSTREAM_RETURN_IF_ERROR(NewFile(partition, 0, &f));
  } else {
    f = &files_[it->second];
    if (max_bytes_ > 0 && f->bytes >= max_bytes_) {
      const int seq = f->seq + 1;
      SSTREAM_RETURN_IF_ERROR(NewFile(partition, seq, &f));
    }
  }
  if (f->bytes == 0 && !header.empty()) {
    f->buf.append(header);
    f->bytes += static_cast<int64_t>(header.size());
  }
  f->buf.append(bytes);
  f->bytes += static_cast<int64_t>(bytes.size());
  if (f->buf.size() >= (256 << 10)) return FlushFile(f);
  return Status::OK();
}

Status PartFiles::Commit(int64_t epoch) {
  std::vector<std::string> dirs;
  for (File& f : files_) {
    SSTREAM_RETURN_IF_ERROR(FlushFile(&f));
    if (::fsync(f.fd) != 0) return Errno("syncing " + f.tmp_path);
    ::close(f.fd);
    f.fd = -1;
    const std::string dir = f.partition.empty() ? dir_ : dir_ + "/" + f.partition;
    const std::string name = fmt::format("{}/part-{:012d}-{:03d}.{}", dir, epoch, f.seq, ext_);
    if (::rename(f.tmp_path.c_str(), name.c_str()) != 0) return Errno("renaming to " + name);
    if (dirs.empty() || dirs.back() != dir) dirs.push_back(dir);
  }
  files_.clear();
  open_.clear();
  for (const std::string& d : dirs) SSTREAM_RETURN_IF_ERROR(SyncDir(d));
  return Status::OK();
}

void PartFiles::Abort() {
  for (File& f : files_) {
    if (f.fd >= 0) ::close(f.fd);
    ::unlink(f.tmp_path.c_str());
  }
  files_.clear();
  open_.clear();
}

}  // namespace sstream
