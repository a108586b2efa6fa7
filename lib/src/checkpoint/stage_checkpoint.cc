// StageCheckpoint: a stage's records in the pipeline's checkpoint — its
// fingerprint, its state with undo records, a source's epochs, a sink's
// commits — and the rollback to the pipeline's consistent cut.
#include <algorithm>
#include <charconv>
#include <string>

#include <fmt/format.h>

#include "sstream/checkpoint.h"

namespace sstream {

namespace {

using Step = CheckpointTxn::Step;

// Entries of retired prefixes deleted by one save, at most.
constexpr int64_t kPurgePerSave = 100'000;


// Undo and epoch records older than the cut by more than kRetainedEpochs
// go; a source's newest record at or before the cut (where it resumes)
// always stays.
Status CollectGarbage(CheckpointTxn& t, const std::string& state_db, const std::string& undo_db,
                      const std::string& epochs_db, int64_t cut) {
  int64_t limit = cut - StageCheckpoint::kRetainedEpochs;
  if (limit <= 0) return Status::OK();
  // Prefixes retired before the retained range: their keys go for good, at
  // most kPurgePerSave a save (a huge window is spread over several epochs;
  // its marker, which hides the rest, goes with its last key).
  const std::string_view retired = StageCheckpoint::kRetiredPrefix;
  std::vector<std::string> purge;
  SSTREAM_RETURN_IF_ERROR(t.Scan(state_db, retired, false, [&](std::string_view k, std::string_view v) {
    if (k.substr(0, retired.size()) != retired) return Step::kStop;
    int64_t e;
    if (StageCheckpoint::ParseEpoch(v, &e) && e < limit) purge.emplace_back(k.substr(retired.size()));
    return Step::kNext;
  }));
  int64_t budget = kPurgePerSave;
  for (const std::string& prefix : purge) {
    bool more = false;
    SSTREAM_RETURN_IF_ERROR(t.Scan(state_db, prefix, false, [&](std::string_view k, std::string_view) {
      if (k.substr(0, prefix.size()) != prefix) return Step::kStop;
      if (budget-- <= 0) {
        more = true;
        return Step::kStop;
      }
      return Step::kErase;
    }));
    if (more) break;
    SSTREAM_RETURN_IF_ERROR(t.Erase(state_db, std::string(retired) + prefix));
  }
  SSTREAM_RETURN_IF_ERROR(t.Scan(undo_db, "", false, [&](std::string_view key, std::string_view) {
    return StageCheckpoint::UndoEpoch(key) < limit ? Step::kErase : Step::kStop;
  }));
  int64_t resume = -1;
  SSTREAM_RETURN_IF_ERROR(t.Scan(epochs_db, StageCheckpoint::EpochKey(cut), true,
                                 [&](std::string_view key, std::string_view) {
                                   if (!StageCheckpoint::ParseEpoch(key, &resume)) resume = -1;
                                   return Step::kStop;
                                 }));
  if (resume >= 0) limit = std::min(limit, resume);
  return t.Scan(epochs_db, "", false, [&](std::string_view key, std::string_view) {
    int64_t e;
    return StageCheckpoint::ParseEpoch(key, &e) && e < limit ? Step::kErase : Step::kStop;
  });
}

}  // namespace

bool StageCheckpoint::ParseEpoch(std::string_view text, int64_t* epoch) {
  if (text.empty() || text[0] == '-' || text[0] == '+') return false;
  auto r = std::from_chars(text.data(), text.data() + text.size(), *epoch);
  return r.ec == std::errc() && r.ptr == text.data() + text.size();
}

std::string StageCheckpoint::EpochKey(int64_t epoch) { return fmt::format("{:020d}", epoch); }

std::string StageCheckpoint::UndoPrefix(int64_t epoch) {
  std::string out(8, '\0');
  const auto u = static_cast<uint64_t>(epoch);
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>(u >> (56 - 8 * i));
  return out;
}

int64_t StageCheckpoint::UndoEpoch(std::string_view undo_key) {
  if (undo_key.size() < 8) return -1;
  uint64_t u = 0;
  for (int i = 0; i < 8; ++i) u = (u << 8) | static_cast<uint8_t>(undo_key[i]);
  return static_cast<int64_t>(u);
}

Status StageCheckpoint::ReadCut(CheckpointTxn& t, int64_t* cut) {
  *cut = -1;
  bool any = false;
  Status bad;
  SSTREAM_RETURN_IF_ERROR(t.Scan(kCommitsDb, "", false, [&](std::string_view key,
                                                             std::string_view value) {
    int64_t e;
    if (!ParseEpoch(value, &e)) {
      bad = Status::Corruption(fmt::format("the commit record of '{}' is damaged", key));
      return Step::kStop;
    }
    *cut = any ? std::min(*cut, e) : e;
    any = true;
    return Step::kNext;
  }));
  return bad;
}

Status StageCheckpoint::RollBack(CheckpointTxn& t, const std::string& name, int64_t epoch) {
  const std::string state_db = name + ".state", undo_db = name + ".undo";
  // Newest first, so the oldest undo record of a key (its value before all
  // of the undone epochs) is applied last.
  std::vector<std::pair<std::string, std::string>> undo;
  SSTREAM_RETURN_IF_ERROR(t.Scan(undo_db, "", true, [&](std::string_view key, std::string_view v) {
    if (UndoEpoch(key) <= epoch) return Step::kStop;
    undo.emplace_back(std::string(key.substr(8)), std::string(v));
    return Step::kErase;
  }));
  for (const auto& [key, old] : undo) {
    if (!old.empty() && old[0] == '=') {
      SSTREAM_RETURN_IF_ERROR(t.Put(state_db, key, std::string_view(old).substr(1)));
    } else {
      SSTREAM_RETURN_IF_ERROR(t.Erase(state_db, key));
    }
  }
  return Status::OK();
}

Status StageCheckpoint::Open(std::unique_ptr<Checkpoint> cp, const std::string& name,
                             const std::string& fingerprint,
                             std::unique_ptr<StageCheckpoint>* out) {
  SSTREAM_RETURN_IF_ERROR(cp->LockStage(name));
  std::unique_ptr<StageCheckpoint> sc(new StageCheckpoint());
  sc->name_ = name;
  sc->state_db_ = name + ".state";
  sc->undo_db_ = name + ".undo";
  sc->epochs_db_ = name + ".epochs";
  const std::string& dir = cp->dir();
  Status s = cp->Update([&](CheckpointTxn& t) -> Status {
    SSTREAM_RETURN_IF_ERROR(ReadCut(t, &sc->cut_));
    std::string_view known;
    bool found;
    SSTREAM_RETURN_IF_ERROR(t.Get(kStagesDb, name, &known, &found));
    if (found && known != fingerprint) {
      return Status::InvalidArgument(fmt::format(
          "checkpoint {}: stage '{}' ran a different query there\n  then: {}\n  now:  {}\n"
          "state kept for one query cannot serve another: use a new checkpoint directory, or "
          "reset this one (sstream-checkpoint reset {})",
          dir, name, known, fingerprint, dir));
    }
    if (!found) {
      if (sc->cut_ >= 0) {
        return Status::InvalidArgument(fmt::format(
            "checkpoint {}: stage '{}' is new, but the pipeline there has committed epoch {} "
            "without it: a changed pipeline needs a new checkpoint directory (or reset this one)",
            dir, name, sc->cut_));
      }
      SSTREAM_RETURN_IF_ERROR(t.Put(kStagesDb, name, fingerprint));
    }
    std::string_view v;
    SSTREAM_RETURN_IF_ERROR(t.Get(kCommitsDb, name, &v, &found));
    if (found && !ParseEpoch(v, &sc->committed_)) {
      return Status::Corruption(fmt::format("checkpoint {}: the commit record of '{}' is damaged",
                                            dir, name));
    }
    SSTREAM_RETURN_IF_ERROR(RollBack(t, name, sc->cut_));
    SSTREAM_RETURN_IF_ERROR(t.Get(sc->state_db_, kEpochStateKey, &v, &found));
    if (found && !ParseEpoch(v, &sc->state_epoch_)) {
      return Status::Corruption(fmt::format("checkpoint {}: the state epoch of '{}' is damaged",
                                            dir, name));
    }
    return Status::OK();
  });
  SSTREAM_RETURN_IF_ERROR(s);
  sc->cp_ = std::move(cp);
  *out = std::move(sc);
  return Status::OK();
}

Status StageCheckpoint::Load(
    const std::function<Status(std::string_view key, std::string_view value)>& fn) {
  return cp_->View([&](CheckpointTxn& t) -> Status {
    std::vector<std::string> retired;  // sorted, as scanned
    SSTREAM_RETURN_IF_ERROR(t.Scan(state_db_, kRetiredPrefix, false, [&](std::string_view k, std::string_view) {
      if (k.substr(0, kRetiredPrefix.size()) != kRetiredPrefix) return Step::kStop;
      retired.emplace_back(k.substr(kRetiredPrefix.size()));
      return Step::kNext;
    }));
    std::sort(retired.begin(), retired.end());
    auto is_retired = [&](std::string_view k) {
      // The greatest retired prefix <= k is the only one that can hold it.
      auto it = std::upper_bound(retired.begin(), retired.end(), k,
                                 [](std::string_view a, const std::string& b) { return a < b; });
      return it != retired.begin() && k.substr(0, std::prev(it)->size()) == *std::prev(it);
    };
    Status s;
    SSTREAM_RETURN_IF_ERROR(t.Scan(state_db_, "", false, [&](std::string_view k, std::string_view v) {
      if ((!k.empty() && k[0] == '@') || (!retired.empty() && is_retired(k))) return Step::kNext;
      s = fn(k, v);
      return s.ok() ? Step::kNext : Step::kStop;
    }));
    return s;
  });
}

Status StageCheckpoint::ScanState(
    std::string_view prefix,
    const std::function<Status(std::string_view key, std::string_view value)>& fn) {
  return cp_->View([&](CheckpointTxn& t) -> Status {
    Status s;
    SSTREAM_RETURN_IF_ERROR(t.Scan(state_db_, prefix, false, [&](std::string_view k, std::string_view v) {
      if (k.substr(0, prefix.size()) != prefix) return Step::kStop;
      s = fn(k, v);
      return s.ok() ? Step::kNext : Step::kStop;
    }));
    return s;
  });
}

Status StageCheckpoint::Apply(CheckpointTxn& t, int64_t epoch, const StateChanges& changes) {
  const std::string prefix = UndoPrefix(epoch);
  std::string undo_key, old;
  // Keeps the value `key` had before this epoch, once per key and epoch.
  auto keep_old = [&](std::string_view key) -> Status {
    undo_key.assign(prefix).append(key);
    std::string_view v;
    bool found;
    SSTREAM_RETURN_IF_ERROR(t.Get(state_db_, key, &v, &found));
    if (found) {
      old.assign("=").append(v);
    } else {
      old.assign("-");
    }
    bool added;
    return t.PutIfAbsent(undo_db_, undo_key, old, &added);
  };
  Status st;
  changes.ForEachInKeyOrder([&](StateChanges::Op op, std::string_view key, std::string_view value) {
    if (!st.ok()) return;
    switch (op) {
      case StateChanges::Op::kPut:
        st = keep_old(key);
        if (st.ok()) st = t.Put(state_db_, key, value);
        break;
      case StateChanges::Op::kErase:
        st = keep_old(key);
        if (st.ok()) st = t.Erase(state_db_, key);
        break;
      case StateChanges::Op::kRetirePrefix: {
        std::string marker(kRetiredPrefix);
        marker.append(key);
        st = keep_old(marker);
        if (st.ok()) st = t.Put(state_db_, marker, std::to_string(epoch));
        break;
      }
      case StateChanges::Op::kErasePrefix: {
        std::vector<std::string> keys;
        st = t.Scan(state_db_, key, false, [&](std::string_view k, std::string_view) {
          if (k.substr(0, key.size()) != key) return Step::kStop;
          keys.emplace_back(k);
          return Step::kNext;
        });
        for (size_t i = 0; st.ok() && i < keys.size(); ++i) {
          st = keep_old(keys[i]);
          if (st.ok()) st = t.Erase(state_db_, keys[i]);
        }
        break;
      }
    }
  });
  SSTREAM_RETURN_IF_ERROR(st);
  SSTREAM_RETURN_IF_ERROR(keep_old(kEpochStateKey));
  SSTREAM_RETURN_IF_ERROR(t.Put(state_db_, kEpochStateKey, std::to_string(epoch)));
  int64_t cut;
  SSTREAM_RETURN_IF_ERROR(ReadCut(t, &cut));
  return CollectGarbage(t, state_db_, undo_db_, epochs_db_, cut);
}

Status StageCheckpoint::Save(int64_t epoch, const StateChanges& changes) {
  Status s = cp_->Update([&](CheckpointTxn& t) { return Apply(t, epoch, changes); });
  if (s.ok()) state_epoch_ = epoch;
  return s;
}

Status StageCheckpoint::RecordEpoch(int64_t epoch, std::string_view covers) {
  return cp_->Update([&](CheckpointTxn& t) -> Status {
    SSTREAM_RETURN_IF_ERROR(t.Put(epochs_db_, EpochKey(epoch), covers));
    int64_t cut;
    SSTREAM_RETURN_IF_ERROR(ReadCut(t, &cut));
    return CollectGarbage(t, state_db_, undo_db_, epochs_db_, cut);
  });
}

Status StageCheckpoint::RecordEpoch(int64_t epoch, std::string_view covers,
                                    const StateChanges& changes) {
  Status s = cp_->Update([&](CheckpointTxn& t) -> Status {
    SSTREAM_RETURN_IF_ERROR(t.Put(epochs_db_, EpochKey(epoch), covers));
    return Apply(t, epoch, changes);
  });
  if (s.ok()) state_epoch_ = epoch;
  return s;
}

Status StageCheckpoint::RecordedEpochs(int64_t after,
                                       std::vector<std::pair<int64_t, std::string>>* out) {
  out->clear();
  return cp_->View([&](CheckpointTxn& t) -> Status {
    Status bad;
    SSTREAM_RETURN_IF_ERROR(t.Scan(epochs_db_, EpochKey(after + 1), false,
                                   [&](std::string_view k, std::string_view v) {
                                     int64_t e;
                                     if (!ParseEpoch(k, &e)) {
                                       bad = Status::Corruption(fmt::format(
                                           "checkpoint {}: a bad epoch key in '{}'",
                                           cp_->dir(), epochs_db_));
                                       return Step::kStop;
                                     }
                                     out->emplace_back(e, std::string(v));
                                     return Step::kNext;
                                   }));
    return bad;
  });
}

Status StageCheckpoint::EpochRecord(int64_t epoch, std::string* covers, bool* found) {
  return cp_->Get(epochs_db_, EpochKey(epoch), covers, found);
}

Status StageCheckpoint::Commit(int64_t epoch) {
  SSTREAM_RETURN_IF_ERROR(cp_->Put(kCommitsDb, name_, std::to_string(epoch)));
  committed_ = epoch;
  return Status::OK();
}

}  // namespace sstream
