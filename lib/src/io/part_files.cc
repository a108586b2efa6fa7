#include "io/part_files.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cinttypes>
#include <cstdio>
#include <cstring>

#include <fmt/format.h>

#include "common/bytes.h"

namespace sstream {

namespace {

constexpr size_t kNameMax = 255;  // bytes in one file name (NAME_MAX)
// A file's buffer is written out past this: larger while few files are
// open (fewer writes), smaller when many are (bounded memory).
constexpr size_t kFileBuffer = 256 << 10;
constexpr size_t kManyFileBuffer = 64 << 10;
constexpr size_t kFewFiles = 16;
constexpr size_t kTotalBuffer = 32 << 20;  // all buffers are written out past this
constexpr std::string_view kTmpPrefix = ".part-tmp-";

Status Errno(const std::string& what, int err = errno) {
  return Status::IOError(fmt::format("{}: {}", what, std::strerror(err)));
}

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int* out() { return &fd_; }

 private:
  int fd_;
};

// Creates `path` (and missing parents) as directories; each one created is
// made durable in its parent at once, as a power loss must not lose it.
Status MakeDirs(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  if (::mkdir(path.c_str(), 0755) != 0) {
    if (errno == EEXIST) return Status::OK();
    const size_t slash = path.rfind('/');
    if (errno != ENOENT || slash == std::string::npos || slash == 0) {
      return Errno("creating " + path);
    }
    SSTREAM_RETURN_IF_ERROR(MakeDirs(path.substr(0, slash)));
    if (::mkdir(path.c_str(), 0755) != 0) {
      if (errno == EEXIST) return Status::OK();
      return Errno("creating " + path);
    }
  }
  const size_t slash = path.rfind('/');
  const std::string parent =
      slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  Fd fd(::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0 || ::fsync(fd.get()) != 0) return Errno("syncing " + parent);
  return Status::OK();
}

// Whether `name` is a directory entry of `dir_fd` that is a real directory
// (not a link to one).
bool IsRealDir(int dir_fd, const char* name) {
  struct stat st;
  return ::fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
}

// Calls fn(dir_fd, name) for each entry of `dir_fd` and of its partition
// directories (real directories whose name has '='), never following links.
template <typename Fn>
void ForEachEntry(int dir_fd, bool partitions, Fn&& fn) {
  int dup = ::openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dup < 0) return;
  DIR* d = ::fdopendir(dup);
  if (d == nullptr) {
    ::close(dup);
    return;
  }
  std::vector<std::string> subdirs;
  while (dirent* e = ::readdir(d)) {
    if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0) continue;
    if (partitions && std::strchr(e->d_name, '=') != nullptr && IsRealDir(dir_fd, e->d_name)) {
      subdirs.emplace_back(e->d_name);
      continue;
    }
    fn(dir_fd, e->d_name);
  }
  ::closedir(d);
  for (const std::string& sub : subdirs) {
    Fd fd(::openat(dir_fd, sub.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (fd.get() >= 0) ForEachEntry(fd.get(), false, fn);
  }
}

// A rename that never replaces an existing name (another writer's file).
int RenameNoReplace(int dir_fd, const char* from, const char* to) {
#ifdef RENAME_NOREPLACE
  if (::renameat2(dir_fd, from, dir_fd, to, RENAME_NOREPLACE) == 0) return 0;
  if (errno != EINVAL && errno != ENOSYS) return -1;
#endif
  // A file system without renameat2 flags: link (fails on an existing
  // name), then drop the temporary name.
  if (::linkat(dir_fd, from, dir_fd, to, 0) != 0) return -1;
  ::unlinkat(dir_fd, from, 0);
  return 0;
}

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool ToInt(std::string_view s, int64_t* out) {
  auto r = std::from_chars(s.data(), s.data() + s.size(), *out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

void Escape(std::string_view text, std::string* out) {
  for (unsigned char c : text) {
    // Spark's escapePathName set: control characters and "\"#%'*/:=?\\{[]^".
    if (c < 0x20 || c == 0x7f || std::strchr("\"#%'*/:=?\\{[]^", c) != nullptr) {
      *out += fmt::format("%{:02X}", c);
    } else {
      out->push_back(static_cast<char>(c));
    }
  }
}

}  // namespace

std::string PartitionName(std::string_view field, std::string_view text, bool missing) {
  std::string out;
  Escape(field, &out);
  out.push_back('=');
  if (missing || text.empty()) return out + "__HIVE_DEFAULT_PARTITION__";
  Escape(text, &out);
  if (out.size() <= kNameMax) return out;
  // Too long for a file name: a prefix cut at a whole escape and character,
  // then "%h" and a hash of the whole value.
  size_t cut = kNameMax - 18;
  for (size_t back = 1; back <= 2; ++back) {
    if (out[cut - back] == '%') cut -= back;
  }
  while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
  out.resize(cut);
  std::string key(field);
  key.push_back('\0');
  key.append(text);
  return out + fmt::format("%h{:016x}", HashKey(key));
}

std::string PartFiles::FileName(int64_t epoch, int64_t seq, std::string_view ext) {
  return fmt::format("part-{:020d}-{:010d}.{}", epoch, seq, ext);
}

bool PartFiles::ParseFileName(std::string_view name, std::string_view ext, int64_t* epoch,
                              int64_t* seq, bool* legacy) {
  if (!name.starts_with("part-")) return false;
  name.remove_prefix(5);
  const size_t dash = name.find('-');
  const size_t dot = name.find('.');
  if (dash == std::string_view::npos || dot == std::string_view::npos || dot < dash) return false;
  const std::string_view e = name.substr(0, dash), s = name.substr(dash + 1, dot - dash - 1);
  if (name.substr(dot + 1) != ext || !AllDigits(e) || !AllDigits(s)) return false;
  if (e.size() == 20 && s.size() == 10) {
    *legacy = false;
  } else if (e.size() == 12 && s.size() == 3) {
    *legacy = true;
  } else {
    return false;
  }
  return ToInt(e, epoch) && ToInt(s, seq);
}

PartFiles::PartFiles(std::string dir, std::string extension, int64_t max_bytes)
    : dir_(std::move(dir)), ext_(std::move(extension)), max_bytes_(max_bytes) {
  // A quarter of the descriptors this process may open, within [4, 128]:
  // the rest stays for the checkpoint, the dead-letter file and the like.
  struct rlimit rl;
  rlim_t limit = 1024;
  if (::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) limit = rl.rlim_cur;
  max_open_ = static_cast<size_t>(std::clamp<rlim_t>(limit / 4, 4, 128));
}

PartFiles::~PartFiles() {
  Abort();
  if (dir_fd_ >= 0) ::close(dir_fd_);
}

std::string PartFiles::Where(std::string_view partition, std::string_view name) const {
  if (partition.empty()) return fmt::format("{}/{}", dir_, name);
  return fmt::format("{}/{}/{}", dir_, partition, name);
}

Status PartFiles::Open(bool* had_entries) {
  SSTREAM_RETURN_IF_ERROR(MakeDirs(dir_));
  dir_fd_ = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd_ < 0) return Errno("opening " + dir_);
  *had_entries = false;
  ForEachEntry(dir_fd_, false, [&](int, const char*) { *had_entries = true; });
  return Status::OK();
}

Status PartFiles::OpenPartitionDir(std::string_view partition, bool create, int* fd) {
  const std::string name(partition);
  if (create) {
    if (::mkdirat(dir_fd_, name.c_str(), 0755) == 0) {
      created_dirs_.push_back(name);
    } else if (errno != EEXIST) {
      return Errno(fmt::format("creating {}/{}", dir_, name));
    }
  }
  *fd = ::openat(dir_fd_, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (*fd >= 0) return Status::OK();
  if (errno == ELOOP || errno == ENOTDIR) {
    return Status::InvalidArgument(fmt::format(
        "partition directory {}/{} is a symbolic link or not a directory: refused", dir_, name));
  }
  return Errno(fmt::format("opening {}/{}", dir_, name));
}

void PartFiles::Touch(File* f) {
  lru_.splice(lru_.begin(), lru_, f->lru);
}

Status PartFiles::OpenFile(File* f, bool create) {
  while (lru_.size() >= max_open_) SSTREAM_RETURN_IF_ERROR(CloseFile(&files_[lru_.back()]));
  int pfd = dir_fd_;
  Fd partition_fd;
  if (!f->partition.empty()) {
    SSTREAM_RETURN_IF_ERROR(OpenPartitionDir(f->partition, create, partition_fd.out()));
    pfd = partition_fd.get();
  }
  const int flags = create ? O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC
                           : O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC;
  f->fd = ::openat(pfd, f->tmp_name.c_str(), flags, 0644);
  if (f->fd < 0) return Errno("creating " + Where(f->partition, f->tmp_name));
  if (create) {
    struct stat sb;
    if (::fstat(f->fd, &sb) != 0) return Errno("reading the identity of " + Where(f->partition, f->tmp_name));
    f->dev = static_cast<uint64_t>(sb.st_dev);
    f->ino = static_cast<uint64_t>(sb.st_ino);
  }
  lru_.push_front(static_cast<size_t>(f - files_.data()));
  f->lru = lru_.begin();
  return Status::OK();
}

Status PartFiles::NewFile(std::string_view partition, int64_t seq, File** out) {
  if (seq > kMaxSeq) {
    return Status::IOError(fmt::format("{}: more than {} part files in one epoch", dir_, kMaxSeq));
  }
  File f;
  f.partition = std::string(partition);
  f.seq = seq;
  f.tmp_name = fmt::format("{}{}-{}-{}", kTmpPrefix, token_, ::getpid(), tmp_counter_++);
  // The file is created at once: a symbolic link in the partition's place
  // is then refused for the record that names it.
  files_.push_back(std::move(f));
  File* created = &files_.back();
  // files_ may have moved: the LRU list holds indexes, not pointers.
  Status s = OpenFile(created, /*create=*/true);
  if (!s.ok()) {
    files_.pop_back();
    return s;
  }
  open_[std::string(partition)] = files_.size() - 1;
  *out = created;
  return Status::OK();
}

Status PartFiles::WriteOut(File* f) {
  if (f->buf.empty()) return Status::OK();
  if (f->fd < 0) {
    SSTREAM_RETURN_IF_ERROR(OpenFile(f, /*create=*/false));
  } else {
    Touch(f);
  }
  const char* p = f->buf.data();
  size_t left = f->buf.size();
  while (left > 0) {
    ssize_t n = ::write(f->fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("writing " + Where(f->partition, f->tmp_name));
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  buffered_ -= f->buf.size();
  f->buf.clear();
  if (files_.size() > kFewFiles) f->buf.shrink_to_fit();  // its memory goes back
  f->synced = false;
  return Status::OK();
}

Status PartFiles::CloseFile(File* f) {
  SSTREAM_RETURN_IF_ERROR(WriteOut(f));
  if (f->fd < 0) return Status::OK();
  if (!f->synced && ::fsync(f->fd) != 0) return Errno("syncing " + Where(f->partition, f->tmp_name));
  f->synced = true;
  lru_.erase(f->lru);
  const int fd = f->fd;
  f->fd = -1;
  if (::close(fd) != 0) return Errno("closing " + Where(f->partition, f->tmp_name));
  return Status::OK();
}

Status PartFiles::FlushAll() {
  for (File& f : files_) SSTREAM_RETURN_IF_ERROR(WriteOut(&f));
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
      const int64_t seq = f->seq + 1;
      // The full file is done for this epoch: its descriptor goes now.
      SSTREAM_RETURN_IF_ERROR(CloseFile(f));
      SSTREAM_RETURN_IF_ERROR(NewFile(partition, seq, &f));
    }
  }
  if (f->bytes == 0 && !header.empty()) {
    f->buf.append(header);
    f->bytes += static_cast<int64_t>(header.size());
    buffered_ += header.size();
  }
  f->buf.append(bytes);
  f->bytes += static_cast<int64_t>(bytes.size());
  buffered_ += bytes.size();
  if (f->buf.size() >= (files_.size() > kFewFiles ? kManyFileBuffer : kFileBuffer)) {
    return WriteOut(f);
  }
  if (buffered_ >= kTotalBuffer) return FlushAll();
  return Status::OK();
}

Status PartFiles::Commit(int64_t epoch,
                         const std::function<Status(const std::string& manifest)>& record) {
  if (files_.empty()) {
    created_dirs_.clear();
    return Status::OK();
  }
  // Data first: every file written, synced and closed.
  for (File& f : files_) {
    if (f.fd < 0 && f.buf.empty()) continue;  // closed, hence synced
    SSTREAM_RETURN_IF_ERROR(CloseFile(&f));
  }
  // Directories made this epoch must outlive a power loss with the files.
  if (!created_dirs_.empty() && ::fsync(dir_fd_) != 0) return Errno("syncing " + dir_);
  // Final names, by partition (files_ is in creation order).
  std::vector<size_t> order(files_.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return files_[a].partition < files_[b].partition; });
  std::string manifest;
  for (size_t i : order) {
    const File& f = files_[i];
    if (!f.partition.empty()) manifest += f.partition + "/";
    manifest += FileName(epoch, f.seq, ext_);
    // Its identity too: a name this sink failed to take (another writer's
    // file was there) must not be removed as its own later.
    manifest += fmt::format("\t{}:{}\n", f.dev, f.ino);
  }
  if (record) SSTREAM_RETURN_IF_ERROR(record(manifest));
  for (size_t at = 0; at < order.size();) {
    const std::string& partition = files_[order[at]].partition;
    Fd partition_fd;
    int pfd = dir_fd_;
    if (!partition.empty()) {
      SSTREAM_RETURN_IF_ERROR(OpenPartitionDir(partition, false, partition_fd.out()));
      pfd = partition_fd.get();
    }
    for (; at < order.size() && files_[order[at]].partition == partition; ++at) {
      File& f = files_[order[at]];
      const std::string name = FileName(epoch, f.seq, ext_);
      if (RenameNoReplace(pfd, f.tmp_name.c_str(), name.c_str()) != 0) {
        if (errno == EEXIST) {
          return Status::IOError(fmt::format(
              "{} exists and is not this sink's to replace (remove it, or write to another "
              "--path)",
              Where(partition, name)));
        }
        return Errno("renaming to " + Where(partition, name));
      }
      f.tmp_name.clear();  // nothing left to remove on Abort
    }
    if (::fsync(pfd) != 0) return Errno("syncing " + Where(partition, ""));
  }
  files_.clear();
  open_.clear();
  lru_.clear();
  created_dirs_.clear();
  buffered_ = 0;
  return Status::OK();
}

void PartFiles::Abort() {
  for (File& f : files_) {
    if (f.fd >= 0) ::close(f.fd);
    f.fd = -1;
    if (f.tmp_name.empty()) continue;
    int pfd = dir_fd_;
    Fd partition_fd;
    if (!f.partition.empty()) {
      *partition_fd.out() = ::openat(dir_fd_, f.partition.c_str(),
                                     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      pfd = partition_fd.get();
    }
    if (pfd >= 0) ::unlinkat(pfd, f.tmp_name.c_str(), 0);
  }
  // Directories this epoch made go again when nothing is left in them.
  for (const std::string& d : created_dirs_) ::unlinkat(dir_fd_, d.c_str(), AT_REMOVEDIR);
  files_.clear();
  open_.clear();
  lru_.clear();
  created_dirs_.clear();
  buffered_ = 0;
}

Status PartFiles::RemoveListed(std::string_view manifest, int64_t* removed) {
  bool any = false;
  while (!manifest.empty()) {
    const size_t nl = manifest.find('\n');
    std::string_view line = manifest.substr(0, nl);
    manifest.remove_prefix(nl == std::string_view::npos ? manifest.size() : nl + 1);
    if (line.empty()) continue;
    // "PATH\tDEV:INO": only the file this sink made under that name goes.
    uint64_t dev = 0, ino = 0;
    const size_t tab = line.find('\t');
    if (tab == std::string_view::npos ||
        std::sscanf(std::string(line.substr(tab + 1)).c_str(), "%" SCNu64 ":%" SCNu64, &dev,
                    &ino) != 2) {
      return Status::Corruption(fmt::format("{}: a damaged list of the sink's files", dir_));
    }
    line = line.substr(0, tab);
    const size_t slash = line.rfind('/');
    const std::string name(slash == std::string_view::npos ? line : line.substr(slash + 1));
    int pfd = dir_fd_;
    Fd partition_fd;
    if (slash != std::string_view::npos) {
      const std::string partition(line.substr(0, slash));
      *partition_fd.out() = ::openat(dir_fd_, partition.c_str(),
                                     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (partition_fd.get() < 0) continue;  // gone, or a link: nothing of ours
      pfd = partition_fd.get();
    }
    struct stat sb;
    if (::fstatat(pfd, name.c_str(), &sb, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT) continue;
      return Errno("reading " + Where("", line));
    }
    if (!S_ISREG(sb.st_mode) || static_cast<uint64_t>(sb.st_dev) != dev ||
        static_cast<uint64_t>(sb.st_ino) != ino) {
      continue;  // another file under that name: not this sink's
    }
    if (::unlinkat(pfd, name.c_str(), 0) == 0) {
      ++*removed;
      any = true;
      if (pfd != dir_fd_ && ::fsync(pfd) != 0) return Errno("syncing " + Where("", line));
    } else if (errno != ENOENT) {
      return Errno("removing " + Where("", line));
    }
  }
  if (any && ::fsync(dir_fd_) != 0) return Errno("syncing " + dir_);
  return Status::OK();
}

Status PartFiles::RemoveOwnTemporaries(int64_t* removed) {
  const std::string prefix = fmt::format("{}{}-", kTmpPrefix, token_);
  ForEachEntry(dir_fd_, true, [&](int fd, const char* name) {
    if (std::string_view(name).starts_with(prefix) && ::unlinkat(fd, name, 0) == 0) ++*removed;
  });
  return Status::OK();
}

Status PartFiles::RemoveLegacyAfter(int64_t epoch, int64_t* removed) {
  ForEachEntry(dir_fd_, true, [&](int fd, const char* name) {
    int64_t e, seq;
    bool legacy = false;
    struct stat st;
    if (ParseFileName(name, ext_, &e, &seq, &legacy) && legacy && e > epoch &&
        ::fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
        ::unlinkat(fd, name, 0) == 0) {
      ++*removed;
    }
  });
  return *removed > 0 && ::fsync(dir_fd_) != 0 ? Errno("syncing " + dir_) : Status::OK();
}

}  // namespace sstream
