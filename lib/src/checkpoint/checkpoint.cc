#include "sstream/checkpoint.h"

#include <errno.h>
#include <fcntl.h>
#include <lmdb.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <map>
#include <vector>

#include <fmt/format.h>

#include "ops/text_util.h"

namespace sstream {

namespace {

constexpr unsigned kMaxDatabases = 256;
constexpr const char* kMetaDb = "meta";
constexpr const char* kFormatKey = "format";

MDB_val Val(std::string_view s) {
  return MDB_val{s.size(), const_cast<char*>(s.data())};
}

// "checkpoint DIR: what: LMDB's message", with advice for the errors a user
// can act on.
Status LmdbError(const std::string& dir, std::string_view what, int rc) {
  std::string msg = fmt::format("checkpoint {}: {}: {}", dir, what, mdb_strerror(rc));
  switch (rc) {
    case MDB_MAP_FULL:
      msg += " (the checkpoint is full: it holds at most 64 GiB; rewind or reset it, or start a new one)";
      break;
    case MDB_INVALID:
    case MDB_CORRUPTED:
    case MDB_PAGE_NOTFOUND:
      return Status::Corruption(msg + " (the checkpoint is damaged; it is not reset "
                                      "automatically: move it away to start afresh)");
    case MDB_VERSION_MISMATCH:
      return Status::Corruption(msg + " (written by another LMDB version)");
    default: break;
  }
  return Status::IOError(msg);
}

}  // namespace

struct Checkpoint::Impl {
  MDB_env* env = nullptr;
  std::vector<int> lock_fds;
  // Lookup's read transaction: kept between calls, renewed after writes.
  MDB_txn* reader = nullptr;
  bool reader_stale = false;
  std::map<std::string, MDB_dbi, std::less<>> reader_dbis;

  ~Impl() {
    if (reader != nullptr) mdb_txn_abort(reader);
    for (int fd : lock_fds) ::close(fd);  // releases the flock
    if (env != nullptr) mdb_env_close(env);
  }

  Status Error(const std::string& dir, std::string_view what, int rc) const {
    return LmdbError(dir, what, rc);
  }

  // Runs `fn(txn)` in a transaction, committing it when `write`.
  template <typename Fn>
  Status Transaction(const std::string& dir, bool write, Fn&& fn) {
    MDB_txn* txn = nullptr;
    int rc = mdb_txn_begin(env, nullptr, write ? 0 : MDB_RDONLY, &txn);
    if (rc != 0) return Error(dir, "starting a transaction", rc);
    Status s = fn(txn);
    if (!s.ok() || !write) {
      mdb_txn_abort(txn);
      return s;
    }
    rc = mdb_txn_commit(txn);
    return rc == 0 ? Status::OK() : Error(dir, "committing", rc);
  }
};

Status Checkpoint::Open(const std::string& dir, std::unique_ptr<Checkpoint>* out,
                        size_t map_size) {
  if (dir.empty()) return Status::InvalidArgument("checkpoint: empty directory name");
  // All stages of a pipeline start at once: another may create it first.
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return Status::IOError(fmt::format("checkpoint {}: {}", dir, std::strerror(errno)));
  }
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0) {
    return Status::IOError(fmt::format("checkpoint {}: {}", dir, std::strerror(errno)));
  }
  if (!S_ISDIR(st.st_mode)) {
    return Status::InvalidArgument(fmt::format("checkpoint {}: not a directory", dir));
  }
  if (st.st_uid != ::geteuid()) {
    return Status::IOError(fmt::format(
        "checkpoint {}: owned by user id {}, not by this user ({}): refused, as its owner "
        "controls what it holds (use a directory of your own)",
        dir, st.st_uid, ::geteuid()));
  }
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    return Status::IOError(fmt::format(
        "checkpoint {}: writable by {} (mode {:04o}): refused, as anyone who can write in it "
        "could replace its files (chmod go-w {})",
        dir, (st.st_mode & S_IWOTH) != 0 ? "others" : "its group", st.st_mode & 07777, dir));
  }
  std::unique_ptr<Checkpoint> cp(new Checkpoint());
  cp->dir_ = dir;
  cp->impl_ = std::make_unique<Impl>();
  Impl& impl = *cp->impl_;
  int rc = mdb_env_create(&impl.env);
  if (rc != 0) return impl.Error(dir, "creating the environment", rc);
  mdb_env_set_maxdbs(impl.env, kMaxDatabases);
  rc = mdb_env_set_mapsize(impl.env, map_size);
  if (rc != 0) return impl.Error(dir, "setting the map size", rc);
  // MDB_NOTLS: Lookup's read transaction may stay open while writes run.
  rc = mdb_env_open(impl.env, dir.c_str(), MDB_NOTLS, 0600);
  if (rc != 0) return impl.Error(dir, "opening", rc);
  // Reader slots of processes killed mid-read would pin old pages forever.
  int stale = 0;
  mdb_reader_check(impl.env, &stale);
  // The format record: written by the first open, checked by every other.
  Status s = impl.Transaction(dir, true, [&](MDB_txn* txn) -> Status {
    MDB_dbi dbi;
    int r = mdb_dbi_open(txn, kMetaDb, MDB_CREATE, &dbi);
    if (r != 0) return impl.Error(dir, "opening its records", r);
    MDB_val key = Val(kFormatKey), value;
    r = mdb_get(txn, dbi, &key, &value);
    if (r == MDB_NOTFOUND) {
      MDB_val format = Val(kFormat);
      r = mdb_put(txn, dbi, &key, &format, 0);
      return r == 0 ? Status::OK() : impl.Error(dir, "writing its format", r);
    }
    if (r != 0) return impl.Error(dir, "reading its format", r);
    std::string_view found(static_cast<const char*>(value.mv_data), value.mv_size);
    if (found != kFormat) {
      return Status::Corruption(fmt::format(
          "checkpoint {}: written in format '{}', but this sstream reads '{}' (it is not "
          "converted or reset: use a new directory)",
          dir, found.substr(0, 80), kFormat));
    }
    return Status::OK();
  });
  if (!s.ok()) return s;
  *out = std::move(cp);
  return Status::OK();
}

Checkpoint::~Checkpoint() = default;

Status Checkpoint::CheckStageName(std::string_view stage) {
  if (stage.empty() || stage.size() > 100) {
    return Status::InvalidArgument(
        fmt::format("bad stage name '{}': it must have 1 to 100 bytes",
                    text::Printable(stage.substr(0, 100))));
  }
  for (unsigned char c : stage) {
    if (c == '/' || c < 0x20 || c == 0x7f) {
      return Status::InvalidArgument(fmt::format(
          "bad stage name '{}': '/' and control characters are not allowed",
          text::Printable(stage)));
    }
  }
  return Status::OK();
}

Status Checkpoint::LockStage(const std::string& stage) {
  SSTREAM_RETURN_IF_ERROR(CheckStageName(stage).WithContext("checkpoint"));
  const std::string path = fmt::format("{}/lock-{}", dir_, stage);
  // Never through a link, never onto a file someone else placed: the pid
  // written below would overwrite it.
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == ELOOP) {
      return Status::IOError(fmt::format(
          "checkpoint {}: {} is a symbolic link: refused (remove it)", dir_, path));
    }
    return Status::IOError(fmt::format("checkpoint {}: {}: {}", dir_, path, std::strerror(errno)));
  }
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1 ||
      st.st_uid != ::geteuid()) {
    ::close(fd);
    return Status::IOError(fmt::format(
        "checkpoint {}: {} is not a regular file of this user with a single link: refused "
        "(remove it)",
        dir_, path));
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    char pid[32] = {};
    const ssize_t n = ::pread(fd, pid, sizeof(pid) - 1, 0);
    ::close(fd);
    if (err == EWOULDBLOCK) {
      return Status::Unavailable(fmt::format(
          "checkpoint {}: stage '{}' is in use by a running pipeline{}", dir_, stage,
          n > 0 ? fmt::format(" (pid {})", std::string_view(pid, static_cast<size_t>(n))) : ""));
    }
    return Status::IOError(fmt::format("checkpoint {}: locking {}: {}", dir_, path,
                                       std::strerror(err)));
  }
  const std::string me = std::to_string(::getpid());
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, me.data(), me.size(), 0) < 0) {
    // The pid is only informative: the lock itself holds.
  }
  impl_->lock_fds.push_back(fd);
  return Status::OK();
}

namespace {

// CheckpointTxn over one LMDB transaction; database handles are opened once
// per transaction and kept by name.
class LmdbTxn final : public CheckpointTxn {
 public:
  LmdbTxn(const std::string& dir, MDB_txn* txn, bool write) : dir_(dir), txn_(txn), write_(write) {}

  Status Get(std::string_view db, std::string_view key, std::string_view* value,
             bool* found) override {
    *found = false;
    MDB_dbi dbi;
    bool exists;
    SSTREAM_RETURN_IF_ERROR(Open(db, &dbi, &exists));
    if (!exists) return Status::OK();
    MDB_val k = Val(key), v;
    int rc = mdb_get(txn_, dbi, &k, &v);
    if (rc == MDB_NOTFOUND) return Status::OK();
    if (rc != 0) return Error(fmt::format("reading '{}'", db), rc);
    *value = std::string_view(static_cast<const char*>(v.mv_data), v.mv_size);
    *found = true;
    return Status::OK();
  }

  Status Put(std::string_view db, std::string_view key, std::string_view value) override {
    MDB_dbi dbi;
    bool exists;
    SSTREAM_RETURN_IF_ERROR(Open(db, &dbi, &exists));
    MDB_val k = Val(key), v = Val(value);
    int rc = mdb_put(txn_, dbi, &k, &v, 0);
    return rc == 0 ? Status::OK() : Error(fmt::format("writing to '{}'", db), rc);
  }

  Status PutIfAbsent(std::string_view db, std::string_view key, std::string_view value,
                     bool* added) override {
    MDB_dbi dbi;
    bool exists;
    SSTREAM_RETURN_IF_ERROR(Open(db, &dbi, &exists));
    MDB_val k = Val(key), v = Val(value);
    int rc = mdb_put(txn_, dbi, &k, &v, MDB_NOOVERWRITE);
    *added = rc == 0;
    if (rc == 0 || rc == MDB_KEYEXIST) return Status::OK();
    return Error(fmt::format("writing to '{}'", db), rc);
  }

  Status Erase(std::string_view db, std::string_view key) override {
    MDB_dbi dbi;
    bool exists;
    SSTREAM_RETURN_IF_ERROR(Open(db, &dbi, &exists));
    if (!exists) return Status::OK();
    MDB_val k = Val(key);
    int rc = mdb_del(txn_, dbi, &k, nullptr);
    if (rc == 0 || rc == MDB_NOTFOUND) return Status::OK();
    return Error(fmt::format("deleting from '{}'", db), rc);
  }

  Status Scan(std::string_view db, std::string_view from, bool reverse,
              const std::function<Step(std::string_view, std::string_view)>& fn) override {
    MDB_dbi dbi;
    bool exists;
    SSTREAM_RETURN_IF_ERROR(Open(db, &dbi, &exists));
    if (!exists) return Status::OK();
    MDB_cursor* cur = nullptr;
    int rc = mdb_cursor_open(txn_, dbi, &cur);
    if (rc != 0) return Error(fmt::format("reading '{}'", db), rc);
    MDB_val k = Val(from), v;
    if (!reverse) {
      rc = mdb_cursor_get(cur, &k, &v, from.empty() ? MDB_FIRST : MDB_SET_RANGE);
    } else if (from.empty()) {
      rc = mdb_cursor_get(cur, &k, &v, MDB_LAST);
    } else {
      // The last key <= from: the first key >= from, or the one before it.
      rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
      if (rc == MDB_NOTFOUND) {
        rc = mdb_cursor_get(cur, &k, &v, MDB_LAST);
      } else if (rc == 0 && Str(k) != from) {
        rc = mdb_cursor_get(cur, &k, &v, MDB_PREV);
      }
    }
    while (rc == 0) {
      Step step = fn(Str(k), Str(v));
      if (step == Step::kStop) break;
      if (step == Step::kErase) {
        rc = mdb_cursor_del(cur, 0);
        if (rc != 0) break;
        // After a delete the cursor sits on the next key already (forward),
        // or must step back (reverse); GET_CURRENT tells which exists.
        if (!reverse) {
          rc = mdb_cursor_get(cur, &k, &v, MDB_GET_CURRENT);
          continue;
        }
      }
      rc = mdb_cursor_get(cur, &k, &v, reverse ? MDB_PREV : MDB_NEXT);
    }
    mdb_cursor_close(cur);
    if (rc == 0 || rc == MDB_NOTFOUND || rc == EINVAL) return Status::OK();
    return Error(fmt::format("reading '{}'", db), rc);
  }

  Status ListDatabases(std::vector<std::string>* names) override {
    names->clear();
    MDB_dbi main;
    int rc = mdb_dbi_open(txn_, nullptr, 0, &main);
    if (rc != 0) return Error("listing databases", rc);
    MDB_cursor* cur = nullptr;
    rc = mdb_cursor_open(txn_, main, &cur);
    if (rc != 0) return Error("listing databases", rc);
    MDB_val k, v;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
      names->emplace_back(Str(k));
    }
    mdb_cursor_close(cur);
    return rc == MDB_NOTFOUND ? Status::OK() : Error("listing databases", rc);
  }

  Status Drop(std::string_view db) override {
    MDB_dbi dbi;
    bool exists;
    SSTREAM_RETURN_IF_ERROR(Open(db, &dbi, &exists, /*create=*/false));
    if (!exists) return Status::OK();
    int rc = mdb_drop(txn_, dbi, 1);
    dbis_.erase(std::string(db));
    return rc == 0 ? Status::OK() : Error(fmt::format("dropping '{}'", db), rc);
  }

 private:
  static std::string_view Str(const MDB_val& v) {
    return std::string_view(static_cast<const char*>(v.mv_data), v.mv_size);
  }

  Status Error(std::string_view what, int rc) const { return LmdbError(dir_, what, rc); }

  // The handle of `db`; in a write transaction created when missing.
  Status Open(std::string_view db, MDB_dbi* dbi, bool* exists, bool create = true) {
    std::string name(db);
    auto it = dbis_.find(name);
    if (it != dbis_.end()) {
      *dbi = it->second;
      *exists = true;
      return Status::OK();
    }
    int rc = mdb_dbi_open(txn_, name.c_str(), write_ && create ? MDB_CREATE : 0, dbi);
    if (rc == MDB_NOTFOUND) {
      *exists = false;
      return Status::OK();
    }
    if (rc != 0) return Error(fmt::format("opening database '{}'", name), rc);
    *exists = true;
    dbis_.emplace(std::move(name), *dbi);
    return Status::OK();
  }

  const std::string& dir_;
  MDB_txn* txn_;
  bool write_;
  std::map<std::string, MDB_dbi> dbis_;
};

}  // namespace

Status Checkpoint::Update(const std::function<Status(CheckpointTxn&)>& fn) {
  impl_->reader_stale = true;
  return impl_->Transaction(dir_, true, [&](MDB_txn* txn) {
    LmdbTxn t(dir_, txn, true);
    return fn(t);
  });
}

Status Checkpoint::Lookup(std::string_view db, std::string_view key, std::string_view* value,
                          bool* found) {
  Impl& impl = *impl_;
  *found = false;
  int rc = 0;
  if (impl.reader == nullptr) {
    rc = mdb_txn_begin(impl.env, nullptr, MDB_RDONLY, &impl.reader);
    impl.reader_stale = false;
  } else if (impl.reader_stale) {
    mdb_txn_reset(impl.reader);
    rc = mdb_txn_renew(impl.reader);
    impl.reader_stale = false;
  }
  if (rc != 0) {
    impl.reader = nullptr;
    return impl.Error(dir_, "starting a read", rc);
  }
  auto it = impl.reader_dbis.find(db);
  if (it == impl.reader_dbis.end()) {
    MDB_dbi dbi;
    const std::string name(db);
    rc = mdb_dbi_open(impl.reader, name.c_str(), 0, &dbi);
    if (rc == MDB_NOTFOUND) return Status::OK();  // not written yet
    if (rc != 0) return impl.Error(dir_, fmt::format("opening database '{}'", name), rc);
    it = impl.reader_dbis.emplace(name, dbi).first;
  }
  MDB_val k = Val(key), v;
  rc = mdb_get(impl.reader, it->second, &k, &v);
  if (rc == MDB_NOTFOUND) return Status::OK();
  if (rc != 0) return impl.Error(dir_, fmt::format("reading '{}'", db), rc);
  *value = std::string_view(static_cast<const char*>(v.mv_data), v.mv_size);
  *found = true;
  return Status::OK();
}

Status Checkpoint::View(const std::function<Status(CheckpointTxn&)>& fn) {
  return impl_->Transaction(dir_, false, [&](MDB_txn* txn) {
    LmdbTxn t(dir_, txn, false);
    return fn(t);
  });
}

Status Checkpoint::Put(std::string_view db, std::string_view key, std::string_view value) {
  return Update([&](CheckpointTxn& t) { return t.Put(db, key, value); });
}

Status Checkpoint::Get(std::string_view db, std::string_view key, std::string* value,
                       bool* found) {
  return View([&](CheckpointTxn& t) {
    std::string_view v;
    SSTREAM_RETURN_IF_ERROR(t.Get(db, key, &v, found));
    if (*found) value->assign(v);
    return Status::OK();
  });
}

}  // namespace sstream
