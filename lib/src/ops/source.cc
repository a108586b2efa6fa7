#include "sstream/source.h"

#include <cinttypes>
#include <cstdio>

#include <fmt/format.h>

#include "sstream/log.h"
#include "sstream/record.h"
#include "sstream/tick.h"
#include "sstream/ysb.h"

namespace sstream {

namespace {

// Where the source is: just past the last input it consumed. An epoch's
// record in the checkpoint is where the source was when the epoch closed.
struct Position {
  int64_t input = 0;  // files: index in the input list
  uint64_t offset = 0;
  uint64_t line = 0;
  int64_t row = 0;       // generators: rows made
  int64_t start_ms = 0;  // gen:rate: the first row's timestamp
  bool operator==(const Position& o) const {
    return input == o.input && offset == o.offset && row == o.row;
  }
};

std::string PositionText(const Position& p, bool generator) {
  if (generator) return fmt::format("row={} start_ms={}", p.row, p.start_ms);
  return fmt::format("input={} offset={} line={}", p.input, p.offset, p.line);
}

bool ParsePosition(const std::string& text, bool generator, Position* p) {
  if (generator) {
    return std::sscanf(text.c_str(), "row=%" SCNd64 " start_ms=%" SCNd64, &p->row,
                       &p->start_ms) == 2;
  }
  return std::sscanf(text.c_str(), "input=%" SCNd64 " offset=%" SCNu64 " line=%" SCNu64,
                     &p->input, &p->offset, &p->line) == 3;
}

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
    generator_ = !o_.inputs.empty() && o_.inputs[0].rfind("gen:", 0) == 0;
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

  // What identifies this source's input in the checkpoint: a restart must
  // read the same input (the trigger and batch caps may change).
  std::string Fingerprint() const {
    std::string fp = "sstream-source";
    for (const auto& in : o_.inputs) {
      // Files by their absolute path: a run from another directory, or with
      // the path written otherwise, reads the same input.
      fp += " " + (generator_ ? in : AbsolutePath(in.rfind("file:", 0) == 0 ? in.substr(5) : in));
    }
    if (generator_) {
      // --count may change: a later run may generate further.
      fp += fmt::format(" --seed {}", o_.seed);
      if (o_.inputs[0] == "gen:ysb") {
        fp += fmt::format(" --events-per-second {} --start {} --disorder {}", o_.events_per_second,
                          o_.start, o_.disorder);
      }
    } else {
      fp += " --format " + o_.format;
    }
    return fp;
  }

  // Opens the checkpoint: where to resume (the record of the last epoch at
  // or before the cut), and the epochs after it to replay as they were.
  Status OpenCheckpoint() {
    int64_t first_epoch = 0;
    if (!common_.checkpoint.empty()) {
      SSTREAM_RETURN_IF_ERROR(OpenStageCheckpoint(common_, Fingerprint(), &cp_));
      const int64_t cut = cp_->cut();
      std::vector<std::pair<int64_t, std::string>> recorded;
      SSTREAM_RETURN_IF_ERROR(cp_->RecordedEpochs(-1, &recorded));
      int64_t last = cut;
      for (const auto& [epoch, text] : recorded) {
        Position p;
        if (!ParsePosition(text, generator_, &p)) {
          return Status::Corruption(fmt::format("checkpoint {}: the record of epoch {} is damaged",
                                                common_.checkpoint, epoch));
        }
        if (epoch <= cut) {
          pos_ = p;
          resumed_ = true;
        } else {
          replay_.emplace_back(epoch, p);
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
            fmt::format("resuming after epoch {} at {}{}", cut, PositionText(pos_, generator_),
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
    std::vector<std::string> inputs = o_.inputs;
    if (inputs.empty()) inputs.push_back("-");
    Status s;
    if (inputs[0] == "gen:ysb") {
      s = RunYsb();
    } else if (inputs[0] == "gen:ysb-campaigns") {
      s = RunCampaigns();
    } else if (inputs[0] == "gen:rate") {
      s = RunRate();
    } else {
      for (size_t i = static_cast<size_t>(pos_.input); i < inputs.size() && !stopped_; ++i) {
        const std::string& path = inputs[i];
        std::string p = path.rfind("file:", 0) == 0 ? path.substr(5) : path;
        if (static_cast<int64_t>(i) != pos_.input) pos_ = Position{static_cast<int64_t>(i)};
        SSTREAM_RETURN_IF_ERROR(ReadInput(p));
      }
    }
    SSTREAM_RETURN_IF_ERROR(s);
    if (!stopped_ && replay_next_ < replay_.size()) {
      return Status::InvalidArgument(fmt::format(
          "the input ended before epoch {} could be replayed as recorded ({}): it changed since "
          "(rewind or reset the checkpoint {})",
          replay_[replay_next_].first, PositionText(replay_[replay_next_].second, generator_),
          common_.checkpoint));
    }
    // Ending: the open batch, then END. Under a checkpoint a stop, and the
    // end of a run-once trigger, is a drain instead: no END, so later
    // stages keep their state (open windows) for the next run.
    if (!ticker_->empty()) SSTREAM_RETURN_IF_ERROR(CloseBatch());
    const bool drain = cp_ != nullptr && (stopped_ || trigger_.kind != TriggerSpec::Kind::kInterval);
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
  Status CloseBatch(int64_t replayed = -1) {
    const int64_t records = ticker_->records(), bytes = ticker_->bytes();
    const int64_t epoch = replayed >= 0 ? ticker_->CloseAs(replayed) : ticker_->Close();
    // What the epoch covers is durable before anything downstream can act
    // on its end.
    if (cp_ != nullptr && replayed < 0) {
      SSTREAM_RETURN_IF_ERROR(cp_->RecordEpoch(epoch, PositionText(pos_, generator_)));
    }
    if (LogEnabled(LogLevel::kDebug)) {
      Log(LogLevel::kDebug,
          fmt::format("batch {}: {} record(s), {} byte(s) out", epoch, records, bytes));
    }
    return out_->WriteTick(epoch);
  }

  // Replaying: the epoch being replayed ends where it ended before.
  bool Replaying() const { return replay_next_ < replay_.size(); }
  Status AtReplayBoundary() {
    while (Replaying() && pos_ == replay_[replay_next_].second) {
      SSTREAM_RETURN_IF_ERROR(CloseBatch(replay_[replay_next_].first));
      ++replay_next_;
    }
    return Status::OK();
  }

  // Called after each record: close the batch when a cap or the deadline says so.
  Status AfterRecord(int64_t bytes) {
    ticker_->Add(bytes);
    ++total_;
    if (trigger_.low_latency) SSTREAM_RETURN_IF_ERROR(out_->Flush());
    if (Replaying()) return AtReplayBoundary();
    if (ticker_->CapReached() || ((total_ & 255) == 0 && ticker_->Due())) {
      SSTREAM_RETURN_IF_ERROR(CloseBatch());
    }
    if ((total_ & 255) == 0 && StopRequested()) stopped_ = true;
    return Status::OK();
  }

  // Waiting (timeout or pacing): tick if due, and notice a stop request.
  Status Idle() {
    if (Replaying()) {
      // Replayed epochs close where they did, not on the clock.
    } else if (ticker_->Due()) {
      SSTREAM_RETURN_IF_ERROR(CloseBatch());
    } else if (ticker_->empty() && ticker_->MillisUntilDeadline() == 0) {
      ticker_->SkipEmpty();
    }
    if (StopRequested()) stopped_ = true;
    return Status::OK();
  }

  Status ReadInput(const std::string& path) {
    std::unique_ptr<ByteSource> src;
    SSTREAM_RETURN_IF_ERROR(OpenFileSourceAt(path, pos_.offset, &src));
    ReaderLimits limits;
    limits.max_record_bytes = static_cast<size_t>(common_.max_record_bytes);
    limits.raw_lines = o_.format == "text";
    FrameReader reader(src.get(), limits);
    reader.ResumeAt(pos_.offset, pos_.line);
    SSTREAM_RETURN_IF_ERROR(AtReplayBoundary());  // an epoch may have ended with the last file
    Frame f;
    std::string buf;
    while (!stopped_) {
      int64_t wait = ticker_->MillisUntilDeadline();
      int timeout = wait < 0 ? -1 : static_cast<int>(wait);
      if (StopRequested()) {
        stopped_ = true;
        break;
      }
      Status st;
      const FrameReader::Result r = reader.Next(&f, timeout, &st);
      if (r == FrameReader::Result::kFrame || r == FrameReader::Result::kBadInput) {
        pos_.offset = reader.offset();
        pos_.line = reader.line();
      }
      switch (r) {
        case FrameReader::Result::kEof: return Status::OK();
        case FrameReader::Result::kTimeout: SSTREAM_RETURN_IF_ERROR(Idle()); break;
        case FrameReader::Result::kBadInput:
          if (st.code() == StatusCode::kIOError) return st;
          if (reader.fatal()) return st.WithContext(reader.Position());
          SSTREAM_RETURN_IF_ERROR(bad_->Handle(reader.Position(), st, reader.last_bad_bytes()));
          SSTREAM_RETURN_IF_ERROR(AtReplayBoundary());
          break;
        case FrameReader::Result::kFrame:
          if (f.type != FrameType::kData) {  // the source makes its own batches
            SSTREAM_RETURN_IF_ERROR(AtReplayBoundary());
            break;
          }
          if (o_.format == "text") {
            if (!IsValidUtf8(f.json)) {
              SSTREAM_RETURN_IF_ERROR(bad_->Handle(reader.Position(),
                                                   Status::InvalidArgument("invalid UTF-8"), f.json));
              SSTREAM_RETURN_IF_ERROR(AtReplayBoundary());
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
              SSTREAM_RETURN_IF_ERROR(AtReplayBoundary());
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
    SSTREAM_RETURN_IF_ERROR(AtReplayBoundary());
    for (int64_t ad = pos_.row; ad < n && !stopped_; ++ad) {
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
  std::vector<std::pair<int64_t, Position>> replay_;
  size_t replay_next_ = 0;
  JsonValidator validator_;
  FieldIndexBuilder index_;
  int64_t total_ = 0;
  int64_t start_ms_ = 0;
  int64_t disorder_ms_ = 0;
  bool stopped_ = false;
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
