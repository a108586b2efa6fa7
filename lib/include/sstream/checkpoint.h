// A pipeline's checkpoint: one LMDB environment in a directory, shared by all
// stages of the pipeline (LMDB is safe for several processes); each stage
// keeps its records in named databases of its own.
//
// This is the storage layer only: opening and creating the directory (mode
// 0700), the format record, per-stage locks, and transactional reads and
// writes, with every failure a Status that names the directory. What stages
// store in it, and when, is built on top.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "sstream/status.h"

namespace sstream {

class Checkpoint {
 public:
  // The format of the records, checked on open; a checkpoint written by a
  // different format is refused, never reset.
  static constexpr std::string_view kFormat = "sstream-checkpoint 1";

  // Opens `dir`, creating it with mode 0700 if missing. `map_size` bounds
  // the environment (LMDB's map size); a write beyond it fails clearly.
  static Status Open(const std::string& dir, std::unique_ptr<Checkpoint>* out,
                     size_t map_size = size_t{1} << 30);
  ~Checkpoint();

  // Claims `stage` for this process until the Checkpoint is destroyed: a
  // second pipeline running the same stage on the same checkpoint is refused.
  Status LockStage(const std::string& stage);

  // One value in database `db` (created on first write), each call its own
  // transaction. Get sets *found to false when the key is absent.
  Status Put(std::string_view db, std::string_view key, std::string_view value);
  Status Get(std::string_view db, std::string_view key, std::string* value, bool* found);

  const std::string& dir() const { return dir_; }

 private:
  Checkpoint() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string dir_;
};

}  // namespace sstream
