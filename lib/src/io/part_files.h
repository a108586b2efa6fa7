// Part files: a sink's output written per epoch under a directory, made
// visible atomically. Records go to hidden temporary files; Commit(epoch)
// syncs them and renames each to its final name,
//   DIR[/FIELD=value]/part-EEEEEEEEEEEEEEEEEEEE-SSSSSSSSSS.EXT
// (the epoch in 20 digits, then in 10 a sequence number when --max-file-bytes
// rolls a file), so names sort by epoch and sequence for every epoch the
// protocol allows, and a replayed epoch rewrites the same names.
//
// Safety: everything under DIR is reached through a descriptor of DIR with
// O_NOFOLLOW, so a symbolic link planted as a partition directory is refused
// (never written through, never cleaned through); a final name that exists
// already is never replaced; temporary files carry an owner token (the
// checkpoint and stage they belong to) and this process's pid, so only the
// caller's own are ever removed. At most a bounded number of files is open
// at once: the least recently used is synced and closed, and reopened for
// append when needed. Internal to lib/src.
#pragma once

#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "sstream/status.h"

namespace sstream {

class PartFiles {
 public:
  // `max_bytes` > 0 starts a new file once one reaches it.
  PartFiles(std::string dir, std::string extension, int64_t max_bytes);
  ~PartFiles();
  PartFiles(const PartFiles&) = delete;
  PartFiles& operator=(const PartFiles&) = delete;

  // Opens the directory, creating it (and missing parents, each made
  // durable in its parent) if needed. *had_entries says whether it held
  // anything before.
  Status Open(bool* had_entries);
  // The token that names this owner's temporary files (hex of the
  // checkpoint's identity; a fixed one without a checkpoint).
  void set_owner_token(std::string token) { token_ = std::move(token); }
  // Bounds the files held open at once (at least 1; the default follows
  // RLIMIT_NOFILE).
  void set_max_open(size_t n) { max_open_ = n < 1 ? 1 : n; }

  // Cleanup, for a caller that knows what it owns: removes the files a
  // manifest (as Commit hands it out) names; temporary files of this owner
  // token left by a killed run (in DIR and its partition directories); part
  // files named by the 12-digit scheme of earlier versions with an epoch
  // after `epoch`. Each adds to *removed.
  Status RemoveListed(std::string_view manifest, int64_t* removed);
  Status RemoveOwnTemporaries(int64_t* removed);
  Status RemoveLegacyAfter(int64_t epoch, int64_t* removed);

  // Appends `bytes` to the open file of `partition` ("" = none; else a
  // "field=value" directory name), starting a file with `header` if new.
  // InvalidArgument (a bad record) when the partition directory is a
  // symbolic link or not a directory.
  Status Append(std::string_view partition, std::string_view bytes, std::string_view header);
  // Makes everything appended since the last commit visible as `epoch`:
  // syncs the files, calls `record` with the manifest (the final names,
  // relative to DIR, one a line) before any rename, then renames and syncs
  // the directories.
  Status Commit(int64_t epoch, const std::function<Status(const std::string& manifest)>& record);
  // Drops everything appended since the last commit: its temporary files,
  // and the directories this epoch created if they are empty.
  void Abort();
  bool empty() const { return files_.empty(); }

  // Final names: part-<20 digits>-<10 digits>.<ext>; Parse also reads the
  // 12-and-3-digit names of earlier versions (*legacy set).
  static std::string FileName(int64_t epoch, int64_t seq, std::string_view ext);
  static bool ParseFileName(std::string_view name, std::string_view ext, int64_t* epoch,
                            int64_t* seq, bool* legacy);
  static constexpr int64_t kMaxSeq = 9'999'999'999;

 private:
  struct File {
    std::string partition;
    std::string tmp_name;  // in the partition directory
    int fd = -1;
    int64_t bytes = 0;
    int64_t seq = 0;
    bool synced = true;    // everything written is on disk
    uint64_t dev = 0, ino = 0;  // the file's identity, kept by the rename
    std::string buf;
    std::list<size_t>::iterator lru;  // valid while fd >= 0
  };
  Status OpenPartitionDir(std::string_view partition, bool create, int* fd);
  Status NewFile(std::string_view partition, int64_t seq, File** out);
  Status OpenFile(File* f, bool create);
  Status WriteOut(File* f);
  Status CloseFile(File* f);  // writes, syncs, closes
  Status FlushAll();
  void Touch(File* f);
  std::string Where(std::string_view partition, std::string_view name) const;

  std::string dir_, ext_;
  int64_t max_bytes_;
  int dir_fd_ = -1;
  std::string token_ = "0";
  size_t max_open_;
  std::vector<File> files_;                          // this epoch's, in creation order
  std::map<std::string, size_t, std::less<>> open_;  // partition -> its current file
  std::list<size_t> lru_;                            // open files, most recent first
  std::vector<std::string> created_dirs_;            // partition directories made this epoch
  size_t buffered_ = 0;
  int64_t tmp_counter_ = 0;
};

// A partition directory name for `field` and a value's text, escaped as
// Hive and Spark do ('/', '=', '%', control characters and the like become
// %XX); a missing or null value is __HIVE_DEFAULT_PARTITION__. A name longer
// than a file name may be (255 bytes) keeps its first bytes (whole escapes
// and characters) and ends in "%h" and 16 hex digits of a hash of the whole
// value: no escaped value can end so, and the records keep the value.
std::string PartitionName(std::string_view field, std::string_view text, bool missing);

}  // namespace sstream
