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
#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sstream/status.h"

namespace sstream {

// One transaction's view of the checkpoint (see Checkpoint::Update / View).
// Databases are named; a database never written reads as empty.
class CheckpointTxn {
 public:
  virtual ~CheckpointTxn() = default;
  // *value stays valid until the transaction ends.
  virtual Status Get(std::string_view db, std::string_view key, std::string_view* value,
                     bool* found) = 0;
  virtual Status Put(std::string_view db, std::string_view key, std::string_view value) = 0;
  // Puts only when `key` is absent; *added says whether it was.
  virtual Status PutIfAbsent(std::string_view db, std::string_view key, std::string_view value,
                             bool* added) = 0;
  virtual Status Erase(std::string_view db, std::string_view key) = 0;
  // Walks the keys >= `from` in order (or, `reverse`, the keys <= `from`
  // backwards; an empty `from` then starts at the last key). `fn` returns
  // what to do next; kErase deletes the key it was given and goes on.
  enum class Step { kNext, kErase, kStop };
  virtual Status Scan(std::string_view db, std::string_view from, bool reverse,
                      const std::function<Step(std::string_view key, std::string_view value)>& fn) = 0;
  // Names of all databases, and dropping one with everything in it.
  virtual Status ListDatabases(std::vector<std::string>* names) = 0;
  virtual Status Drop(std::string_view db) = 0;
};

class Checkpoint {
 public:
  // The format of the records, checked on open; a checkpoint written by a
  // different format is refused, never reset.
  static constexpr std::string_view kFormat = "sstream-checkpoint 1";
  // Address space only: the file grows with what is stored.
  static constexpr size_t kDefaultMapSize = size_t{64} << 30;

  // Opens `dir`, creating it with mode 0700 if missing. An existing `dir`
  // must belong to this user and not be writable by group or others
  // (anyone who may write in it could plant links or replace its files):
  // otherwise it is refused. `map_size` bounds the environment (LMDB's map
  // size); a write beyond it fails clearly.
  static Status Open(const std::string& dir, std::unique_ptr<Checkpoint>* out,
                     size_t map_size = kDefaultMapSize);
  ~Checkpoint();

  // Claims `stage` for this process until the Checkpoint is destroyed: a
  // second pipeline running the same stage on the same checkpoint is refused.
  // The lock file DIR/lock-STAGE is opened without following a symbolic link
  // and must be a regular file of this user with one link.
  Status LockStage(const std::string& stage);
  // A stage name names files and databases: 1 to 100 bytes, no '/' and no
  // control characters (InvalidArgument otherwise).
  static Status CheckStageName(std::string_view stage);

  // One value in database `db` (created on first write), each call its own
  // transaction. Get sets *found to false when the key is absent.
  Status Put(std::string_view db, std::string_view key, std::string_view value);
  Status Get(std::string_view db, std::string_view key, std::string* value, bool* found);

  // Runs `fn` in one write (Update) or read (View) transaction; the writes
  // take effect together when fn returns OK, and not at all otherwise.
  Status Update(const std::function<Status(CheckpointTxn&)>& fn);
  Status View(const std::function<Status(CheckpointTxn&)>& fn);
  // A point read on the hot path: no transaction per call (one read view is
  // kept, and renewed after the next Update). *value stays valid until then.
  Status Lookup(std::string_view db, std::string_view key, std::string_view* value, bool* found);

  const std::string& dir() const { return dir_; }

 private:
  Checkpoint() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string dir_;
};

// What one stage changes in its state in one epoch: puts and erasures of
// opaque keys. StageCheckpoint::Save applies them in key order (B-tree
// friendly), keeping the order of changes to one key: an ErasePrefix goes
// before the puts under its prefix, so it must not follow them.
class StateChanges {
 public:
  void Put(std::string_view key, std::string_view value) { Add(Op::kPut, key, value); }
  void Erase(std::string_view key) { Add(Op::kErase, key, {}); }
  // Erases every key that starts with `prefix`.
  void ErasePrefix(std::string_view prefix) { Add(Op::kErasePrefix, prefix, {}); }
  // Erases every key under `prefix` at once, however many (an evicted
  // window): a marker hides them from Load from this epoch on, and they are
  // deleted for good once the epoch leaves the retained range (no undo
  // records, as no rollback can reach back before it).
  void RetirePrefix(std::string_view prefix) { Add(Op::kRetirePrefix, prefix, {}); }
  bool empty() const { return ops_.empty(); }
  size_t size() const { return ops_.size(); }
  void Clear() {
    ops_.clear();
    bytes_.clear();
  }

  enum class Op : uint8_t { kPut, kErase, kErasePrefix, kRetirePrefix };
  // Calls fn(op, key, value) for each change in key order (a stable sort:
  // changes to one key keep their order).
  template <typename Fn>
  void ForEachInKeyOrder(Fn&& fn) const {
    std::vector<uint32_t> order(ops_.size());
    for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](uint32_t a, uint32_t b) { return Key(ops_[a]) < Key(ops_[b]); });
    for (uint32_t i : order) {
      const Entry& e = ops_[i];
      fn(e.op, Key(e), std::string_view(bytes_.data() + e.at + e.key_size, e.value_size));
    }
  }

 private:
  struct Entry {
    Op op;
    uint32_t key_size;
    uint32_t value_size;
    size_t at;
  };
  std::string_view Key(const Entry& e) const {
    return std::string_view(bytes_.data() + e.at, e.key_size);
  }
  void Add(Op op, std::string_view key, std::string_view value) {
    ops_.push_back(Entry{op, static_cast<uint32_t>(key.size()),
                         static_cast<uint32_t>(value.size()), bytes_.size()});
    bytes_.append(key);
    bytes_.append(value);
  }
  std::vector<Entry> ops_;
  std::string bytes_;
};

// One stage's part of a pipeline's checkpoint (the layout is in sstream(7),
// "Checkpoints"):
//   stages         name -> the stage's fingerprint (its query, as text)
//   commits        sink name -> last committed epoch
//   NAME.epochs    sources: epoch (20 digits) -> what the epoch covers
//   NAME.state     stateful stages: key -> value, as of the stage's epoch
//                  (keys from '@' on are reserved: "@epoch", "@retired/...")
//   NAME.undo      epoch (8 bytes, big-endian) + key -> the value before
//                  that epoch ('=' + value, or '-' when absent)
// The pipeline's consistent cut is the lowest epoch its sinks committed
// (-1: none). Opening a stage rolls its state back to the cut with the undo
// records; records older than the cut by more than kRetainedEpochs are
// deleted as epochs commit.
class StageCheckpoint {
 public:
  static constexpr int64_t kRetainedEpochs = 10;

  // Locks stage `name` and checks its fingerprint against the checkpoint's
  // (recording it the first time). A stage missing from a checkpoint that
  // has committed epochs, or a different fingerprint, is refused: the
  // query changed. Then rolls the stage's state back to the cut.
  static Status Open(std::unique_ptr<Checkpoint> cp, const std::string& name,
                     const std::string& fingerprint, std::unique_ptr<StageCheckpoint>* out);

  const std::string& name() const { return name_; }
  Checkpoint* checkpoint() const { return cp_.get(); }
  // The pipeline's consistent cut when the stage opened.
  int64_t cut() const { return cut_; }

  // Stateful stages: the state as of the cut (reserved keys left out).
  Status Load(const std::function<Status(std::string_view key, std::string_view value)>& fn);
  // Applies one epoch's changes, with their undo records, and the epoch
  // itself, in one transaction.
  Status Save(int64_t epoch, const StateChanges& changes);
  // One state entry as of the last Save (state kept in LMDB, not memory).
  Status LookupState(std::string_view key, std::string_view* value, bool* found) {
    return cp_->Lookup(state_db_, key, value, found);
  }
  // Calls fn for the state entries whose key starts with `prefix`, in key order.
  Status ScanState(std::string_view prefix,
                   const std::function<Status(std::string_view key, std::string_view value)>& fn);
  // The epoch the stage's state is at (-1: none saved).
  int64_t state_epoch() const { return state_epoch_; }

  // Sources: records what `epoch` covers before it is emitted, and reads
  // the epochs recorded after `after` (in order).
  Status RecordEpoch(int64_t epoch, std::string_view covers);
  // The same, and in the same transaction the epoch's changes to the
  // source's own state (as Save), e.g. where each of its files stands.
  Status RecordEpoch(int64_t epoch, std::string_view covers, const StateChanges& changes);
  Status RecordedEpochs(int64_t after, std::vector<std::pair<int64_t, std::string>>* out);
  // The record of `epoch`, if kept.
  Status EpochRecord(int64_t epoch, std::string* covers, bool* found);

  // Sinks: `epoch`'s output is durable; it becomes (part of) the cut.
  Status Commit(int64_t epoch);
  // The last epoch this sink committed (-1: none).
  int64_t committed() const { return committed_; }

  // Keys of the layout, shared with the inspect command.
  static std::string EpochKey(int64_t epoch);  // 20 decimal digits
  // An epoch as stored (commits, "@epoch", epoch keys): decimal digits only.
  static bool ParseEpoch(std::string_view text, int64_t* epoch);
  static std::string UndoPrefix(int64_t epoch);  // 8 bytes, big-endian
  static int64_t UndoEpoch(std::string_view undo_key);
  static constexpr std::string_view kStagesDb = "stages";
  static constexpr std::string_view kCommitsDb = "commits";
  static constexpr std::string_view kEpochStateKey = "@epoch";
  // State keys starting with '@' are the checkpoint's own: "@epoch", and
  // "@retired/" + prefix -> the epoch that retired the prefix.
  static constexpr std::string_view kRetiredPrefix = "@retired/";
  // The cut: the lowest committed epoch over `commits` (-1: none).
  static Status ReadCut(CheckpointTxn& t, int64_t* cut);
  // Rolls the state of stage `name` back to `epoch` with its undo records.
  static Status RollBack(CheckpointTxn& t, const std::string& name, int64_t epoch);

 private:
  StageCheckpoint() = default;
  // Save's work inside transaction `t`: the changes with their undo
  // records, the state's epoch, and garbage collection.
  Status Apply(CheckpointTxn& t, int64_t epoch, const StateChanges& changes);
  std::unique_ptr<Checkpoint> cp_;
  std::string name_, state_db_, undo_db_, epochs_db_;
  int64_t cut_ = -1;
  int64_t state_epoch_ = -1;
  int64_t committed_ = -1;
};

}  // namespace sstream
