#include "sstream/source.h"

#include <fmt/format.h>

#include "sstream/log.h"
#include "sstream/record.h"
#include "sstream/tick.h"
#include "sstream/ysb.h"

namespace sstream {

namespace {

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
    ticker_ = std::make_unique<Ticker>(spec, clock_);
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
    return Status::OK();
  }

  Status Run() {
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
      for (const auto& path : inputs) {
        if (stopped_) break;
        std::string p = path.rfind("file:", 0) == 0 ? path.substr(5) : path;
        SSTREAM_RETURN_IF_ERROR(ReadInput(p));
      }
    }
    SSTREAM_RETURN_IF_ERROR(s);
    // Ending: the open batch, then END.
    if (!ticker_->empty()) SSTREAM_RETURN_IF_ERROR(CloseBatch());
    SSTREAM_RETURN_IF_ERROR(out_->WriteEnd());
    bad_->Summarize();
    Log(LogLevel::kInfo, fmt::format("{} records in {} batches", total_, ticker_->epoch()));
    return Status::OK();
  }

 private:
  Status CloseBatch() {
    const int64_t records = ticker_->records(), bytes = ticker_->bytes();
    const int64_t epoch = ticker_->Close();
    if (LogEnabled(LogLevel::kDebug)) {
      Log(LogLevel::kDebug,
          fmt::format("batch {}: {} record(s), {} byte(s) out", epoch, records, bytes));
    }
    return out_->WriteTick(epoch);
  }

  // Called after each record: close the batch when a cap or the deadline says so.
  Status AfterRecord(int64_t bytes) {
    ticker_->Add(bytes);
    ++total_;
    if (ticker_->CapReached() || ((total_ & 255) == 0 && ticker_->Due())) {
      SSTREAM_RETURN_IF_ERROR(CloseBatch());
    }
    if ((total_ & 255) == 0 && StopRequested()) stopped_ = true;
    return Status::OK();
  }

  // Waiting (timeout or pacing): tick if due, and notice a stop request.
  Status Idle() {
    if (ticker_->Due()) {
      SSTREAM_RETURN_IF_ERROR(CloseBatch());
    } else if (ticker_->empty() && ticker_->MillisUntilDeadline() == 0) {
      ticker_->SkipEmpty();
    }
    if (StopRequested()) stopped_ = true;
    return Status::OK();
  }

  Status ReadInput(const std::string& path) {
    std::unique_ptr<ByteSource> src;
    SSTREAM_RETURN_IF_ERROR(OpenFileSource(path, &src));
    ReaderLimits limits;
    limits.max_record_bytes = static_cast<size_t>(common_.max_record_bytes);
    limits.raw_lines = o_.format == "text";
    FrameReader reader(src.get(), limits);
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
      switch (reader.Next(&f, timeout, &st)) {
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
    int64_t t0 = clock_->SteadyNanos() / 1'000'000;
    for (int64_t i = 0; (o_.count < 0 || i < o_.count) && !stopped_; ++i) {
      SSTREAM_RETURN_IF_ERROR(Pace(i, o_.rows_per_second, t0));
      buf.clear();
      int64_t t;
      index_.Clear();
      gen.Next(&buf, &t, indexed ? &index_ : nullptr);
      SSTREAM_RETURN_IF_ERROR(out_->WriteData(buf, false, 0, index_.bytes()));
      SSTREAM_RETURN_IF_ERROR(AfterRecord(static_cast<int64_t>(buf.size())));
    }
    return Status::OK();
  }

  Status RunCampaigns() {
    std::string buf;
    int64_t n = o_.count < 0 ? YsbGenerator::kAds : std::min<int64_t>(o_.count, YsbGenerator::kAds);
    for (int ad = 0; ad < n && !stopped_; ++ad) {
      buf = fmt::format("{{\"ad_id\":\"{}\",\"campaign_id\":\"{}\"}}", YsbGenerator::AdId(ad),
                        YsbGenerator::CampaignId(YsbGenerator::CampaignOfAd(ad)));
      SSTREAM_RETURN_IF_ERROR(out_->WriteData(buf));
      SSTREAM_RETURN_IF_ERROR(AfterRecord(static_cast<int64_t>(buf.size())));
    }
    return Status::OK();
  }

  Status RunRate() {
    int64_t rps = o_.rows_per_second > 0 ? o_.rows_per_second : 1;
    int64_t start_wall = clock_->NowMillis();
    int64_t t0 = clock_->SteadyNanos() / 1'000'000;
    std::string buf;
    for (int64_t i = 0; (o_.count < 0 || i < o_.count) && !stopped_; ++i) {
      SSTREAM_RETURN_IF_ERROR(Pace(i, rps, t0));
      if (stopped_) break;
      buf.assign("{\"timestamp\":\"");
      buf.append(FormatIso(start_wall + i * 1000 / rps));
      buf.append(fmt::format("\",\"value\":{}}}", i));
      SSTREAM_RETURN_IF_ERROR(out_->WriteData(buf));
      SSTREAM_RETURN_IF_ERROR(AfterRecord(static_cast<int64_t>(buf.size())));
    }
    return Status::OK();
  }

  const SourceOptions& o_;
  const CommonOptions& common_;
  Clock* clock_;
  FrameWriter* out_;
  BadRecordHandler* bad_;
  std::unique_ptr<Ticker> ticker_;
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
  bool data_only;
  SSTREAM_RETURN_IF_ERROR(Status::AsUsage(ResolveOutput(common, out_fd, &format, &data_only)));
  FrameWriter writer(out, format);
  writer.set_data_only(data_only);
  SourceRunner runner(o, common, clock, &writer, bad.get());
  SSTREAM_RETURN_IF_ERROR(Status::AsUsage(runner.Init()));
  return runner.Run();
}

}  // namespace sstream
