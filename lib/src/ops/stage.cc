#include "sstream/stage.h"

#include <unistd.h>

#include <algorithm>
#include <limits>

#include <fmt/format.h>

#include "sstream/log.h"
#include "sstream/record.h"
#include "sstream/time.h"

namespace sstream {

namespace {

// The policy the options ask for; errors name the option at fault.
Status ParsePolicy(const CommonOptions& o, BadRecordPolicy* policy) {
  if (o.max_record_bytes <= 0) {
    return Status::InvalidArgument("--max-record-bytes must be positive");
  }
  if (o.bad_records == "fail") {
    *policy = o.dead_letter.empty() ? BadRecordPolicy::kFail : BadRecordPolicy::kDeadLetter;
  } else if (o.bad_records == "skip") {
    if (!o.dead_letter.empty()) {
      return Status::InvalidArgument("--bad-records skip and --dead-letter contradict each other");
    }
    *policy = BadRecordPolicy::kSkip;
  } else if (o.bad_records == "dead-letter") {
    if (o.dead_letter.empty()) {
      return Status::InvalidArgument("--bad-records dead-letter needs --dead-letter FILE");
    }
    *policy = BadRecordPolicy::kDeadLetter;
  } else {
    return Status::InvalidArgument(fmt::format(
        "unknown --bad-records policy '{}' (expected fail, skip or dead-letter)", o.bad_records));
  }
  return Status::OK();
}

}  // namespace

Status CheckCommonOptions(const CommonOptions& o) {
  BadRecordPolicy policy;
  SSTREAM_RETURN_IF_ERROR(ParsePolicy(o, &policy));
  WireFormat wire;
  SSTREAM_RETURN_IF_ERROR(ParseWireFormat(o.wire, &wire));
  int64_t tick_ms;
  SSTREAM_RETURN_IF_ERROR(ParseDuration(o.tick, &tick_ms).WithContext("--tick"));
  if (tick_ms <= 0) return Status::InvalidArgument("--tick must be at least 1ms");
  if (!o.checkpoint.empty()) return CheckCheckpointName(o);
  return Status::OK();
}

Status CheckCheckpointName(const CommonOptions& o) {
  if (o.checkpoint_name.empty()) return Status::Usage("--checkpoint-name must not be empty");
  return Status::AsUsage(
      Checkpoint::CheckStageName(o.checkpoint_name).WithContext("--checkpoint-name"));
}

Status OpenStageCheckpoint(const CommonOptions& o, const std::string& fingerprint,
                           std::unique_ptr<StageCheckpoint>* out) {
  out->reset();
  if (o.checkpoint.empty()) return Status::OK();
  SSTREAM_RETURN_IF_ERROR(CheckCheckpointName(o));
  std::unique_ptr<Checkpoint> cp;
  SSTREAM_RETURN_IF_ERROR(Checkpoint::Open(o.checkpoint, &cp));
  return StageCheckpoint::Open(std::move(cp), o.checkpoint_name, fingerprint, out);
}

Status BadRecordHandler::Create(const CommonOptions& o, std::unique_ptr<BadRecordHandler>* out) {
  std::unique_ptr<BadRecordHandler> h(new BadRecordHandler());
  SSTREAM_RETURN_IF_ERROR(ParsePolicy(o, &h->policy_));
  if (h->policy_ == BadRecordPolicy::kDeadLetter) {
    SSTREAM_RETURN_IF_ERROR(OpenFileSink(o.dead_letter, true, &h->dead_letter_));
    h->dead_letter_path_ = o.dead_letter;
  }
  *out = std::move(h);
  return Status::OK();
}

BadRecordHandler::~BadRecordHandler() = default;

Status BadRecordHandler::Handle(const std::string& position, const Status& error,
                                std::string_view raw) {
  const Status& e = error;
  if (policy_ == BadRecordPolicy::kFail) return e.WithContext(position);
  ++count_;
  if (policy_ == BadRecordPolicy::kSkip) {
    if (count_ <= 5) Log(LogLevel::kWarning, fmt::format("skipping {}: {}", position, e.message()));
    if (count_ == 5) Log(LogLevel::kWarning, "further skipped records are only counted");
    return Status::OK();
  }
  // One JSON line per bad record: where, why, and the text (as a string: it
  // may not be valid JSON or UTF-8).
  std::string line = "{\"position\":";
  AppendJsonStringLossy(&line, position);
  line += ",\"error\":";
  AppendJsonStringLossy(&line, e.message());
  line += ",\"record\":";
  AppendJsonStringLossy(&line, raw);
  line += "}\n";
  Status s = dead_letter_->Write(line);
  if (!s.ok()) return s.WithContext("writing the dead-letter file");
  return Status::OK();
}

void BadRecordHandler::Summarize() const {
  if (count_ == 0) return;
  if (policy_ == BadRecordPolicy::kDeadLetter) {
    Log(LogLevel::kWarning,
        fmt::format("{} bad record(s) written to {}", count_, dead_letter_path_));
  } else {
    Log(LogLevel::kWarning, fmt::format("skipped {} bad record(s)", count_));
  }
}

Status ResolveOutput(const CommonOptions& o, int fd, WireFormat* format,
                     std::function<bool()>* write_control) {
  SSTREAM_RETURN_IF_ERROR(ParseWireFormat(o.wire, format));
  bool tty = fd >= 0 && ::isatty(fd) == 1;
  if (*format == WireFormat::kBinary && tty) {
    return Status::InvalidArgument(
        "refusing to write binary frames to a terminal (use --wire json, or redirect)");
  }
  bool write = true;
  if (o.data_only || o.control == "never") {
    write = false;
  } else if (o.control == "always") {
    write = true;
  } else if (o.control != "auto") {
    return Status::InvalidArgument(
        fmt::format("unknown --control '{}' (expected auto, always or never)", o.control));
  } else if (tty) {
    write = false;  // a person reads a terminal
  } else if (*format == WireFormat::kJson && fd >= 0) {
    // Binary frames are for sstream readers (or a file, or tee/ssh between
    // two stages): they keep their control frames. JSON on a pipe: asked of
    // the pipe's reader, lazily, so data flows at once and a stream that
    // never gets to a control signal never asks.
    // The real clock: this waits for real processes to exec.
    *write_control = [fd] {
      PipeReader r = IdentifyPipeReader(fd, &DefaultClock(), kPipeReaderWaitMs);
      return r != PipeReader::kForeign;
    };
    return Status::OK();
  }
  *write_control = [write] { return write; };
  return Status::OK();
}

namespace {

// A wait for poll(2) in milliseconds: never negative (which would wait
// forever), and capped at what an int holds (a --tick or --idle-timeout of
// weeks would overflow it); a capped wait just wakes early and waits again.
int WaitMs(int64_t ms) {
  return static_cast<int>(std::clamp<int64_t>(ms, 0, std::numeric_limits<int>::max()));
}

class StageLoop {
 public:
  StageLoop(const StageContext& ctx, Operator* op, FrameWriter* out, BadRecordHandler* bad)
      : ctx_(ctx),
        op_(op),
        out_(out),
        bad_(bad),
        reader_(ctx.input, Limits(ctx)),
        checkpointed_(!ctx.common->checkpoint.empty()),
        cp_(ctx.checkpoint) {}

  static ReaderLimits Limits(const StageContext& ctx) {
    ReaderLimits l;
    l.max_record_bytes = static_cast<size_t>(ctx.common->max_record_bytes);
    l.cut_record_ends_input = true;  // a dead upstream's last words (WarnTruncated)
    return l;
  }

  Status Run() {
    SSTREAM_RETURN_IF_ERROR(
        Status::AsUsage(ParseDuration(ctx_.common->tick, &own_tick_ms_).WithContext("--tick")));
    if (own_tick_ms_ <= 0) return Status::Usage("--tick must be at least 1ms");
    if (cp_ != nullptr) SSTREAM_RETURN_IF_ERROR(Restore());
    // A stateful stage's output starts with its own STREAM signal.
    stateful_ = op_->Stateful(&own_stream_);
    if (stateful_ && !ctx_.terminal) out_->SetStreamHeader(own_stream_);
    Clock* clock = ctx_.clock;
    next_own_tick_ = clock->NowMillis() + own_tick_ms_;
    last_data_ms_ = clock->NowMillis();
    int64_t stop_deadline = -1;
    Frame f;
    int64_t now = clock->NowMillis();
    int frames_since_clock = 0;
    uint64_t reads_seen = reader_.reads();
    bool waited = false;
    for (;;) {
      // The clock is read after every wait or read from the input, whenever
      // the buffered input is used up (the next call may block), and every
      // 64 frames: a deadline is then seen on time at any input rate, and
      // under load, when input is always buffered, the hot loop stays cheap.
      if (waited || !reader_.buffered() || reader_.reads() != reads_seen ||
          ++frames_since_clock >= 64) {
        now = clock->NowMillis();
        frames_since_clock = 0;
        reads_seen = reader_.reads();
        if (OwnClock() && now >= next_own_tick_) SSTREAM_RETURN_IF_ERROR(CloseOwnBatch(false));
      }
      waited = true;
      if (StopRequested()) {
        if (stop_deadline < 0) {
          stop_deadline = now + ctx_.stop_grace_ms;
          Log(LogLevel::kInfo, "stop requested: finishing the batch");
        }
        if (now >= stop_deadline) {
          // END came and only the end of input is awaited: end now.
          if (end_seen_) return End();
          // Upstream did not end in time: close what we have and leave the
          // rest of the state unflushed (it is not complete). With a
          // checkpoint the open epoch is left to replay instead.
          if (!checkpointed_) SSTREAM_RETURN_IF_ERROR(CloseOwnBatch(true));
          return Finish(false);
        }
      }
      int timeout = -1;
      if (OwnClock()) timeout = WaitMs(next_own_tick_ - now);
      const int64_t idle_ms = op_->IdleTimeoutMs();
      if (idle_ms > 0 && !idle_fired_ && !end_seen_) {
        int left = WaitMs(last_data_ms_ + idle_ms - now);
        timeout = timeout < 0 ? left : std::min(timeout, left);
      }
      if (stop_deadline >= 0) {
        int left = WaitMs(stop_deadline - now);
        timeout = timeout < 0 ? left : std::min(timeout, left);
      }
      // Before waiting for input, pass on what this stage holds: records
      // flow at once when input trickles (a continuous trigger), and cost
      // nothing extra under load, when input is always buffered.
      if (!reader_.buffered()) SSTREAM_RETURN_IF_ERROR(out_->Flush());
      Status st;
      switch (reader_.Next(&f, timeout, &st)) {
        case FrameReader::Result::kTimeout:
          if (OwnClock() && clock->NowMillis() >= next_own_tick_) {
            SSTREAM_RETURN_IF_ERROR(CloseOwnBatch(false));
          }
          if (idle_ms > 0 && !idle_fired_ && !end_seen_ &&
              clock->NowMillis() >= last_data_ms_ + idle_ms) {
            SSTREAM_RETURN_IF_ERROR(Idle());
          }
          break;
        case FrameReader::Result::kEof:
          if (reader_.truncated()) WarnTruncated();
          if (end_seen_) return End();
          return checkpointed_ ? Stopped() : End();
        case FrameReader::Result::kBadInput:
          if (st.code() == StatusCode::kIOError || st.code() == StatusCode::kPipeClosed) return st;
          if (reader_.fatal()) return st.WithContext(reader_.Position());
          if (end_seen_) return AfterEnd();
          SSTREAM_RETURN_IF_ERROR(bad_->Handle(reader_.Position(), st, reader_.last_bad_bytes()));
          break;
        case FrameReader::Result::kFrame:
          waited = false;
          if (end_seen_) return AfterEnd();
          switch (f.type) {
            case FrameType::kData: {
              last_data_ms_ = now;
              idle_fired_ = false;
              if (AlreadyCommitted(last_epoch_ + 1)) {
                ++replayed_records_;
                break;
              }
              Status s = op_->OnRecord(f, out_);
              if (!s.ok()) {
                if (!s.IsInvalidArgument()) return s;
                SSTREAM_RETURN_IF_ERROR(bad_->Handle(reader_.Position(), s, f.json));
              }
              ++batch_records_;
              break;
            }
            case FrameType::kTick:
              SSTREAM_RETURN_IF_ERROR(OnTick(f.epoch, f.flags));
              break;
            case FrameType::kWatermark:
              if (!ctx_.terminal) SSTREAM_RETURN_IF_ERROR(op_->OnWatermark(f.watermark, out_));
              break;
            case FrameType::kStream:
              SSTREAM_RETURN_IF_ERROR(OnStream(f));
              break;
            case FrameType::kEnd:
              // The stream is over, but the input must be too: what follows
              // END would otherwise be lost (two streams in one pipe). END
              // takes effect at the end of input, which follows at once when
              // upstream exits after writing it.
              end_seen_ = true;
              end_position_ = reader_.Position();
              break;
            default:
              if (!ctx_.terminal) SSTREAM_RETURN_IF_ERROR(out_->WriteFrame(f));
              break;
          }
          break;
      }
    }
  }

 private:
  // Batches close on this stage's clock: upstream sends no TICKs (a foreign
  // filter in between, or plain NDJSON). Under a checkpoint epochs are
  // upstream's alone.
  bool OwnClock() const { return !upstream_ticks_ && !checkpointed_; }

  // An upstream TICK. Epochs must increase: anything else is a broken
  // upstream, and a checkpointed sink would take a repeated epoch for one
  // it committed and drop its records.
  Status OnTick(int64_t upstream_epoch, uint8_t tick_flags) {
    if (upstream_ticks_ && upstream_epoch <= last_upstream_epoch_) {
      return Status::InvalidArgument(fmt::format(
          "{}: epoch {} follows epoch {}: upstream epochs must increase. Is more than one "
          "sstream stream written into this pipe? Run a stage per stream, or strip the "
          "control lines (grep -v '\"@sstream\"') to read their records as one stream",
          reader_.Position(), upstream_epoch, last_upstream_epoch_));
    }
    upstream_ticks_ = true;
    last_upstream_epoch_ = upstream_epoch;
    // Epoch ids only grow downstream: if this stage numbered batches on its
    // own clock before upstream's first tick (or closed one when its input
    // went idle), it continues from its own count. With a checkpoint they
    // are upstream's.
    int64_t epoch = checkpointed_ ? upstream_epoch : std::max(upstream_epoch, last_epoch_ + 1);
    if (AlreadyCommitted(epoch)) {
      last_epoch_ = epoch;
      batch_records_ = 0;
      return Status::OK();
    }
    SSTREAM_RETURN_IF_ERROR(CloseBatch(epoch, tick_flags));
    last_epoch_ = epoch;
    return Status::OK();
  }

  // No data record for IdleTimeoutMs(): the operator finishes what it holds
  // open, and the batch that emits it closes now on this stage's count, or,
  // under a checkpoint, where epochs belong to upstream, at upstream's next
  // TICK (an epoch of its own would collide with upstream's numbers).
  Status Idle() {
    idle_fired_ = true;
    op_->OnIdle();
    if (checkpointed_) {
      Log(LogLevel::kInfo, "input idle: finishing what it holds open at the next epoch");
      return Status::OK();
    }
    Log(LogLevel::kInfo, "input idle: finishing what it holds open");
    int64_t epoch = ++last_epoch_;
    return CloseBatch(epoch);
  }

  // A STREAM signal: what upstream's last stateful stage was. A stateful
  // stage checks it against Spark's rules (UnsupportedOperationChecker) and
  // replaces it with its own; others forward it.
  Status OnStream(const Frame& f) {
    const StreamProperties& up = *f.stream;
    if (stateful_ && up.op == "aggregation") {
      if (own_stream_.op == "deduplication") {
        return Status::Usage(fmt::format(
            "{}: deduplication after an aggregation (upstream runs one in {} mode) is refused, "
            "as Spark refuses dropDuplicates after an aggregation; deduplicate before it",
            reader_.Position(), up.mode));
      }
      if (own_stream_.op == "aggregation" &&
          (up.mode != "append" || own_stream_.mode != "append")) {
        return Status::Usage(fmt::format(
            "{}: this aggregation in {} mode follows an aggregation in {} mode; Spark allows "
            "several streaming aggregations in one query only when all of them are in append "
            "mode (--mode append, with a watermark)",
            reader_.Position(), own_stream_.mode, up.mode));
      }
    }
    if (stateful_ || ctx_.terminal) return Status::OK();
    return out_->WriteFrame(f);
  }

  // Input went on after END.
  Status AfterEnd() {
    return Status::InvalidArgument(fmt::format(
        "{}: input continues after the end of the stream ({}): two sstream streams were "
        "joined into one pipe (saved runs concatenated, or two sources writing one pipe), and "
        "the second would be lost. Run a stage per stream, or strip the control lines "
        "(grep -v '\"@sstream\"') to read their records as one stream",
        reader_.Position(), end_position_));
  }

  // The input ended inside a record: upstream was killed while writing it.
  // The cut record is dropped; what came before it counts, and the end is
  // handled as upstream stopping (sstream(7), END OF INPUT).
  void WarnTruncated() {
    Log(LogLevel::kWarning,
        fmt::format("{}: input ends inside a record ({} byte(s) of it): upstream stopped while "
                    "writing; the cut record is dropped",
                    reader_.truncated_position(), reader_.truncated_bytes()));
  }

  Status CloseBatch(int64_t epoch, uint8_t tick_flags = 0) {
    if (LogEnabled(LogLevel::kDebug)) {
      Log(LogLevel::kDebug, fmt::format("batch {}: {} record(s) in", epoch, batch_records_));
    }
    op_->set_tick_flags(tick_flags);
    SSTREAM_RETURN_IF_ERROR(op_->OnBatchEnd(epoch, out_));
    batch_records_ = 0;
    if (cp_ != nullptr) SSTREAM_RETURN_IF_ERROR(SaveEpoch(epoch));
    if (!ctx_.terminal) return out_->WriteTick(epoch, tick_flags);
    return out_->Flush();
  }

  // The state as of the pipeline's cut; epochs continue from there.
  Status Restore() {
    op_->set_checkpoint(cp_);
    if (op_->HasState()) {
      SSTREAM_RETURN_IF_ERROR(cp_->Load(
          [&](std::string_view key, std::string_view value) { return op_->LoadState(key, value); }));
    }
    SSTREAM_RETURN_IF_ERROR(op_->OnResume());
    last_epoch_ = cp_->cut();
    if (cp_->cut() >= 0) {
      Log(LogLevel::kInfo, fmt::format("resuming after epoch {} (checkpoint {})", cp_->cut(),
                                       cp_->checkpoint()->dir()));
    }
    return Status::OK();
  }

  // After the batch's output: the state it left (before the TICK goes on,
  // so no later stage commits an epoch whose state could be lost), or, in a
  // sink, the commit of its output.
  Status SaveEpoch(int64_t epoch) {
    if (op_->HasState()) {
      changes_.Clear();
      SSTREAM_RETURN_IF_ERROR(op_->SaveState(&changes_));
      SSTREAM_RETURN_IF_ERROR(cp_->Save(epoch, changes_));
    }
    if (ctx_.terminal) SSTREAM_RETURN_IF_ERROR(cp_->Commit(epoch));
    return Status::OK();
  }

  // Input ended without END under a checkpoint: upstream stopped (drained
  // at an epoch boundary) or died. Nothing is flushed; an open epoch is
  // left uncommitted, to be replayed when the pipeline runs again.
  Status Stopped() {
    if (batch_records_ > 0) {
      Log(LogLevel::kWarning,
          fmt::format("input stopped inside epoch {} ({} record(s) in): it is not committed and "
                      "will be replayed when the pipeline runs again",
                      last_epoch_ + 1, batch_records_));
    } else {
      Log(LogLevel::kInfo, fmt::format("input stopped after epoch {}", last_epoch_));
    }
    return Finish(false);
  }

  // A batch on our own clock (no upstream ticks). Empty batches are skipped,
  // as Spark skips triggers without new data.
  Status CloseOwnBatch(bool force) {
    int64_t interval = own_tick_ms_;
    while (next_own_tick_ <= ctx_.clock->NowMillis()) next_own_tick_ += interval;
    if (upstream_ticks_ && !force) return Status::OK();
    if (batch_records_ == 0) return Status::OK();
    int64_t epoch = ++last_epoch_;
    return CloseBatch(epoch);
  }

  Status End() {
    if (batch_records_ > 0) {
      int64_t epoch = ++last_epoch_;
      SSTREAM_RETURN_IF_ERROR(CloseBatch(epoch));
    }
    const int64_t before = out_->records_written();
    SSTREAM_RETURN_IF_ERROR(op_->OnEnd(out_));
    // Under a checkpoint what the end flushed is an epoch of its own, saved
    // and committed like any other, so a rerun does not flush it again.
    // (Without rows, no epoch: an empty one would move batch-counted windows.)
    const bool flushed = out_->records_written() > before;
    if (checkpointed_ && flushed && !ctx_.terminal) {
      int64_t epoch = ++last_epoch_;
      SSTREAM_RETURN_IF_ERROR(CloseBatch(epoch));
    }
    return Finish(true);
  }

  // A sink that committed `epoch` before a restart leaves its replay out.
  bool AlreadyCommitted(int64_t epoch) const {
    return ctx_.terminal && cp_ != nullptr && epoch <= cp_->committed();
  }

  Status Finish(bool ended) {
    if (!ctx_.terminal && ended) SSTREAM_RETURN_IF_ERROR(out_->WriteEnd());
    SSTREAM_RETURN_IF_ERROR(out_->Flush());
    op_->Summarize();
    bad_->Summarize();
    if (replayed_records_ > 0) {
      Log(LogLevel::kInfo, fmt::format("skipped {} record(s) of epochs committed before",
                                       replayed_records_));
    }
    return Status::OK();
  }

  const StageContext& ctx_;
  Operator* op_;
  FrameWriter* out_;
  BadRecordHandler* bad_;
  FrameReader reader_;
  bool upstream_ticks_ = false;
  int64_t last_upstream_epoch_ = -1;
  bool end_seen_ = false;  // END arrived: only the end of input may follow
  bool stateful_ = false;
  StreamProperties own_stream_;
  std::string end_position_;
  int64_t own_tick_ms_ = 1000;
  int64_t next_own_tick_ = 0;
  int64_t last_epoch_ = -1;
  int64_t last_data_ms_ = 0;
  bool idle_fired_ = false;
  int64_t batch_records_ = 0;
  const bool checkpointed_;
  StageCheckpoint* cp_;
  StateChanges changes_;
  int64_t replayed_records_ = 0;
};

}  // namespace

Status RunStage(const StageContext& ctx, Operator* op) {
  std::unique_ptr<BadRecordHandler> bad;
  SSTREAM_RETURN_IF_ERROR(Status::AsUsage(BadRecordHandler::Create(*ctx.common, &bad)));
  WireFormat format = WireFormat::kJson;
  std::function<bool()> write_control = [] { return false; };
  if (!ctx.terminal) {
    SSTREAM_RETURN_IF_ERROR(
        Status::AsUsage(ResolveOutput(*ctx.common, ctx.output_fd, &format, &write_control)));
  }
  FrameWriter out(ctx.output, format);
  out.set_control_decider(std::move(write_control));
  op->set_strict(ctx.common->strict);
  StageLoop loop(ctx, op, &out, bad.get());
  return loop.Run();
}

}  // namespace sstream

namespace sstream {

Status RunStdioStage(const CommonOptions& common,
                     const std::function<Status(std::unique_ptr<Operator>*)>& make_operator,
                     bool terminal) {
  // Shared options first: a bad --tick is a usage error even when building
  // the operator would fail on something else (a missing table file).
  SSTREAM_RETURN_IF_ERROR(Status::AsUsage(CheckCommonOptions(common)));
  std::unique_ptr<Operator> op;
  SSTREAM_RETURN_IF_ERROR(make_operator(&op));
  std::unique_ptr<StageCheckpoint> cp;
  if (!common.checkpoint.empty() && (op->HasState() || terminal)) {
    SSTREAM_RETURN_IF_ERROR(OpenStageCheckpoint(common, op->fingerprint(), &cp));
  }
  EnlargePipeBuffer(STDIN_FILENO);
  if (!terminal) EnlargePipeBuffer(STDOUT_FILENO);
  FdSource in(STDIN_FILENO, "stdin");
  FdSink out(STDOUT_FILENO, "stdout");
  StageContext ctx;
  ctx.input = &in;
  ctx.output = &out;
  ctx.clock = &DefaultClock();
  ctx.common = &common;
  ctx.terminal = terminal;
  ctx.output_fd = STDOUT_FILENO;
  ctx.checkpoint = cp.get();
  return RunStage(ctx, op.get());
}

}  // namespace sstream
