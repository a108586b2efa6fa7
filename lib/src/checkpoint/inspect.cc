// sstream-checkpoint's actions over a pipeline's checkpoint: show, reset and
// rewind. Everything here reads and writes through CheckpointTxn and the
// layout StageCheckpoint documents; each record is checked as it is read, so
// a damaged checkpoint is reported, never acted on.
#include "sstream/checkpoint_admin.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <vector>

#include <fmt/format.h>

#include "ops/text_util.h"
#include "sstream/checkpoint.h"
#include "sstream/record.h"

namespace sstream {

namespace {

using Step = CheckpointTxn::Step;

constexpr std::string_view kMetaDb = "meta";
constexpr std::string_view kSuffixes[] = {".epochs", ".state", ".undo"};

bool ParseInt(std::string_view text, int64_t* out) {
  auto r = std::from_chars(text.data(), text.data() + text.size(), *out);
  return !text.empty() && r.ec == std::errc() && r.ptr == text.data() + text.size();
}


// A key of NAME.epochs: exactly the 20 digits EpochKey writes.
bool ParseEpochKey(std::string_view key, int64_t* out) {
  if (key.size() != 20) return false;
  for (char c : key) {
    if (c < '0' || c > '9') return false;
  }
  return StageCheckpoint::ParseEpoch(key, out);
}

using text::Printable;

// "1 record", "2 records".
std::string Count(int64_t n, std::string_view noun, std::string_view plural = "") {
  if (n == 1) return fmt::format("1 {}", noun);
  return plural.empty() ? fmt::format("{} {}s", n, noun) : fmt::format("{} {}", n, plural);
}

std::string EpochText(const std::optional<int64_t>& e) {
  return e ? fmt::format("epoch {}", *e) : std::string("none");
}

// What one stage keeps in the checkpoint.
struct StageInfo {
  std::string name;
  std::string role;                        // source (epoch records), sink (a commit) or state
  std::optional<std::string> fingerprint;  // absent: not in `stages`
  std::optional<int64_t> committed;
  std::optional<int64_t> state_epoch;  // "@epoch"
  int64_t state_entries = 0, state_bytes = 0;
  int64_t undo_records = 0;
  std::optional<int64_t> undo_oldest;  // the oldest epoch with undo records
  int64_t epochs_count = 0;
  std::optional<int64_t> epochs_first, epochs_last;
  std::optional<int64_t> resume_epoch;  // the last record at or before the cut
  std::string resume_record;
  // How far back the stage can go: its state to state_floor (with its undo
  // records), its input to epochs_floor (a recorded epoch) or to the start.
  int64_t state_floor = -1, epochs_floor = -1;

  int64_t floor() const { return std::max(state_floor, epochs_floor); }
  bool start_ok() const { return state_floor == -1; }
  bool CanRewindTo(int64_t epoch) const {
    return epoch >= state_floor && (epoch >= epochs_floor || epoch == -1);
  }
};

// The whole checkpoint as one transaction saw it.
struct Summary {
  std::string format;
  std::optional<int64_t> cut;  // the lowest commit; absent: nothing committed
  std::vector<StageInfo> stages;
  std::vector<std::string> databases;  // every named database, `meta` included
  int64_t floor = -1;                  // over all stages
  bool start_ok = true;
};

// Walks database `db` from its first key when it exists: in a write
// transaction, CheckpointTxn::Scan would create it.
Status ScanAll(CheckpointTxn& t, const std::vector<std::string>& databases, std::string_view db,
               const std::function<Step(std::string_view, std::string_view)>& fn) {
  if (std::find(databases.begin(), databases.end(), db) == databases.end()) return Status::OK();
  return t.Scan(db, "", false, fn);
}

// Every stage the checkpoint knows of: in `stages`, in `commits`, or only by
// its databases (a damaged `stages`). Reads names only, so that a reset
// works whatever the records hold.
Status StageNames(CheckpointTxn& t, const std::vector<std::string>& databases,
                  std::vector<std::string>* names) {
  std::set<std::string> all;
  auto add = [&](std::string_view name, std::string_view) {
    all.emplace(name);
    return Step::kNext;
  };
  SSTREAM_RETURN_IF_ERROR(ScanAll(t, databases, StageCheckpoint::kStagesDb, add));
  SSTREAM_RETURN_IF_ERROR(ScanAll(t, databases, StageCheckpoint::kCommitsDb, add));
  for (const std::string& db : databases) {
    for (std::string_view suffix : kSuffixes) {
      if (db.size() > suffix.size() && db.ends_with(suffix)) {
        all.emplace(db.substr(0, db.size() - suffix.size()));
      }
    }
  }
  names->assign(all.begin(), all.end());
  return Status::OK();
}

// Reads the checkpoint in `t`, checking every record it relies on.
Status Inspect(const std::string& dir, CheckpointTxn& t, Summary* sum) {
  auto damaged = [&](std::string what) {
    return Status::Corruption(fmt::format("checkpoint {}: {} is damaged", dir, what));
  };
  std::string_view v;
  bool found;
  SSTREAM_RETURN_IF_ERROR(t.Get(kMetaDb, "format", &v, &found));
  sum->format = found ? std::string(v) : "";
  SSTREAM_RETURN_IF_ERROR(t.ListDatabases(&sum->databases));
  std::vector<std::string> names;
  SSTREAM_RETURN_IF_ERROR(StageNames(t, sum->databases, &names));
  std::map<std::string, StageInfo> stages;
  for (const std::string& name : names) stages[name].name = name;

  SSTREAM_RETURN_IF_ERROR(ScanAll(t, sum->databases, StageCheckpoint::kStagesDb,
                                  [&](std::string_view name, std::string_view fp) {
                                    stages[std::string(name)].fingerprint = std::string(fp);
                                    return Step::kNext;
                                  }));
  Status bad;
  SSTREAM_RETURN_IF_ERROR(
      ScanAll(t, sum->databases, StageCheckpoint::kCommitsDb,
              [&](std::string_view name, std::string_view value) {
                int64_t e;
                if (!StageCheckpoint::ParseEpoch(value, &e)) {
                  bad = damaged(fmt::format("the commit record of '{}'", Printable(name)));
                  return Step::kStop;
                }
                stages[std::string(name)].committed = e;
                sum->cut = sum->cut ? std::min(*sum->cut, e) : e;
                return Step::kNext;
              }));
  SSTREAM_RETURN_IF_ERROR(bad);

  const int64_t cut = sum->cut.value_or(-1);
  for (auto& [name, s] : stages) {
    const std::string state_db = name + ".state", undo_db = name + ".undo",
                      epochs_db = name + ".epochs";
    SSTREAM_RETURN_IF_ERROR(
        ScanAll(t, sum->databases, state_db, [&](std::string_view k, std::string_view x) {
          if (k == StageCheckpoint::kEpochStateKey) {
            int64_t e;
            if (!StageCheckpoint::ParseEpoch(x, &e)) {
              bad = damaged(fmt::format("the state epoch of '{}'", Printable(name)));
              return Step::kStop;
            }
            s.state_epoch = e;
          } else {
            ++s.state_entries;
            s.state_bytes += static_cast<int64_t>(k.size() + x.size());
          }
          return Step::kNext;
        }));
    SSTREAM_RETURN_IF_ERROR(bad);
    SSTREAM_RETURN_IF_ERROR(
        ScanAll(t, sum->databases, undo_db, [&](std::string_view k, std::string_view x) {
          const int64_t e = StageCheckpoint::UndoEpoch(k);
          if (e < 0 || x.empty() || (x[0] != '=' && x != "-")) {
            bad = damaged(fmt::format("an undo record of '{}'", Printable(name)));
            return Step::kStop;
          }
          if (!s.undo_oldest) s.undo_oldest = e;
          ++s.undo_records;
          return Step::kNext;
        }));
    SSTREAM_RETURN_IF_ERROR(bad);
    SSTREAM_RETURN_IF_ERROR(
        ScanAll(t, sum->databases, epochs_db, [&](std::string_view k, std::string_view x) {
          int64_t e;
          if (!ParseEpochKey(k, &e)) {
            bad = damaged(fmt::format("an epoch record of '{}'", Printable(name)));
            return Step::kStop;
          }
          if (!s.epochs_first) s.epochs_first = e;
          s.epochs_last = e;
          ++s.epochs_count;
          if (e <= cut) {
            s.resume_epoch = e;
            s.resume_record = x;
          }
          return Step::kNext;
        }));
    SSTREAM_RETURN_IF_ERROR(bad);

    s.role = s.epochs_count > 0 ? "source" : s.committed ? "sink" : "state";
    // State goes back as far as its undo records reach: to the epoch before
    // the oldest of them (saves are made every epoch), or, with none, not
    // before the epoch it is at.
    if (s.undo_oldest) {
      s.state_floor = *s.undo_oldest - 1;
    } else if (s.state_epoch) {
      s.state_floor = *s.state_epoch;
    }
    // A source resumes from the record of the epoch it returns to, or from
    // the start of its input.
    if (s.epochs_first.value_or(0) > 0) s.epochs_floor = *s.epochs_first;
    sum->floor = std::max(sum->floor, s.floor());
    sum->start_ok = sum->start_ok && s.start_ok();
  }
  for (auto& [name, s] : stages) sum->stages.push_back(std::move(s));
  // Pipeline order as far as it shows: sources, stateful stages, sinks.
  auto rank = [](const StageInfo& s) { return s.role == "source" ? 0 : s.role == "state" ? 1 : 2; };
  std::stable_sort(sum->stages.begin(), sum->stages.end(),
                   [&](const StageInfo& a, const StageInfo& b) { return rank(a) < rank(b); });
  return Status::OK();
}

// Where the pipeline can be rewound to, in words.
std::string RewindRange(const Summary& sum) {
  if (!sum.cut) return "-1 (the start; nothing is committed yet)";
  const int64_t cut = *sum.cut;
  if (sum.floor <= cut) {
    std::string range = sum.floor == cut ? fmt::format("epoch {}", cut)
                                         : fmt::format("epochs {}..{}", sum.floor, cut);
    if (sum.start_ok && sum.floor > -1) range += ", or -1 (the start)";
    return range;
  }
  return sum.start_ok ? "-1 (the start) only" : "none (the undo records do not reach the cut)";
}

// Opens an existing checkpoint: a missing directory is not created.
Status OpenExisting(const std::string& dir, std::unique_ptr<Checkpoint>* cp) {
  if (dir.empty()) return Status::Usage("DIR must not be empty");
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0) {
    if (errno == ENOENT) return Status::NotFound(fmt::format("no checkpoint at {}", dir));
    return Status::IOError(fmt::format("checkpoint {}: {}", dir, std::strerror(errno)));
  }
  if (!S_ISDIR(st.st_mode)) {
    return Status::NotFound(fmt::format("no checkpoint at {} (not a directory)", dir));
  }
  const std::string data = dir + "/data.mdb";
  if (::stat(data.c_str(), &st) != 0) {
    return Status::NotFound(fmt::format("no checkpoint at {} (no data.mdb in it)", dir));
  }
  return Checkpoint::Open(dir, cp);
}

// Locks every stage the checkpoint knows, so no part of the pipeline runs
// while it changes. A name no stage could lock under (LockStage refuses it)
// is held by nobody.
Status LockAll(Checkpoint& cp, const std::vector<std::string>& names, std::string_view action) {
  for (const std::string& name : names) {
    if (name.empty() || name.find('/') != std::string::npos) continue;
    Status st = cp.LockStage(name);
    if (st.code() == StatusCode::kUnavailable) {
      return Status::Unavailable(
          fmt::format("{}; stop the pipeline before a {}", st.message(), action));
    }
    SSTREAM_RETURN_IF_ERROR(st);
  }
  return Status::OK();
}

void AppendJsonInt(std::string* out, const std::optional<int64_t>& v) {
  *out += v ? std::to_string(*v) : "null";
}

std::string ShowJson(const std::string& dir, const Summary& sum) {
  std::string out = "{\"dir\":";
  AppendJsonStringLossy(&out, dir);
  out += ",\"format\":";
  AppendJsonStringLossy(&out, sum.format);
  out += ",\"cut\":";
  AppendJsonInt(&out, sum.cut);
  out += fmt::format(",\"rewind_floor\":{},\"rewind_to_start\":{},\"stages\":[", sum.floor,
                     sum.start_ok);
  for (size_t i = 0; i < sum.stages.size(); ++i) {
    const StageInfo& s = sum.stages[i];
    out += i ? ",{\"name\":" : "{\"name\":";
    AppendJsonStringLossy(&out, s.name);
    out += ",\"role\":";
    AppendJsonStringLossy(&out, s.role);
    out += ",\"fingerprint\":";
    if (s.fingerprint) {
      AppendJsonStringLossy(&out, *s.fingerprint);
    } else {
      out += "null";
    }
    out += ",\"committed\":";
    AppendJsonInt(&out, s.committed);
    out += ",\"state_epoch\":";
    AppendJsonInt(&out, s.state_epoch);
    out += fmt::format(",\"state_entries\":{},\"state_bytes\":{},\"undo_records\":{}",
                       s.state_entries, s.state_bytes, s.undo_records);
    out += ",\"undo_oldest_epoch\":";
    AppendJsonInt(&out, s.undo_oldest);
    out += ",\"epochs\":";
    if (s.epochs_count > 0) {
      out += fmt::format("{{\"first\":{},\"last\":{},\"count\":{}}}", *s.epochs_first,
                         *s.epochs_last, s.epochs_count);
    } else {
      out += "null";
    }
    out += ",\"resume\":";
    if (s.resume_epoch) {
      out += fmt::format("{{\"epoch\":{},\"record\":", *s.resume_epoch);
      AppendJsonStringLossy(&out, s.resume_record);
      out += "}";
    } else {
      out += "null";
    }
    out += fmt::format(",\"rewind_floor\":{},\"rewind_to_start\":{}}}", s.floor(), s.start_ok());
  }
  out += "]}\n";
  return out;
}

std::string ShowText(const std::string& dir, const Summary& sum) {
  std::string out = fmt::format("checkpoint {}\n", Printable(dir));
  out += fmt::format("  format:       {}\n", Printable(sum.format));
  if (sum.cut) {
    out += fmt::format(
        "  cut:          epoch {} (the lowest commit; the next run resumes after it)\n", *sum.cut);
  } else {
    out += "  cut:          none (nothing committed: the next run starts from the beginning)\n";
  }
  out += fmt::format("  rewind to:    {}\n", RewindRange(sum));
  if (sum.stages.empty()) out += "  stages:       none\n";
  for (const StageInfo& s : sum.stages) {
    out += fmt::format("\nstage {} ({})\n", Printable(s.name), s.role);
    out += fmt::format("  fingerprint:  {}\n",
                       s.fingerprint ? Printable(*s.fingerprint) : "none (not in 'stages')");
    if (s.committed) out += fmt::format("  committed:    epoch {}\n", *s.committed);
    if (s.state_epoch || s.state_entries > 0) {
      out += fmt::format("  state:        {}, {}, {}\n", EpochText(s.state_epoch),
                         Count(s.state_entries, "entry", "entries"), Count(s.state_bytes, "byte"));
    }
    if (s.undo_records > 0) {
      out += fmt::format("  undo:         {}, back to epoch {}\n", Count(s.undo_records, "record"),
                         *s.undo_oldest - 1);
    }
    if (s.epochs_count > 0) {
      out += fmt::format("  epochs kept:  {}..{} ({})\n", *s.epochs_first, *s.epochs_last,
                         Count(s.epochs_count, "record"));
      if (s.resume_epoch) {
        out += fmt::format("  resumes at:   epoch {}: {}\n", *s.resume_epoch,
                           Printable(s.resume_record));
      } else {
        out += "  resumes at:   the start of its input\n";
      }
    }
  }
  return out;
}

}  // namespace

Status ShowCheckpoint(const std::string& dir, bool json, ByteSink* out) {
  std::unique_ptr<Checkpoint> cp;
  SSTREAM_RETURN_IF_ERROR(OpenExisting(dir, &cp));
  Summary sum;
  SSTREAM_RETURN_IF_ERROR(cp->View([&](CheckpointTxn& t) { return Inspect(dir, t, &sum); }));
  return out->Write(json ? ShowJson(dir, sum) : ShowText(dir, sum));
}

Status ResetCheckpoint(const std::string& dir, ByteSink* out) {
  std::unique_ptr<Checkpoint> cp;
  SSTREAM_RETURN_IF_ERROR(OpenExisting(dir, &cp));
  std::string report;
  std::vector<std::string> names;
  int64_t records = 0, dropped = 0;
  Status updated = cp->Update([&](CheckpointTxn& t) -> Status {
    std::vector<std::string> databases;
    SSTREAM_RETURN_IF_ERROR(t.ListDatabases(&databases));
    SSTREAM_RETURN_IF_ERROR(StageNames(t, databases, &names));
    SSTREAM_RETURN_IF_ERROR(LockAll(*cp, names, "reset"));
    for (const std::string& db : databases) {
      if (db == kMetaDb) continue;
      int64_t n = 0;
      SSTREAM_RETURN_IF_ERROR(t.Scan(db, "", false, [&](std::string_view, std::string_view) {
        ++n;
        return Step::kNext;
      }));
      SSTREAM_RETURN_IF_ERROR(t.Drop(db));
      report += fmt::format("dropped {} ({})\n", Printable(db), Count(n, "record"));
      records += n;
      ++dropped;
    }
    return Status::OK();
  });
  SSTREAM_RETURN_IF_ERROR(updated);
  if (dropped == 0) {
    report += fmt::format("checkpoint {}: nothing to reset\n", Printable(dir));
  } else {
    for (std::string& name : names) name = Printable(name);
    report += fmt::format(
        "reset checkpoint {}: {} ({}), {}, {} removed; the next run starts from the "
        "beginning\n",
        Printable(dir), Count(static_cast<int64_t>(names.size()), "stage"), fmt::join(names, ", "),
        Count(dropped, "database"), Count(records, "record"));
  }
  return out->Write(report);
}

Status RewindCheckpoint(const std::string& dir, int64_t epoch, ByteSink* out) {
  if (epoch < -1) {
    return Status::InvalidArgument(
        fmt::format("cannot rewind to epoch {}: epochs start at 0 (-1: the start)", epoch));
  }
  std::unique_ptr<Checkpoint> cp;
  SSTREAM_RETURN_IF_ERROR(OpenExisting(dir, &cp));
  std::string report;
  Status updated = cp->Update([&](CheckpointTxn& t) -> Status {
    Summary sum;
    SSTREAM_RETURN_IF_ERROR(Inspect(dir, t, &sum));
    const std::string refused = fmt::format("checkpoint {}: cannot rewind to epoch {}", dir, epoch);
    if (!sum.cut && epoch >= 0) {
      return Status::InvalidArgument(
          fmt::format("{}: nothing has been committed there yet", refused));
    }
    if (sum.cut && epoch > *sum.cut) {
      return Status::InvalidArgument(
          fmt::format("{}: it is after the cut, epoch {} (the lowest epoch the sinks committed)",
                      refused, *sum.cut));
    }
    // Of the stages that cannot go back that far, the one that limits most.
    const StageInfo* limit = nullptr;
    for (const StageInfo& s : sum.stages) {
      if (!s.CanRewindTo(epoch) && (limit == nullptr || s.floor() > limit->floor())) limit = &s;
    }
    if (limit != nullptr) {
      const StageInfo& s = *limit;
      std::string why =
          epoch < s.state_floor
              ? fmt::format("stage '{}' can undo its state back to epoch {} only",
                            Printable(s.name), s.state_floor)
              : fmt::format("stage '{}' keeps the records of epochs {}..{} only", Printable(s.name),
                            s.epochs_floor, s.epochs_last.value_or(-1));
      return Status::InvalidArgument(fmt::format(
          "{}: {} (records are dropped once the cut is {} epochs past them); it can be rewound "
          "to {}{}",
          refused, why, StageCheckpoint::kRetainedEpochs, RewindRange(sum),
          epoch == -1 ? ", or reset to start from the beginning" : ""));
    }
    std::vector<std::string> names;
    for (const StageInfo& s : sum.stages) names.push_back(s.name);
    SSTREAM_RETURN_IF_ERROR(LockAll(*cp, names, "rewind"));
    report += fmt::format("rewound checkpoint {} to epoch {} (the cut was {})\n", Printable(dir),
                          epoch, EpochText(sum.cut));
    for (const StageInfo& s : sum.stages) {
      std::vector<std::string> did;
      if (s.committed) {
        if (epoch >= 0) {
          SSTREAM_RETURN_IF_ERROR(
              t.Put(StageCheckpoint::kCommitsDb, s.name, std::to_string(epoch)));
        } else {
          SSTREAM_RETURN_IF_ERROR(t.Erase(StageCheckpoint::kCommitsDb, s.name));
        }
        did.push_back(fmt::format("commit {} -> {}", *s.committed,
                                  epoch >= 0 ? std::to_string(epoch) : "none"));
      }
      if (s.undo_records > 0) {
        SSTREAM_RETURN_IF_ERROR(StageCheckpoint::RollBack(t, s.name, epoch));
        std::string_view v;
        bool found;
        SSTREAM_RETURN_IF_ERROR(
            t.Get(s.name + ".state", StageCheckpoint::kEpochStateKey, &v, &found));
        did.push_back(fmt::format("state {} -> {}", EpochText(s.state_epoch),
                                  found ? fmt::format("epoch {}", v) : "none"));
      }
      if (s.epochs_count > 0) {
        const std::string epochs_db = s.name + ".epochs";
        int64_t dropped = 0;
        SSTREAM_RETURN_IF_ERROR(t.Scan(epochs_db, StageCheckpoint::EpochKey(epoch + 1), false,
                                       [&](std::string_view, std::string_view) {
                                         ++dropped;
                                         return Step::kErase;
                                       }));
        // Where the source resumes: the last record at or before `epoch`.
        std::string resume = "the start of its input";
        if (epoch >= 0) {
          SSTREAM_RETURN_IF_ERROR(t.Scan(epochs_db, StageCheckpoint::EpochKey(epoch), true,
                                         [&](std::string_view k, std::string_view v) {
                                           int64_t e;
                                           if (ParseEpochKey(k, &e)) {
                                             resume = fmt::format("epoch {}: {}", e, Printable(v));
                                           }
                                           return Step::kStop;
                                         }));
        }
        did.push_back(
            fmt::format("{} dropped, resumes at {}", Count(dropped, "epoch record"), resume));
      }
      if (did.empty()) did.push_back("nothing to change");
      report += fmt::format("  {}: {}\n", Printable(s.name), fmt::join(did, "; "));
    }
    report += epoch >= 0 ? fmt::format("the next run replays everything after epoch {}\n", epoch)
                         : "the next run replays everything from the start\n";
    return Status::OK();
  });
  SSTREAM_RETURN_IF_ERROR(updated);
  return out->Write(report);
}

Status RunCheckpointCommand(const CheckpointCommand& c, ByteSink* out) {
  if (c.action != "show" && c.action != "reset" && c.action != "rewind") {
    return Status::Usage(
        fmt::format("ACTION must be show, reset or rewind, not '{}'", Printable(c.action)));
  }
  if (c.json && c.action != "show") return Status::Usage("--json applies to show only");
  if (!c.to.empty() && c.action != "rewind") return Status::Usage("--to applies to rewind only");
  if (c.action == "show") return ShowCheckpoint(c.dir, c.json, out);
  if (c.action == "reset") return ResetCheckpoint(c.dir, out);
  if (c.to.empty()) return Status::Usage("rewind needs --to EPOCH");
  int64_t epoch;
  if (!ParseInt(c.to, &epoch) || epoch < -1) {
    return Status::Usage(
        fmt::format("--to: '{}' is not an epoch (a number, or -1 for the start)", Printable(c.to)));
  }
  return RewindCheckpoint(c.dir, epoch, out);
}

}  // namespace sstream
