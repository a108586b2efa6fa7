// Stage: the loop every sstream filter runs, and the Operator it drives.
//
// RunStage reads frames (JSON lines or binary, detected), hands data records
// to an Operator, and at each batch boundary lets the operator emit its output
// for the batch before forwarding the TICK — so a TICK downstream always
// follows everything the batch produced. Control frames the operator does not
// consume are forwarded unchanged.
//
// When upstream sends no TICKs (a foreign filter such as grep or jq sits in
// between, or plain NDJSON comes from a file), the stage closes batches on its
// own clock every `own_tick_ms`, on time at any input rate. Upstream epochs
// must increase. End of input (EOF, after an END frame or without one) closes
// the open batch and calls Operator::OnEnd, which flushes state; anything
// after END is an error (two streams in one pipe), and a record cut off by
// EOF (a killed upstream) is dropped with a warning, not counted as bad.
//
// A stateful operator (Operator::Stateful) checks upstream's STREAM signal
// against Spark's rules for chained stateful operators and writes its own.
//
// Bad records (an operator returns InvalidArgument, or the reader reports a
// bad line/frame) follow the BadRecordPolicy: fail with the input position,
// skip and count, or append to a dead-letter file and count.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "sstream/checkpoint.h"
#include "sstream/clock.h"
#include "sstream/frame.h"
#include "sstream/io.h"
#include "sstream/status.h"

namespace sstream {

enum class BadRecordPolicy { kFail, kSkip, kDeadLetter };

// Options every stage tool shares (defined once in AddCommonOptions).
struct CommonOptions {
  std::string bad_records = "fail";  // fail | skip | dead-letter
  std::string dead_letter;           // file for --bad-records dead-letter
  std::string wire = "json";         // output wire format: json | binary
  std::string control = "auto";      // control signals: auto | always | never
  bool data_only = false;            // --data-only: --control never
  std::string tick = "1s";           // own batch interval when upstream sends no ticks
  int64_t max_record_bytes = 16 << 20;
  std::string checkpoint;            // checkpoint directory (empty: none)
  std::string checkpoint_name;       // this stage's name in it (tools set their default)
  // A field the query names that no record of a batch has is an error, not
  // a warning; sstream-map's type errors make records bad, not null.
  bool strict = false;
};

// Counts and the dead-letter file for bad records, shared by sources and stages.
class BadRecordHandler {
 public:
  static Status Create(const CommonOptions& o, std::unique_ptr<BadRecordHandler>* out);
  ~BadRecordHandler();
  // Applies the policy to a bad record at `position`. Returns the error to
  // stop with (kFail), or OK after counting it.
  Status Handle(const std::string& position, const Status& error, std::string_view raw);
  int64_t count() const { return count_; }
  void Summarize() const;  // logs "skipped N bad records" when N > 0

 private:
  BadRecordHandler() = default;
  BadRecordPolicy policy_ = BadRecordPolicy::kFail;
  std::unique_ptr<FdSink> dead_letter_;
  std::string dead_letter_path_;
  int64_t count_ = 0;
};

class Operator {
 public:
  virtual ~Operator() = default;
  // One data record of the open batch. InvalidArgument marks the record bad.
  virtual Status OnRecord(const Frame& frame, FrameWriter* out) = 0;
  // The batch `epoch` closes; emit its output. The TICK is forwarded after.
  virtual Status OnBatchEnd(int64_t epoch, FrameWriter* out) {
    (void)epoch;
    (void)out;
    return Status::OK();
  }
  // An upstream WATERMARK; the default forwards it.
  virtual Status OnWatermark(int64_t ms, FrameWriter* out) { return out->WriteWatermark(ms); }
  // End of input: flush all state. END is forwarded after.
  virtual Status OnEnd(FrameWriter* out) {
    (void)out;
    return Status::OK();
  }
  // Idle input: when IdleTimeoutMs() > 0 and no data record has arrived for
  // that long, OnIdle runs once (until data comes again) and a batch closes
  // right after it, so the operator emits in OnBatchEnd as usual. Beyond
  // Spark: lets a stage finish windows a quiet source holds open.
  virtual int64_t IdleTimeoutMs() const { return -1; }
  virtual void OnIdle() {}
  // Logs the operator's counters at the end of the run.
  virtual void Summarize() const {}
  // A stateful operator says what it is and its output mode (StreamProperties
  // in frame.h). The stage then refuses an upstream Spark would refuse before
  // it (a second aggregation unless both are in append mode, deduplication
  // after an aggregation) and writes its own STREAM signal before its output
  // instead of forwarding upstream's. Stateless operators return false.
  virtual bool Stateful(StreamProperties* own) const {
    (void)own;
    return false;
  }

  // Checkpoints (checkpoint.h, sstream(7) "Checkpoints"). An operator that
  // keeps state across batches says so, names its query (the fingerprint a
  // restart must match), takes its state back entry by entry at start, and
  // after each OnBatchEnd adds what the batch changed. The defaults suit
  // stateless operators.
  virtual bool HasState() const { return false; }
  virtual Status LoadState(std::string_view key, std::string_view value) {
    (void)value;
    return Status::Internal("unexpected state entry '" + std::string(key) + "'");
  }
  virtual Status SaveState(StateChanges* changes) {
    (void)changes;
    return Status::OK();
  }
  // After the state is loaded (or, in a sink, the checkpoint opened), before
  // the first record.
  virtual Status OnResume() { return Status::OK(); }
  // Set before the first record when the stage keeps a checkpoint: only
  // then do operators track what changed.
  void set_checkpoint(StageCheckpoint* cp) {
    checkpointing_ = true;
    checkpoint_ = cp;
  }
  // --strict (CommonOptions), set before the first record.
  void set_strict(bool strict) { strict_ = strict; }

  // The operator's query as text: a restart must match it.
  const std::string& fingerprint() const { return fingerprint_; }
  void set_fingerprint(std::string text) { fingerprint_ = std::move(text); }
  // The flags of the TICK that ends the batch (kTickLastOfRun), set before
  // OnBatchEnd; 0 for batches the stage closes itself.
  void set_tick_flags(uint8_t flags) { tick_flags_ = flags; }

 protected:
  uint8_t tick_flags_ = 0;
  bool checkpointing_ = false;
  StageCheckpoint* checkpoint_ = nullptr;  // state kept in LMDB reads it here
  std::string fingerprint_;
  bool strict_ = false;
};

struct StageContext {
  ByteSource* input = nullptr;
  ByteSink* output = nullptr;
  Clock* clock = nullptr;
  const CommonOptions* common = nullptr;
  // Sinks format their own output: no frames are written and control frames
  // are not forwarded.
  bool terminal = false;
  int output_fd = -1;  // when >= 0: a terminal? a pipe read by whom? (see ResolveOutput)
  int64_t stop_grace_ms = 2000;
  // With a checkpoint: epochs follow upstream's ticks exactly, state is
  // saved at each, a terminal stage commits each, and input that ends
  // without END (upstream stopped or died) leaves the open epoch to replay.
  StageCheckpoint* checkpoint = nullptr;
};

Status RunStage(const StageContext& ctx, Operator* op);
// Checks the shared options (policy, --dead-letter, --tick, --wire,
// --max-record-bytes, --checkpoint-name) without touching any file.
Status CheckCommonOptions(const CommonOptions& o);
// A usage error unless --checkpoint-name is a valid stage name.
Status CheckCheckpointName(const CommonOptions& o);

// Opens the stage's part of the checkpoint named by o.checkpoint (none when
// empty: *out stays null).
Status OpenStageCheckpoint(const CommonOptions& o, const std::string& fingerprint,
                           std::unique_ptr<StageCheckpoint>* out);

// RunStage over stdin and stdout with the system clock: checks the shared
// options, then builds the operator with `make_operator`, then runs it.
Status RunStdioStage(const CommonOptions& common,
                     const std::function<Status(std::unique_ptr<Operator>*)>& make_operator,
                     bool terminal = false);

// How long a stage waits for the reader of its output pipe to start its
// program before deciding whether control signals go with the data
// (IdentifyPipeReader); documented in sstream(7).
inline constexpr int64_t kPipeReaderWaitMs = 1000;

// A stage's output on `fd` (-1: not a descriptor): the wire format, and
// whether control signals go with the data, as FrameWriter's decider
// (set_control_decider). --control always writes them and never (or
// --data-only) does not; auto leaves them out on a terminal, keeps them in
// binary output and on anything but a pipe (a file can be replayed), and on a
// pipe of JSON writes them only when an sstream tool reads it, or when its
// readers cannot be seen. Binary output to a terminal is refused.
Status ResolveOutput(const CommonOptions& o, int fd, WireFormat* format,
                     std::function<bool()>* write_control);

}  // namespace sstream
