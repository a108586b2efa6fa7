// PerBatchOperator: one run of a command per micro-batch.
//
// Records are collected (as JSON lines) until the batch closes; then the
// command runs with them on stdin, its stdout lines are checked and written as
// the batch's records, and the stage forwards the TICK after them. Watermarks
// that arrive while records wait are held back until the batch's output is
// out: moving a watermark later is always safe, moving it ahead of data that
// preceded it is not.
#include "ops/per_batch.h"

#include <fmt/format.h>

#include "io/subprocess.h"
#include "sstream/log.h"
#include "sstream/record.h"

namespace sstream {

namespace {

// A ByteSink that keeps what it is given.
class StringSink final : public ByteSink {
 public:
  Status Write(std::string_view data) override {
    data_.append(data);
    return Status::OK();
  }
  std::string& data() { return data_; }

 private:
  std::string data_;
};

// A line of the form {"@sstream":...} is a control signal to every reader
// downstream; the command's output must not forge one.
bool LooksLikeControl(std::string_view line) {
  size_t i = 0;
  while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
  if (i == line.size() || line[i] != '{') return false;
  ++i;
  while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
  return line.substr(i).starts_with("\"@sstream\"");
}

class PerBatchOperator final : public Operator {
 public:
  PerBatchOperator(const PerBatchOptions& o, std::unique_ptr<Operator> inner)
      : argv_(o.argv),
        stderr_fd_(o.stderr_fd),
        inner_(std::move(inner)),
        capture_(&pending_, WireFormat::kJson),
        name_("--per-batch " + ShellJoin(o.argv)) {}

  Status Init(const CommonOptions& common) {
    if (argv_.empty()) return Status::Usage("--per-batch needs a command");
    Status s = CheckExecutable(argv_[0]);
    if (!s.ok()) return Status::Usage(fmt::format("--per-batch: {}", s.message()));
    max_line_ = static_cast<size_t>(std::max<int64_t>(1, common.max_record_bytes));
    return BadRecordHandler::Create(common, &bad_);
  }

  Status OnRecord(const Frame& f, FrameWriter* out) override {
    (void)out;
    const size_t before = pending_.data().size();
    SSTREAM_RETURN_IF_ERROR(inner_->OnRecord(f, &capture_));
    // Flushed at once, so a record --where dropped is told from one it kept.
    SSTREAM_RETURN_IF_ERROR(capture_.Flush());
    if (pending_.data().size() > before) ++pending_records_;
    return Status::OK();
  }

  Status OnBatchEnd(int64_t epoch, FrameWriter* out) override {
    SSTREAM_RETURN_IF_ERROR(inner_->OnBatchEnd(epoch, &capture_));
    SSTREAM_RETURN_IF_ERROR(capture_.Flush());
    SSTREAM_RETURN_IF_ERROR(RunBatch(epoch, out));
    return ReleaseWatermarks(out);
  }

  Status OnWatermark(int64_t ms, FrameWriter* out) override {
    if (pending_records_ == 0) return out->WriteWatermark(ms);
    held_watermarks_.push_back(ms);
    return Status::OK();
  }

  Status OnEnd(FrameWriter* out) override { return ReleaseWatermarks(out); }

  void Summarize() const override {
    inner_->Summarize();
    if (bad_->count() > 0) {
      Log(LogLevel::kWarning,
          fmt::format("{}: {} bad output line(s) not passed on", name_, bad_->count()));
    }
    if (LogEnabled(LogLevel::kInfo)) {
      Log(LogLevel::kInfo, fmt::format("{}: ran {} time(s)", name_, runs_));
    }
  }

 private:
  Status RunBatch(int64_t epoch, FrameWriter* out) {
    // Batches without records (idle ticks, or everything filtered out) do not
    // run the command: no process per idle tick, and no input means no
    // output, as a shell user of jq or sort expects.
    if (pending_records_ == 0) return Status::OK();
    const int64_t records = pending_records_;
    pending_records_ = 0;
    output_.clear();
    CommandResult result;
    ++runs_;
    Status s = RunCommand(argv_, pending_.data(), stderr_fd_, &output_, &result);
    pending_.data().clear();
    if (!s.ok()) return s.WithContext(fmt::format("{}: batch {}", name_, epoch));
    if (!result.ok()) {
      std::string msg = fmt::format("{}: batch {} ({} record(s) in): {}", name_, epoch, records,
                                    result.Describe());
      std::string tail = result.LastStderrLines(3);
      if (!tail.empty()) msg += "; stderr: " + tail;
      return Status::IOError(std::move(msg));
    }
    if (LogEnabled(LogLevel::kDebug)) {
      Log(LogLevel::kDebug, fmt::format("{}: batch {}: {} record(s) in, {} byte(s) out", name_,
                                        epoch, records, output_.size()));
    }
    return WriteOutput(epoch, out);
  }

  // Every non-blank line of the command's stdout must be one JSON object.
  Status WriteOutput(int64_t epoch, FrameWriter* out) {
    const size_t end = output_.size();
    output_.append(64, ' ');  // the validator reads up to 64 bytes past a record
    std::string_view all(output_.data(), end);
    size_t start = 0;
    int64_t line_no = 0;
    const bool indexed = out->format() == WireFormat::kBinary;
    while (start < end) {
      size_t nl = all.find('\n', start);
      if (nl == std::string_view::npos) nl = end;  // a last line without a newline counts
      std::string_view line = all.substr(start, nl - start);
      start = nl + 1;
      ++line_no;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
      Status bad;
      index_.Clear();
      if (line.size() > max_line_) {
        bad = Status::InvalidArgument(
            fmt::format("line of {} bytes exceeds --max-record-bytes {}", line.size(), max_line_));
      } else if (LooksLikeControl(line)) {
        bad = Status::InvalidArgument("a control line (\"@sstream\") is not a record");
      } else {
        bad = validator_.ValidateObject(line, indexed ? &index_ : nullptr);
      }
      if (!bad.ok()) {
        std::string position = fmt::format("{}: batch {}: output line {}", name_, epoch, line_no);
        SSTREAM_RETURN_IF_ERROR(bad_->Handle(position, bad, line));
        continue;
      }
      SSTREAM_RETURN_IF_ERROR(out->WriteData(line, false, 0, indexed ? index_.bytes() : ""));
    }
    output_.clear();
    return Status::OK();
  }

  Status ReleaseWatermarks(FrameWriter* out) {
    for (int64_t ms : held_watermarks_) SSTREAM_RETURN_IF_ERROR(out->WriteWatermark(ms));
    held_watermarks_.clear();
    return Status::OK();
  }

  std::vector<std::string> argv_;
  int stderr_fd_;
  std::unique_ptr<Operator> inner_;
  StringSink pending_;   // this batch's records, one JSON line each
  FrameWriter capture_;  // writes into pending_
  int64_t pending_records_ = 0;
  std::vector<int64_t> held_watermarks_;
  std::string name_;  // "--per-batch CMD ARGS", for messages
  std::unique_ptr<BadRecordHandler> bad_;
  size_t max_line_ = 16 << 20;
  std::string output_;
  JsonValidator validator_;
  FieldIndexBuilder index_;
  int64_t runs_ = 0;
};

}  // namespace

Status NewPerBatchOperator(const PerBatchOptions& o, std::unique_ptr<Operator> inner,
                           const CommonOptions& common, std::unique_ptr<Operator>* out) {
  auto op = std::make_unique<PerBatchOperator>(o, std::move(inner));
  SSTREAM_RETURN_IF_ERROR(op->Init(common));
  *out = std::move(op);
  return Status::OK();
}

}  // namespace sstream
