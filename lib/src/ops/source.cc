#include "sstream/source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <map>
#include <set>

#include <fmt/format.h>

#include "ops/source_input.h"
#include "sstream/log.h"
#include "sstream/record.h"
#include "sstream/tick.h"
#include "sstream/ysb.h"

namespace sstream {

namespace {

using source_input::Cover;
using source_input::CoverText;
using source_input::FileId;
using source_input::FileState;
using source_input::FileStateText;
using source_input::HeadHash;
using source_input::IdOf;
using source_input::Input;
using source_input::kHeadBytes;
using source_input::ListInputs;
using source_input::ParseCover;
using source_input::ParseFileId;
using source_input::ParseFileState;
using source_input::PathError;
using source_input::Segment;

// How long a drain under a run-once or available-now trigger may read on to
// close its batch where an uninterrupted run would (less than the 2 s the
// later stages wait for their input to end).
constexpr int64_t kDrainGraceMs = 1000;
// Where a generator is: the rows made (and gen:rate's first row's time).
struct Position {
  int64_t row = 0;
  int64_t start_ms = 0;
};

class SourceRunner {
 public:
  SourceRunner(const SourceOptions& o, const CommonOptions& common, Clock* clock,
               FrameWriter* out, BadRecordHandler* bad)
      : o_(o), common_(common), clock_(clock), out_(out), bad_(bad) {}

  Status Init() {
    TriggerSpec spec;
    SSTREAM_RETURN_IF_ERROR(ParseTrigger(o_.trigger, &spec).WithContext("--trigger"));
    spec.max_records = o_.max_batch_records;
    spec.max_bytes = o_.max_batch_bytes;
    if (o_.max_batch_records < 0 || o_.max_batch_bytes < 0) {
      return Status::InvalidArgument("batch caps must not be negative");
    }
    trigger_ = spec;
    if (spec.kind == TriggerSpec::Kind::kOnce && (spec.max_records > 0 || spec.max_bytes > 0)) {
      // Kept working (a script may switch triggers), but not silently.
      Log(LogLevel::kWarning,
          "--max-batch-records and --max-batch-bytes do nothing with --trigger once: all input "
          "is one batch, as under Spark's Trigger.Once");
    }
    if (o_.format != "json" && o_.format != "text") {
      return Status::InvalidArgument(
          fmt::format("unknown input format '{}' (expected json or text)", o_.format));
    }
    // Generator options are checked before anything is written.
    for (const auto& in : o_.inputs) {
      if (in.rfind("gen:", 0) != 0) continue;
      if (in != "gen:rate" && in != "gen:ysb" && in != "gen:ysb-campaigns") {
        return Status::InvalidArgument(fmt::format(
            "unknown generator '{}' (expected gen:rate, gen:ysb or gen:ysb-campaigns)", in));
      }
      if (o_.inputs.size() > 1) return Status::InvalidArgument("a generator must be the only input");
    }
    generator_ = !o_.inputs.empty() && o_.inputs[0].rfind("gen:", 0) == 0;
    if (o_.start == "now") {
      start_ms_ = clock_->NowMillis();
    } else {
      SSTREAM_RETURN_IF_ERROR(ParseIsoTimestamp(o_.start, &start_ms_).WithContext("--start"));
    }
    SSTREAM_RETURN_IF_ERROR(ParseDuration(o_.disorder, &disorder_ms_).WithContext("--disorder"));
    if (o_.events_per_second <= 0) {
      return Status::InvalidArgument("--events-per-second must be positive");
    }
    if (o_.rows_per_second < 0) return Status::InvalidArgument("--rows-per-second must not be negative");
    SSTREAM_RETURN_IF_ERROR(CheckOptionsApply());
    if (!common_.checkpoint.empty()) {
      for (const auto& in : o_.inputs) {
        if (in == "-") {
          return Status::InvalidArgument(
              "--checkpoint needs input that can be read again (files or a generator): stdin "
              "cannot be replayed");
        }
      }
      if (o_.inputs.empty()) {
        return Status::InvalidArgument(
            "--checkpoint needs input that can be read again: name files or a generator "
            "(stdin cannot be replayed)");
      }
    }
    return Status::OK();
  }

  // What identifies this source's query in the checkpoint. Files: the
  // format only, not the list of files, which may grow (a glob, a
  // directory) or be rotated between runs; generators: the generator and
  // the options that shape its rows (--count may change: a later run may
  // generate further). The trigger and batch caps may change too.
  std::string Fingerprint() const {
    if (!generator_) return "sstream-source files --format " + o_.format;
    std::string fp = "sstream-source " + o_.inputs[0];
    fp += fmt::format(" --seed {}", o_.seed);
    if (o_.inputs[0] == "gen:ysb") {
      fp += fmt::format(" --events-per-second {} --start {} --disorder {}", o_.events_per_second,
                        o_.start, o_.disorder);
    }
    return fp;
  }

  // Opens the checkpoint: where each file (or the generator) stands as of
  // the pipeline's cut, and the epochs after it to replay as they were.
  Status OpenCheckpoint() {
    int64_t first_epoch = 0;
    if (!common_.checkpoint.empty()) {
      SSTREAM_RETURN_IF_ERROR(OpenStageCheckpoint(common_, Fingerprint(), &cp_));
      const int64_t cut = cp_->cut();
      if (!generator_) {
        SSTREAM_RETURN_IF_ERROR(cp_->Load([&](std::string_view key, std::string_view value) {
          FileId id;
          FileState f;
          if (key.substr(0, 5) != "file/" || !ParseFileId(key.substr(5), &id) ||
              !ParseFileState(value, &f)) {
            return Status::Corruption(fmt::format("checkpoint {}: the source's file record '{}' is damaged",
                                                  common_.checkpoint, key));
          }
          next_seq_ = std::max(next_seq_, f.seq + 1);
          files_[id] = std::move(f);
          return Status::OK();
        }));
      }
      std::vector<std::pair<int64_t, std::string>> recorded;
      SSTREAM_RETURN_IF_ERROR(cp_->RecordedEpochs(-1, &recorded));
      int64_t last = cut;
      for (const auto& [epoch, text] : recorded) {
        Cover c;
        if (!ParseCover(text, generator_, &c)) {
          return Status::Corruption(fmt::format("checkpoint {}: the record of epoch {} is damaged",
                                                common_.checkpoint, epoch));
        }
        if (epoch <= cut) {
          pos_ = Position{c.row, c.start_ms};
          resumed_ = true;
        } else {
          replay_.emplace_back(epoch, std::move(c));
        }
        last = std::max(last, epoch);
      }
      if (!resumed_ && !replay_.empty()) {
        pos_.start_ms = replay_.front().second.start_ms;  // the timeline already begun
        resumed_ = true;
      }
      first_epoch = replay_.empty() ? last + 1 : replay_.front().first;
      if (cut >= 0 || !replay_.empty()) {
        Log(LogLevel::kInfo,
            fmt::format("resuming after epoch {}{}{}", cut,
                        generator_ ? fmt::format(" at row {}", pos_.row)
                                   : fmt::format(" ({} file(s) known)", files_.size()),
                        replay_.empty() ? ""
                                        : fmt::format(", replaying epochs {}..{}",
                                                      replay_.front().first, replay_.back().first)));
      }
    }
    ticker_ = std::make_unique<Ticker>(trigger_, clock_, first_epoch);
    return Status::OK();
  }

  Status Run() {
    SSTREAM_RETURN_IF_ERROR(OpenCheckpoint());
    Status s;
    if (generator_ && o_.inputs[0] == "gen:ysb") {
      s = RunYsb();
    } else if (generator_ && o_.inputs[0] == "gen:ysb-campaigns") {
      s = RunCampaigns();
    } else if (generator_) {
      s = RunRate();
    } else {
      s = RunFiles();
    }
    SSTREAM_RETURN_IF_ERROR(s);
    if (!stopped_ && replay_next_ < replay_.size()) {
      const Cover& c = replay_[replay_next_].second;
      return Status::InvalidArgument(fmt::format(
          "the input ended before epoch {} could be replayed as recorded (row {}): it changed "
          "since (rewind or reset the checkpoint {})",
          replay_[replay_next_].first, c.row, common_.checkpoint));
    }
    const bool drain =
        cp_ != nullptr && (stopped_ || draining_ || trigger_.kind != TriggerSpec::Kind::kInterval);
    if (abandoned_) {
      // A drain that could not close its batch where an uninterrupted run
      // would: nothing of it is recorded; later stages leave the open epoch
      // uncommitted and the next run reads its records again.
      SSTREAM_RETURN_IF_ERROR(out_->Flush());
      Log(LogLevel::kInfo,
          fmt::format("stopped inside epoch {} ({} record(s) read) after {} ms: it is not "
                      "recorded, and the next run reads it again",
                      ticker_->epoch(), ticker_->records(), kDrainGraceMs));
      return Status::OK();
    }
    // Ending: the open batch, then END. Under a checkpoint a stop, and the
    // end of a run-once or available-now trigger, is a drain instead: no
    // END, so later stages keep their state (open windows) for the next run.
    const bool run_once = cp_ != nullptr && trigger_.kind == TriggerSpec::Kind::kOnce;
    if (!ticker_->empty() || (cp_ != nullptr && !dirty_.empty() && !stopped_)) {
      // A run that only changed what it knows of its files (one truncated
      // to nothing, an empty new one) records that in an epoch of its own:
      // kept only in memory, it would be lost, and a file truncated and
      // refilled before the next run read on from its old offset.
      SSTREAM_RETURN_IF_ERROR(CloseBatch(-1, run_once));
    }
    // A run-once trigger with no new data runs no batch at all, as Spark's
    // Trigger.Once does: the work a previous run's watermark left (windows
    // it closes) waits for the next run that brings data.
    if (drain) {
      SSTREAM_RETURN_IF_ERROR(out_->Flush());
      Log(LogLevel::kInfo, fmt::format("stopped after epoch {}; the next run resumes there",
                                       ticker_->epoch() - 1));
      return Status::OK();
    }
    SSTREAM_RETURN_IF_ERROR(out_->WriteEnd());
    bad_->Summarize();
    Log(LogLevel::kInfo, fmt::format("{} records in {} batches", total_, ticker_->epoch()));
    return Status::OK();
  }

 private:
  // Options that only some inputs use are refused with the others, rather
  // than silently doing nothing (a value equal to the default is accepted).
  Status CheckOptionsApply() const {
    const SourceOptions d;
    const std::string kind = generator_ ? o_.inputs[0] : "files and stdin";
    auto refuse = [&](std::string_view option, std::string_view which) {
      return Status::InvalidArgument(
          fmt::format("{} applies to {} only, not to {}", option, which, kind));
    };
    const bool ysb = generator_ && o_.inputs[0] == "gen:ysb";
    if (!generator_) {
      if (o_.count != d.count) return refuse("--count", "generators");
      if (o_.rows_per_second != d.rows_per_second) return refuse("--rows-per-second", "generators");
    } else if (o_.format != d.format) {
      return refuse("--format", "files and stdin");
    }
    if (!ysb) {
      if (o_.seed != d.seed) return refuse("--seed", "gen:ysb");
      if (o_.events_per_second != d.events_per_second) return refuse("--events-per-second", "gen:ysb");
      if (o_.start != d.start) return refuse("--start", "gen:ysb");
      if (o_.disorder != d.disorder) return refuse("--disorder", "gen:ysb");
    }
    return Status::OK();
  }

  int64_t SteadyMs() const { return clock_->SteadyNanos() / 1'000'000; }

  // Whether batches end where the input says (once, available-now, or caps
  // under an interval trigger, until its deadline) rather than on the clock.
  bool CountedBoundaries() const {
    return trigger_.kind != TriggerSpec::Kind::kInterval || trigger_.max_records > 0 ||
           trigger_.max_bytes > 0;
  }

  // A stop was requested (SIGINT/SIGTERM). Where a checkpoint makes the run
  // resumable and batch boundaries are counted, the source reads on until
  // the batch ends where an uninterrupted run would end it, for at most
  // kDrainGraceMs. Past that, a once or available-now batch is left
  // unrecorded (to be read again by the next run: its boundary must not
  // move), and an interval batch closes with what it holds, as a deadline
  // would. Without counted boundaries the batch closes at once.
  void NoteStop() {
    if (stopped_ || draining_) return;
    if (cp_ != nullptr && CountedBoundaries() && !ticker_->empty()) {
      draining_ = true;
      drain_deadline_ms_ = SteadyMs() + kDrainGraceMs;
      Log(LogLevel::kInfo, fmt::format("stopping: reading on to the end of epoch {}",
                                       ticker_->epoch()));
      return;
    }
    stopped_ = true;
  }
  void CheckStop() {
    if (draining_) {
      if (SteadyMs() >= drain_deadline_ms_) {
        stopped_ = true;
        abandoned_ = trigger_.kind != TriggerSpec::Kind::kInterval;
      }
    } else if (StopRequested()) {
      NoteStop();
    }
  }

  Status CloseBatch(int64_t replayed = -1, bool last = false) {
    const int64_t records = ticker_->records(), bytes = ticker_->bytes();
    const int64_t epoch = replayed >= 0 ? ticker_->CloseAs(replayed) : ticker_->Close();
    // What the epoch covers (and, for files, where each file now stands) is
    // durable before anything downstream can act on its end.
    if (cp_ != nullptr) {
      Cover c;
      c.records = records;
      c.last = last;
      c.row = pos_.row;
      c.start_ms = pos_.start_ms;
      c.segments = std::move(segments_);
      changes_.Clear();
      for (const FileId& id : dirty_) changes_.Put("file/" + id.Text(), FileStateText(files_[id]));
      SSTREAM_RETURN_IF_ERROR(cp_->RecordEpoch(epoch, CoverText(c, generator_), changes_));
    }
    segments_.clear();
    dirty_.clear();
    if (LogEnabled(LogLevel::kDebug)) {
      Log(LogLevel::kDebug,
          fmt::format("batch {}: {} record(s), {} byte(s) out", epoch, records, bytes));
    }
    if (draining_) stopped_ = true;  // the batch a drain read on for is closed
    return out_->WriteTick(epoch, last ? kTickLastOfRun : 0);
  }

  // Generators, replaying: the epoch being replayed ends where it ended before.
  bool Replaying() const { return replay_next_ < replay_.size(); }
  Status AtReplayBoundary() {
    while (generator_ && Replaying() && pos_.row == replay_[replay_next_].second.row) {
      SSTREAM_RETURN_IF_ERROR(
          CloseBatch(replay_[replay_next_].first, replay_[replay_next_].second.last));
      ++replay_next_;
    }
    return Status::OK();
  }

  // Called after each record: close the batch when a cap or the deadline says so.
  Status AfterRecord(int64_t bytes) {
    ticker_->Add(bytes);
    ++total_;
    if (trigger_.low_latency) SSTREAM_RETURN_IF_ERROR(out_->Flush());
    if (replaying_files_) return Status::OK();  // replayed epochs end where they ended
    if (Replaying()) return AtReplayBoundary();
    if (ticker_->CapReached() || ((total_ & 255) == 0 && ticker_->Due())) {
      SSTREAM_RETURN_IF_ERROR(CloseBatch());
    }
    if (draining_ || (total_ & 255) == 0) CheckStop();
    return Status::OK();
  }

  // Waiting (timeout or pacing): tick if due, and notice a stop request.
  Status Idle() {
    if (Replaying() || replaying_files_) {
      // Replayed epochs close where they did, not on the clock.
    } else if (ticker_->Due()) {
      SSTREAM_RETURN_IF_ERROR(CloseBatch());
    } else if (ticker_->empty() && ticker_->MillisUntilDeadline() == 0) {
      ticker_->SkipEmpty();
    }
    CheckStop();
    return Status::OK();
  }

  // Files: first the epochs recorded after the cut, stretch by stretch as
  // recorded; then every file of this run's input set from where it stands:
  // the files read before (by identity, in the order first read), then the
  // new ones in the order named.
  Status RunFiles() {
    std::vector<Input> inputs;
    if (o_.inputs.empty()) {
      inputs.push_back(Input{"-", true, {}});
    } else {
      SSTREAM_RETURN_IF_ERROR(ListInputs(o_.inputs, cp_ != nullptr, &inputs));
    }
    std::map<FileId, std::string> named;  // this run's files by identity
    for (const Input& in : inputs) {
      if (!in.is_stdin) named.emplace(in.id, in.path);
    }
    SSTREAM_RETURN_IF_ERROR(ReplayFiles(named));
    std::stable_sort(inputs.begin(), inputs.end(), [&](const Input& a, const Input& b) {
      auto seq = [&](const Input& in) {
        auto it = in.is_stdin ? files_.end() : files_.find(in.id);
        return it == files_.end() ? INT64_MAX : it->second.seq;
      };
      return seq(a) < seq(b);
    });
    for (const Input& in : inputs) {
      if (stopped_) break;
      if (in.is_stdin) {
        FdSource src(STDIN_FILENO, "stdin");
        SSTREAM_RETURN_IF_ERROR(ReadFile(&src, nullptr, 0, 0, UINT64_MAX));
        continue;
      }
      SSTREAM_RETURN_IF_ERROR(ReadNamedFile(in));
    }
    return Status::OK();
  }

  // Opens `path` for reading; *id is the identity of what was opened.
  Status OpenFile(const std::string& path, int* fd, struct stat* st) {
    *fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (*fd < 0) return PathError("opening", path);
    if (::fstat(*fd, st) != 0) {
      Status s = PathError("reading", path);
      ::close(*fd);
      return s;
    }
    return Status::OK();
  }

  Status Seek(int fd, const std::string& path, uint64_t offset) {
    if (offset > 0 && ::lseek(fd, static_cast<off_t>(offset), SEEK_SET) < 0) {
      return PathError("seeking in", path);
    }
    return Status::OK();
  }

  Status ReadNamedFile(const Input& in) {
    int fd;
    struct stat st;
    SSTREAM_RETURN_IF_ERROR(OpenFile(in.path, &fd, &st));
    FdSource src(fd, in.path, true);
    const FileId id = IdOf(st);  // renamed since the listing: what was opened counts
    if (cp_ != nullptr && !read_.insert(id).second) return Status::OK();
    auto it = files_.find(id);
    const uint64_t size = static_cast<uint64_t>(st.st_size);
    FileState f;
    bool known = cp_ != nullptr && it != files_.end();  // without: read as named, like cat
    if (known) {
      f = it->second;
      size_t got = 0;
      if (f.head_len > 0 && size >= f.head_len &&
          HeadHash(fd, static_cast<size_t>(f.head_len), &got) != f.head_hash) {
        Log(LogLevel::kWarning,
            fmt::format("{}: not the file read before as {} (same inode, other first bytes): "
                        "reading it from the start as a new file",
                        in.path, f.path));
        known = false;
      } else if (size < f.offset) {
        Log(LogLevel::kWarning,
            fmt::format("{}: {} bytes, shorter than the {} already read: truncated, reading it "
                        "again from the start",
                        in.path, size, f.offset));
        f.offset = 0;
        f.line = 0;
        // Its first bytes are new too: taken again below, so that when it
        // grows again it is still this file, not a new one read twice.
        f.head_len = 0;
        f.head_hash = 0;
      }
    }
    if (!known) {
      f = FileState{};
      f.seq = next_seq_++;
    }
    if (f.head_len < kHeadBytes) {
      size_t got = 0;
      f.head_hash = HeadHash(fd, kHeadBytes, &got);
      f.head_len = got;
    }
    if (!f.path.empty() && f.path != in.path && f.offset > 0) {
      Log(LogLevel::kInfo, fmt::format("{}: the file read before as {}, continued at byte {}",
                                       in.path, f.path, f.offset));
    }
    f.path = in.path;
    if (cp_ != nullptr && (!known || it->second.head_len != f.head_len ||
                           it->second.offset != f.offset)) {
      dirty_.insert(id);  // saved with the next epoch even if no record follows
    }
    files_[id] = f;
    if (size == f.offset && known) return Status::OK();  // nothing new
    if (cp_ != nullptr && !known) {
      // A new file is noted in the open batch's record even before (or
      // without) records of its own, so that a replay meets the files in
      // the order this run did and gives them the same order for later runs.
      segments_.push_back(Segment{id, f.path, f.offset, f.line, f.offset, f.line});
    }
    SSTREAM_RETURN_IF_ERROR(Seek(fd, in.path, f.offset));
    return ReadFile(&src, &id, f.offset, f.line, UINT64_MAX);
  }

  // The epochs recorded after the cut, read again stretch by stretch.
  Status ReplayFiles(const std::map<FileId, std::string>& named) {
    replaying_files_ = true;
    for (; replay_next_ < replay_.size() && !stopped_; ++replay_next_) {
      const auto& [epoch, cover] = replay_[replay_next_];
      for (const Segment& seg : cover.segments) {
        auto changed = [&](std::string_view why) {
          return Status::InvalidArgument(fmt::format(
              "the input ended before epoch {} could be replayed as recorded ({} {}, bytes "
              "{}..{}): {}; it changed since (rewind or reset the checkpoint {})",
              epoch, seg.path, seg.id.Text(), seg.from, seg.to, why, common_.checkpoint));
        };
        // The file by identity: under the name this run found it, or the
        // name it had then.
        auto n = named.find(seg.id);
        std::string path = n != named.end() ? n->second : seg.path;
        int fd;
        struct stat st;
        const bool empty = seg.from == seg.to;  // a file met without records
        if (!OpenFile(path, &fd, &st).ok()) {
          if (empty) continue;
          return changed("the file is gone");
        }
        FdSource src(fd, path, true);
        if (!(IdOf(st) == seg.id)) {
          if (empty) continue;
          return changed("the file is gone");
        }
        if (static_cast<uint64_t>(st.st_size) < seg.to) return changed("the file is shorter now");
        FileState& f = files_[seg.id];
        if (f.path.empty()) {
          f.seq = next_seq_++;
          size_t got = 0;
          f.head_hash = HeadHash(fd, kHeadBytes, &got);
          f.head_len = got;
        }
        f.path = path;
        SSTREAM_RETURN_IF_ERROR(Seek(fd, path, seg.from));
        SSTREAM_RETURN_IF_ERROR(ReadFile(&src, &seg.id, seg.from, seg.from_line, seg.to));
        if (f.offset != seg.to) return changed("the records end elsewhere");
        if (empty) {
          // Recorded and saved again as it was: no record of its own notes it.
          f.offset = seg.to;
          f.line = seg.to_line;
          dirty_.insert(seg.id);
          segments_.push_back(Segment{seg.id, path, seg.from, seg.from_line, seg.to, seg.to_line});
        }
      }
      SSTREAM_RETURN_IF_ERROR(CloseBatch(epoch, cover.last));
      CheckStop();
    }
    replaying_files_ = false;
    return Status::OK();
  }

  // Notes that a file (`fs`, its state) was read from `from` to `to` in the
  // open batch: per record, so it only moves the open stretch's end when it
  // can; a new stretch marks the file to be saved with the epoch.
  void Covered(const FileId* id, FileState* fs, uint64_t from, uint64_t from_line, uint64_t to,
               uint64_t to_line) {
    if (id == nullptr) return;  // stdin
    fs->offset = to;
    fs->line = to_line;
    if (cp_ == nullptr) return;
    if (!segments_.empty() && segments_.back().to == from && segments_.back().id == *id) {
      segments_.back().to = to;
      segments_.back().to_line = to_line;
      return;
    }
    dirty_.insert(*id);
    segments_.push_back(Segment{*id, fs->path, from, from_line, to, to_line});
  }


  // Reads one input from byte `offset` (line `line`) to its end, or to byte
  // `limit` (a replayed stretch).
  Status ReadFile(ByteSource* src, const FileId* id, uint64_t offset, uint64_t line,
                  uint64_t limit) {
    ReaderLimits limits;
    limits.max_record_bytes = static_cast<size_t>(common_.max_record_bytes);
    limits.raw_lines = o_.format == "text";
    FrameReader reader(src, limits);
    reader.ResumeAt(offset, line);
    FileState* fs = id != nullptr ? &files_[*id] : nullptr;  // map entries stay put
    Frame f;
    std::string buf;
    while (!stopped_ && reader.offset() < limit) {
      int64_t wait = ticker_->MillisUntilDeadline();
      int timeout = wait < 0 ? -1 : static_cast<int>(wait);
      // A replayed epoch is read to its recorded end before a stop counts.
      if (!draining_ && !replaying_files_ && StopRequested()) {
        NoteStop();
        if (stopped_) break;
      }
      Status st;
      const uint64_t from = reader.offset(), from_line = reader.line();
      const FrameReader::Result r = reader.Next(&f, timeout, &st);
      if (r == FrameReader::Result::kFrame || r == FrameReader::Result::kBadInput) {
        Covered(id, fs, from, from_line, reader.offset(), reader.line());
      }
      switch (r) {
        case FrameReader::Result::kEof: return Status::OK();
        case FrameReader::Result::kTimeout: SSTREAM_RETURN_IF_ERROR(Idle()); break;
        case FrameReader::Result::kBadInput:
          if (st.code() == StatusCode::kIOError) return st;
          if (reader.fatal()) return st.WithContext(reader.Position());
          SSTREAM_RETURN_IF_ERROR(bad_->Handle(reader.Position(), st, reader.last_bad_bytes()));
          break;
        case FrameReader::Result::kFrame:
          if (f.type != FrameType::kData) break;  // the source makes its own batches
          if (o_.format == "text") {
            if (!IsValidUtf8(f.json)) {
              SSTREAM_RETURN_IF_ERROR(bad_->Handle(reader.Position(),
                                                   Status::InvalidArgument("invalid UTF-8"), f.json));
              break;
            }
            buf.assign("{\"value\":");
            AppendJsonString(&buf, f.json);
            buf.push_back('}');
            SSTREAM_RETURN_IF_ERROR(out_->WriteData(buf));
          } else {
            // Binary output lists the record's fields, so later stages need not parse it.
            bool indexed = out_->format() == WireFormat::kBinary;
            Status v = validator_.ValidateObject(f.json, indexed ? &index_ : nullptr);
            if (!v.ok()) {
              SSTREAM_RETURN_IF_ERROR(bad_->Handle(reader.Position(), v, f.json));
              break;
            }
            SSTREAM_RETURN_IF_ERROR(out_->WriteData(f.json, f.has_event_time, f.event_time,
                                                    indexed ? index_.bytes() : std::string_view()));
          }
          SSTREAM_RETURN_IF_ERROR(AfterRecord(static_cast<int64_t>(f.json.size())));
          break;
      }
    }
    return Status::OK();
  }

  // Sleeps until row `i` is due at `rows_per_second`, ticking meanwhile.
  Status Pace(int64_t i, int64_t rows_per_second, int64_t start_steady_ms) {
    if (rows_per_second <= 0) return Status::OK();
    int64_t due = start_steady_ms + i * 1000 / rows_per_second;
    for (;;) {
      int64_t now = clock_->SteadyNanos() / 1'000'000;
      if (now >= due || stopped_) return Status::OK();
      SSTREAM_RETURN_IF_ERROR(out_->Flush());
      int64_t wait = due - now;
      int64_t deadline = ticker_->MillisUntilDeadline();
      if (deadline >= 0) wait = std::min(wait, std::max<int64_t>(deadline, 1));
      clock_->SleepMillis(std::min<int64_t>(wait, 200));
      SSTREAM_RETURN_IF_ERROR(Idle());
    }
  }

  Status RunYsb() {
    YsbGenerator gen(static_cast<uint64_t>(o_.seed), start_ms_, o_.events_per_second,
                     disorder_ms_);
    const bool indexed = out_->format() == WireFormat::kBinary;  // JSON lines carry no index
    std::string buf;
    int64_t t;
    for (int64_t i = 0; i < pos_.row; ++i) {  // resuming: the rows made before
      buf.clear();
      gen.Next(&buf, &t);
    }
    int64_t t0 = clock_->SteadyNanos() / 1'000'000;
    const int64_t first = pos_.row;
    SSTREAM_RETURN_IF_ERROR(AtReplayBoundary());
    for (int64_t i = first; (o_.count < 0 || i < o_.count) && !stopped_; ++i) {
      SSTREAM_RETURN_IF_ERROR(Pace(i - first, o_.rows_per_second, t0));
      if (stopped_) break;
      buf.clear();
      index_.Clear();
      gen.Next(&buf, &t, indexed ? &index_ : nullptr);
      SSTREAM_RETURN_IF_ERROR(out_->WriteData(buf, false, 0, index_.bytes()));
      pos_.row = i + 1;
      SSTREAM_RETURN_IF_ERROR(AfterRecord(static_cast<int64_t>(buf.size())));
    }
    return Status::OK();
  }

  Status RunCampaigns() {
    std::string buf;
    int64_t n = o_.count < 0 ? YsbGenerator::kAds : std::min<int64_t>(o_.count, YsbGenerator::kAds);
    int64_t t0 = clock_->SteadyNanos() / 1'000'000;
    const int64_t first = pos_.row;
    SSTREAM_RETURN_IF_ERROR(AtReplayBoundary());
    for (int64_t ad = first; ad < n && !stopped_; ++ad) {
      SSTREAM_RETURN_IF_ERROR(Pace(ad - first, o_.rows_per_second, t0));
      if (stopped_) break;
      buf = fmt::format("{{\"ad_id\":\"{}\",\"campaign_id\":\"{}\"}}",
                        YsbGenerator::AdId(static_cast<int>(ad)),
                        YsbGenerator::CampaignId(YsbGenerator::CampaignOfAd(static_cast<int>(ad))));
      SSTREAM_RETURN_IF_ERROR(out_->WriteData(buf));
      pos_.row = ad + 1;
      SSTREAM_RETURN_IF_ERROR(AfterRecord(static_cast<int64_t>(buf.size())));
    }
    return Status::OK();
  }

  Status RunRate() {
    int64_t rps = o_.rows_per_second > 0 ? o_.rows_per_second : 1;
    // A resumed rate source continues the timeline it started.
    if (!resumed_) pos_.start_ms = clock_->NowMillis();
    const int64_t start_wall = pos_.start_ms;
    int64_t t0 = clock_->SteadyNanos() / 1'000'000;
    std::string buf;
    const int64_t first = pos_.row;
    SSTREAM_RETURN_IF_ERROR(AtReplayBoundary());
    for (int64_t i = first; (o_.count < 0 || i < o_.count) && !stopped_; ++i) {
      SSTREAM_RETURN_IF_ERROR(Pace(i - first, rps, t0));
      if (stopped_) break;
      buf.assign("{\"timestamp\":\"");
      buf.append(FormatIso(start_wall + i * 1000 / rps));
      buf.append(fmt::format("\",\"value\":{}}}", i));
      SSTREAM_RETURN_IF_ERROR(out_->WriteData(buf));
      pos_.row = i + 1;
      SSTREAM_RETURN_IF_ERROR(AfterRecord(static_cast<int64_t>(buf.size())));
    }
    return Status::OK();
  }

  const SourceOptions& o_;
  const CommonOptions& common_;
  Clock* clock_;
  FrameWriter* out_;
  BadRecordHandler* bad_;
  TriggerSpec trigger_;
  std::unique_ptr<Ticker> ticker_;
  std::unique_ptr<StageCheckpoint> cp_;
  bool generator_ = false;
  Position pos_;
  bool resumed_ = false;
  std::vector<std::pair<int64_t, Cover>> replay_;
  size_t replay_next_ = 0;
  bool replaying_files_ = false;
  // Files: where each stands, the stretches the open batch covers, and the
  // files it changed.
  std::map<FileId, FileState> files_;
  int64_t next_seq_ = 0;
  std::vector<Segment> segments_;
  std::set<FileId> dirty_;
  std::set<FileId> read_;  // read in this run
  StateChanges changes_;
  // The last epoch was a run-once trigger's with records: its watermark's
  // work is left to the next batch, so a run without data closes one.
  JsonValidator validator_;
  FieldIndexBuilder index_;
  int64_t total_ = 0;
  int64_t start_ms_ = 0;
  int64_t disorder_ms_ = 0;
  bool stopped_ = false;
  bool draining_ = false;
  bool abandoned_ = false;
  int64_t drain_deadline_ms_ = 0;
};

}  // namespace

Status RunSource(const SourceOptions& o, const CommonOptions& common, Clock* clock, ByteSink* out,
                 int out_fd) {
  std::unique_ptr<BadRecordHandler> bad;
  SSTREAM_RETURN_IF_ERROR(Status::AsUsage(BadRecordHandler::Create(common, &bad)));
  if (out_fd >= 0) EnlargePipeBuffer(out_fd);
  EnlargePipeBuffer(STDIN_FILENO);
  WireFormat format;
  std::function<bool()> write_control;
  SSTREAM_RETURN_IF_ERROR(Status::AsUsage(ResolveOutput(common, out_fd, &format, &write_control)));
  FrameWriter writer(out, format);
  writer.set_control_decider(std::move(write_control));
  SourceRunner runner(o, common, clock, &writer, bad.get());
  SSTREAM_RETURN_IF_ERROR(Status::AsUsage(runner.Init()));
  return runner.Run();
}

}  // namespace sstream
