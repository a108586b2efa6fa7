// Part files: a sink's output written per epoch under a directory, made
// visible atomically. Records go to hidden temporary files; Commit(epoch)
// syncs them and renames each to its final name,
//   DIR[/FIELD=value]/part-EEEEEEEEEEEE-SSS.EXT
// (epoch, then a sequence number when --max-file-bytes rolls a file), so a
// replayed epoch rewrites the same names. Internal to lib/src.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "sstream/status.h"

namespace sstream {

class PartFiles {
 public:
  // `max_bytes` > 0 starts a new file once one reaches it.
  PartFiles(std::string dir, std::string extension, int64_t max_bytes)
      : dir_(std::move(dir)), ext_(std::move(extension)), max_bytes_(max_bytes) {}
  ~PartFiles();

  // Creates the directory if needed and removes temporary files a killed
  // run left behind.
  Status Open();
  // Removes the part files of epochs after `epoch` (uncommitted output of
  // an earlier run, or of epochs rewound); returns how many.
  Status RemoveAfter(int64_t epoch, int64_t* removed);
  // Appends `bytes` to the open file of `partition` ("" = none; else a
  // "field=value" directory name), starting a file with `header` if new.
  Status Append(std::string_view partition, std::string_view bytes, std::string_view header);
  // Makes everything appended since the last commit visible as `epoch`.
  Status Commit(int64_t epoch);
  // Drops everything appended since the last commit.
  void Abort();
  bool empty() const { return files_.empty(); }

 private:
  struct File {
    std::string partition;
    std::string tmp_path;
    int fd = -1;
    int64_t bytes = 0;
    int seq = 0;
    std::string buf;
  };
  Status FlushFile(File* f);
  Status NewFile(std::string_view partition, int seq, File** out);

  std::string dir_, ext_;
  int64_t max_bytes_;
  std::vector<File> files_;                 // this epoch's files, in creation order
  std::map<std::string, size_t, std::less<>> open_;  // partition -> its current file
  int64_t tmp_counter_ = 0;
};

// A partition directory name for `field` and a value's text, escaped as
// Hive and Spark do ('/', '=', '%', control characters and the like become
// %XX); a missing or null value is __HIVE_DEFAULT_PARTITION__.
std::string PartitionName(std::string_view field, std::string_view text, bool missing);

}  // namespace sstream
