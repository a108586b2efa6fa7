#include "sstream/window.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <iterator>
#include <limits>
#include <map>
#include <set>
#include <tuple>
#include <memory>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "common/codec.h"
#include "ops/aggregate.h"
#include "ops/group_table.h"
#include "ops/text_util.h"
#include "sstream/batch_window.h"
#include "sstream/dedup.h"
#include "sstream/log.h"
#include "sstream/record.h"
#include "sstream/sketch.h"
#include "sstream/watermark.h"

namespace sstream {

Status ParseOutputMode(std::string_view text, OutputMode* out) {
  if (text == "append") {
    *out = OutputMode::kAppend;
  } else if (text == "update") {
    *out = OutputMode::kUpdate;
  } else if (text == "complete") {
    *out = OutputMode::kComplete;
  } else {
    return Status::InvalidArgument(
        fmt::format("unknown output mode '{}' (expected append, update or complete)", text));
  }
  return Status::OK();
}

namespace {

using text::Lower;
using text::SplitTopLevel;
using text::Trim;

}  // namespace

namespace {

// One session of one group key: [start, end) and its aggregates.
struct Session {
  int64_t end = 0;
  AggGroup group;
};
// Per group key, the key's sessions by start (never overlapping or touching).
using SessionMap = std::map<int64_t, Session>;

class WindowOperator final : public Operator {
 public:
  Status Init(const WindowOptions& o) {
    int kinds = !o.tumbling.empty() + !o.sliding.empty() +
                (!o.session.empty() || !o.session_gap_field.empty());
    if (kinds == 0 && o.slide.empty()) return InitUnwindowed(o);
    if (o.time_field.empty()) return Status::InvalidArgument("--time FIELD is required");
    if (kinds != 1) {
      return Status::InvalidArgument(
          "give one of --tumbling SIZE, --sliding SIZE --slide EVERY, or --session GAP "
          "(or --session-gap-field FIELD)");
    }
    if (!o.slide.empty() && o.sliding.empty()) {
      return Status::InvalidArgument("--slide goes with --sliding");
    }
    if (!o.session.empty() || !o.session_gap_field.empty()) {
      SSTREAM_RETURN_IF_ERROR(InitSessions(o));
    } else if (!o.tumbling.empty()) {
      SSTREAM_RETURN_IF_ERROR(ParseDuration(o.tumbling, &size_ms_).WithContext("--tumbling"));
      slide_ms_ = size_ms_;
    } else {
      if (o.slide.empty()) return Status::InvalidArgument("--sliding needs --slide EVERY");
      SSTREAM_RETURN_IF_ERROR(ParseDuration(o.sliding, &size_ms_).WithContext("--sliding"));
      SSTREAM_RETURN_IF_ERROR(ParseDuration(o.slide, &slide_ms_).WithContext("--slide"));
      if (slide_ms_ <= 0) return Status::InvalidArgument("--slide must be positive");
      // Spark: "The slide duration must be less than or equal to the windowDuration."
      if (slide_ms_ > size_ms_) {
        return Status::InvalidArgument("--slide must not be longer than the window (--sliding)");
      }
      // Each row updates every window that holds it: bound the count so one
      // row cannot keep the stage busy for hours.
      const int64_t per_row = (size_ms_ + slide_ms_ - 1) / slide_ms_;
      if (per_row > kMaxWindowsPerRow) {
        return Status::InvalidArgument(fmt::format(
            "--sliding {} with --slide {} puts each row in {} windows; at most {} are allowed "
            "(use a longer --slide)",
            o.sliding, o.slide, per_row, kMaxWindowsPerRow));
      }
    }
    if (!sessions_) {
      if (size_ms_ <= 0) return Status::InvalidArgument("the window size must be positive");
      SSTREAM_RETURN_IF_ERROR(ParseDuration(o.offset, &offset_ms_).WithContext("--offset"));
      // Spark: "The absolute value of start time must be less than the slideDuration."
      if (offset_ms_ >= slide_ms_) {
        return Status::InvalidArgument("--offset must be smaller than the slide (or tumbling size)");
      }
    }
    SSTREAM_RETURN_IF_ERROR(ParseTimeFormat(o.time_format, &time_format_));
    if (o.output_time_format != "input") {
      SSTREAM_RETURN_IF_ERROR(ParseTimeFormat(o.output_time_format, &out_format_));
      fixed_out_format_ = out_format_ != TimeFormat::kAuto;
    }
    SSTREAM_RETURN_IF_ERROR(ParseOutputMode(o.mode, &mode_));
    if (sessions_ && mode_ == OutputMode::kUpdate) {
      // SPEC §3 rule 6: sessions support append and complete.
      return Status::InvalidArgument(
          "update mode is not supported with session windows (use append or complete)");
    }
    if (sessions_ && o.by.empty()) {
      return Status::InvalidArgument("session windows need a group key (--by FIELDS)");
    }
    if (!o.watermark.empty()) {
      SSTREAM_RETURN_IF_ERROR(NewWatermarkTracker(o.watermark, o.watermark_policy, &watermark_));
    } else if (mode_ == OutputMode::kAppend) {
      // Spark: "Append output mode not supported when there are streaming
      // aggregations on streaming DataFrames/DataSets without watermark".
      return Status::InvalidArgument(
          "append mode needs a watermark: without one a window never closes (add --watermark "
          "DELAY, or use --mode update or --mode complete)");
    }
    if (!o.idle_timeout.empty()) {
      if (!watermark_) return Status::InvalidArgument("--idle-timeout needs --watermark");
      SSTREAM_RETURN_IF_ERROR(ParseDuration(o.idle_timeout, &idle_ms_).WithContext("--idle-timeout"));
      if (idle_ms_ <= 0) return Status::InvalidArgument("--idle-timeout must be positive");
    }
    if (!o.late_output.empty()) {
      if (!watermark_) return Status::InvalidArgument("--late-output needs --watermark");
      Status s = OpenFileSink(o.late_output, /*append=*/true, &late_out_);
      if (!s.ok()) return s.WithContext("--late-output");
    }
    if (sessions_ && o.state_store == "lmdb") {
      return Status::InvalidArgument("--state-store lmdb holds tumbling and sliding windows");
    }
    SSTREAM_RETURN_IF_ERROR(InitStateStore(o.state_store));
    time_field_ = o.time_field;
    SSTREAM_RETURN_IF_ERROR(columns_.Add(o.time_field, "--time", &time_index_));
    SSTREAM_RETURN_IF_ERROR(PlanGroupedAggregation(o.by, o.agg, &columns_, &plan_));
    if (!o.session_gap_field.empty()) gap_index_ = columns_.AddPath(o.session_gap_field);
    scanner_ = std::make_unique<RecordScanner>(columns_.paths());
    columns_.Bind(scanner_.get());
    return Status::OK();
  }

  // --state-store: memory, or lmdb (groups live in the checkpoint), which
  // cannot serve complete mode.
  Status InitStateStore(const std::string& store) {
    if (store == "lmdb") {
      if (mode_ == OutputMode::kComplete) {
        return Status::InvalidArgument(
            "--state-store lmdb does not combine with complete mode (it emits all state every "
            "batch: keep it in memory)");
      }
      lmdb_ = true;
    } else if (store != "memory") {
      return Status::InvalidArgument(
          fmt::format("unknown --state-store '{}' (expected memory or lmdb)", store));
    }
    return Status::OK();
  }

  // Aggregation without a window (Spark's groupBy(...).agg(...) on a stream):
  // one table of groups for the whole stream, emitted in update or complete
  // mode, never evicted. No event time is read.
  Status InitUnwindowed(const WindowOptions& o) {
    unwindowed_ = true;
    SSTREAM_RETURN_IF_ERROR(ParseOutputMode(o.mode, &mode_));
    if (mode_ == OutputMode::kAppend) {
      // Spark: "Append output mode not supported when there are streaming
      // aggregations on streaming DataFrames/DataSets without watermark";
      // with no window, no watermark could ever finish a group either.
      return Status::InvalidArgument(
          "append mode needs a window that a watermark closes: aggregation without a window "
          "runs in --mode update or --mode complete (or give --tumbling, --sliding or "
          "--session with --time and --watermark)");
    }
    if (!o.time_field.empty() || !o.watermark.empty() || !o.late_output.empty() ||
        !o.idle_timeout.empty()) {
      return Status::InvalidArgument(
          "--time, --watermark, --late-output and --idle-timeout need a window (--tumbling, "
          "--sliding or --session)");
    }
    SSTREAM_RETURN_IF_ERROR(InitStateStore(o.state_store));
    SSTREAM_RETURN_IF_ERROR(PlanGroupedAggregation(o.by, o.agg, &columns_, &plan_));
    scanner_ = std::make_unique<RecordScanner>(columns_.paths());
    columns_.Bind(scanner_.get());
    return Status::OK();
  }

  Status InitSessions(const WindowOptions& o) {
    sessions_ = true;
    if (!o.session.empty() && !o.session_gap_field.empty()) {
      return Status::InvalidArgument("give --session GAP or --session-gap-field FIELD, not both");
    }
    if (!o.session.empty()) {
      SSTREAM_RETURN_IF_ERROR(ParseDuration(o.session, &gap_ms_).WithContext("--session"));
      if (gap_ms_ <= 0) return Status::InvalidArgument("--session: the gap must be positive");
    }
    return Status::OK();
  }

  Status OnRecord(const Frame& f, FrameWriter*) override {
    SSTREAM_RETURN_IF_ERROR(scanner_->Scan(f));
    columns_.Seen(f.json);
    if (columns_.has_expressions()) SSTREAM_RETURN_IF_ERROR(columns_.Compute());
    if (unwindowed_) {
      key_ = BuildGroupKey(*scanner_, plan_.key_index, &key_scratch_);
      return AddToWindow(kUnwindowedStart, HashKey(key_));
    }
    const std::string_view raw_time = scanner_->value(time_index_);
    if (KindOfRaw(raw_time) == JsonKind::kNull) {
      // Spark's window() and watermark leave out rows whose event time is
      // null; a missing or unreadable time stays a bad record.
      ++null_time_rows_;
      return Status::OK();
    }
    int64_t t;
    TimeFormat used;
    Status s = EventTimeFromRaw(raw_time, time_format_, &t, &used);
    if (!s.ok()) return s.WithContext(fmt::format("field '{}'", time_field_));
    if (!fixed_out_format_ && !format_seen_) {
      out_format_ = used;
      format_seen_ = true;
    }
    if (watermark_) watermark_->Observe(t);
    key_ = BuildGroupKey(*scanner_, plan_.key_index, &key_scratch_);
    if (sessions_) return AddToSession(f, t);
    const uint64_t hash = HashKey(key_);
    Status status;
    bool late = false;
    ForEachWindow(t, size_ms_, slide_ms_, offset_ms_, [&](int64_t start) {
      if (!status.ok()) return;
      // Late for this window: its end is at or behind the watermark in effect
      // (a sliding row can be late for one window and not the next).
      if (watermark_ && mode_ != OutputMode::kComplete &&
          start + size_ms_ <= watermark_->current()) {
        late = true;
        if (late_out_) status = WriteLate(f.json, start, start + size_ms_);
        return;
      }
      status = AddToWindow(start, hash);
    });
    late_rows_ += late;  // rows, not (row, window) pairs
    return status;
  }

  // Adds the scanned row to its group (key_, of `hash`) in the window at `start`.
  Status AddToWindow(int64_t start, uint64_t hash) {
    GroupTable& table = Window(start);
    AggGroup* g = table.FindOrAdd(key_, hash);
    if (g == nullptr) {
      return Status::InvalidArgument(
          "the group keys of one window passed 4 GiB (use a shorter window or fewer keys)");
    }
    if (lmdb_ && g->count == 0 && !g->slots) {
      SSTREAM_RETURN_IF_ERROR(LoadStored(start, key_, g));  // the group as of the last batch
    }
    plan_.aggregator.Add(g, *scanner_);
    if (checkpointing_ && !g->unsaved) {
      g->unsaved = true;
      changed_.emplace_back(start, table.IdOf(g));
    }
    return Status::OK();
  }

  // Beyond Spark: a late row goes to the side output instead of vanishing,
  // with the window it missed and the watermark that closed it.
  Status WriteLate(std::string_view record, int64_t start, int64_t end) {
    late_buf_.assign(sessions_ ? "{\"session_start\":" : "{\"window_start\":");
    AppendTime(&late_buf_, start, out_format_);
    late_buf_.append(sessions_ ? ",\"session_end\":" : ",\"window_end\":");
    AppendTime(&late_buf_, end, out_format_);
    late_buf_.append(",\"watermark\":");
    AppendTime(&late_buf_, watermark_->current(), out_format_);
    late_buf_.append(",\"record\":");
    late_buf_.append(record);
    late_buf_.append("}\n");
    Status s = late_out_->Write(late_buf_);
    return s.ok() ? s : s.WithContext("--late-output");
  }

  // The groups of the window starting at `start`. Rows mostly fall in the
  // window of the row before, so that one is remembered.
  GroupTable& Window(int64_t start) {
    if (last_window_ == nullptr || last_start_ != start) {
      last_window_ = &windows_[start];
      last_start_ = start;
      if (lmdb_) open_windows_.insert(start);
    }
    return *last_window_;
  }

  // --state-store lmdb: windows live in the checkpoint's state; windows_
  // caches the groups of the current batch only.
  std::string StoredKey(int64_t start, std::string_view key) const {
    std::string k = "w";
    PutOrderedI64(&k, start);
    k.append(key);
    return k;
  }

  Status LoadStored(int64_t start, std::string_view key, AggGroup* g) {
    std::string_view value;
    bool found;
    SSTREAM_RETURN_IF_ERROR(checkpoint_->LookupState(StoredKey(start, key), &value, &found));
    if (found && !plan_.aggregator.LoadGroup(value, g)) return Damaged(StoredKey(start, key));
    return Status::OK();
  }

  // The whole window in memory (to emit it): stored groups not in the cache.
  Status Materialize(int64_t start) {
    GroupTable& table = Window(start);
    return checkpoint_->ScanState(StoredKey(start, ""), [&](std::string_view k, std::string_view v) {
      AggGroup* g = table.FindOrAdd(k.substr(9));
      if (g == nullptr) return Status::InvalidArgument("the group keys of one window passed 4 GiB");
      if (g->count == 0 && !g->slots && !plan_.aggregator.LoadGroup(v, g)) return Damaged(k);
      return Status::OK();
    });
  }

  // The start of every open window, oldest first.
  std::vector<int64_t> OpenWindows() const {
    std::vector<int64_t> out;
    if (lmdb_) return std::vector<int64_t>(open_windows_.begin(), open_windows_.end());
    for (const auto& [start, table] : windows_) out.push_back(start);
    return out;
  }

  int64_t IdleTimeoutMs() const override { return idle_ms_; }

  // The input has been quiet for --idle-timeout: at the batch boundary that
  // follows, the watermark moves to the end of the newest open window (or
  // session), so every open one is final.
  void OnIdle() override {
    int64_t newest_end = watermark_->current();
    const std::vector<int64_t> open = OpenWindows();
    if (!open.empty()) newest_end = std::max(newest_end, open.back() + size_ms_);
    for (const auto& [key, sessions] : sessions_by_key_) {
      for (const auto& [start, session] : sessions) newest_end = std::max(newest_end, session.end);
    }
    watermark_->RaiseTo(newest_end);
  }

  // Emits and evicts by output mode once the watermark has (or has not)
  // advanced. The last batch of a run-once trigger (kTickLastOfRun) advances
  // the watermark after its eviction instead of before: Spark runs no
  // no-data batch after Trigger.Once, so what the new watermark closes is
  // emitted by the next batch, the next run's first (which evicts by the
  // watermark it starts with whether or not it advances).
  Status OnBatchEnd(int64_t epoch, FrameWriter* out) override {
    SSTREAM_RETURN_IF_ERROR(columns_.EndBatch(epoch, strict_));
    const bool last_of_run = (tick_flags_ & kTickLastOfRun) != 0;
    const bool evict = watermark_ && watermark_->BeginBatchEnd(last_of_run);
    if (!sessions_) NoteStateSize();
    if (sessions_) {
      SSTREAM_RETURN_IF_ERROR(SessionBatchEnd(evict, out));
    } else {
      switch (mode_) {
        case OutputMode::kComplete:
          for (auto& [start, groups] : windows_) SSTREAM_RETURN_IF_ERROR(EmitWindow(start, groups, false, out));
          break;
        case OutputMode::kUpdate:
          for (auto& [start, groups] : windows_) SSTREAM_RETURN_IF_ERROR(EmitWindow(start, groups, true, out));
          if (evict) SSTREAM_RETURN_IF_ERROR(Evict(false, out));
          break;
        case OutputMode::kAppend:
          if (evict) SSTREAM_RETURN_IF_ERROR(Evict(true, out));
          break;
      }
    }
    if (watermark_ && watermark_->FinishBatchEnd(last_of_run)) {
      SSTREAM_RETURN_IF_ERROR(out->WriteWatermark(watermark_->current()));
    }
    return Status::OK();
  }

  Status OnWatermark(int64_t ms, FrameWriter* out) override {
    // With its own --watermark the stage combines upstream's into it (taking
    // effect at the next boundary) and announces the result itself.
    if (!watermark_) return out->WriteWatermark(ms);
    watermark_->ObserveUpstream(ms);
    return Status::OK();
  }

  Status OnEnd(FrameWriter* out) override {
    // End of input: every open window is final (append mode flushes them all).
    // The watermark then moves to the newest flushed end, at the boundary
    // that saves the flush (stage.h): flushed windows are final, so a later
    // run under the same checkpoint finds rows for them late instead of
    // opening and emitting them a second time.
    if (mode_ == OutputMode::kAppend && sessions_) {
      // A row merges with a session it touches (t <= end): with the gap
      // added, every such row is late (t + gap <= end + gap). A gap read
      // from each row has no such bound: the newest end is what is known.
      int64_t newest_end = std::numeric_limits<int64_t>::min();
      for (const auto& [key, sessions] : sessions_by_key_) {
        for (const auto& [start, session] : sessions) newest_end = std::max(newest_end, session.end);
      }
      if (newest_end != std::numeric_limits<int64_t>::min()) {
        watermark_->RaiseTo(newest_end + gap_ms_);
      }
      return EmitSessions([](int64_t, const Session&) { return true; }, true, out);
    }
    if (mode_ == OutputMode::kAppend) {
      NoteStateSize();
      const std::vector<int64_t> open = OpenWindows();
      if (!open.empty()) watermark_->RaiseTo(open.back() + size_ms_);
      for (int64_t start : open) {
        if (lmdb_) SSTREAM_RETURN_IF_ERROR(Materialize(start));
        SSTREAM_RETURN_IF_ERROR(EmitWindow(start, windows_[start], false, out));
        if (checkpointing_) evicted_.push_back(start);
      }
      windows_.clear();
      open_windows_.clear();
      last_window_ = nullptr;
    }
    return Status::OK();
  }

  void Summarize() const override {
    if (peak_groups_ > 0 && unwindowed_) {
      Log(LogLevel::kInfo,
          fmt::format("state at its largest: {} group(s), {:.1f} MiB", peak_groups_,
                      static_cast<double>(peak_state_bytes_) / (1 << 20)));
    } else if (peak_groups_ > 0) {
      Log(LogLevel::kInfo,
          fmt::format("state at its largest: {} group(s) in {} window(s), {:.1f} MiB", peak_groups_,
                      peak_windows_, static_cast<double>(peak_state_bytes_) / (1 << 20)));
    }
    if (bad_gap_rows_ > 0) {
      Log(LogLevel::kWarning,
          fmt::format("dropped {} row(s) whose session gap was missing, not a duration or not "
                      "positive",
                      bad_gap_rows_));
    }
    if (null_time_rows_ > 0) {
      Log(LogLevel::kWarning,
          fmt::format("dropped {} row(s) whose event time was null", null_time_rows_));
    }
    if (late_rows_ > 0 && late_out_) {
      Log(LogLevel::kInfo, fmt::format("{} late row(s) written to the late output", late_rows_));
    } else if (late_rows_ > 0 && sessions_) {
      Log(LogLevel::kWarning,
          fmt::format("dropped {} late row(s): their session had closed (t + gap <= watermark)",
                      late_rows_));
    } else if (late_rows_ > 0) {
      Log(LogLevel::kWarning,
          fmt::format("dropped {} late row(s): their window had closed (end <= watermark)",
                      late_rows_));
    }
  }

  // Checkpoints. State keys (sstream(7), CHECKPOINTS):
  //   "m"                               the watermark and the output time format
  //   "w" + window start + group key    a window's group (aggregates); start 0
  //                                     holds the groups of aggregation without a window
  //   "s" + group key + NUL + start     a session (its end, then aggregates)
  // Window starts are 8 bytes that sort as numbers; group keys are JSON text.
  bool HasState() const override { return true; }
  bool Stateful(StreamProperties* own) const override {
    own->op = "aggregation";
    own->mode = mode_ == OutputMode::kAppend   ? "append"
                : mode_ == OutputMode::kUpdate ? "update"
                                               : "complete";
    return true;
  }

  Status LoadState(std::string_view key, std::string_view value) override {
    Decoder k(key.substr(std::min<size_t>(1, key.size())));
    if (key == "m") {
      Decoder d(value);
      const std::string_view wm = d.Bytes();
      out_format_ = static_cast<TimeFormat>(d.I64());
      format_seen_ = d.I64() != 0;
      if (!d.done() || (watermark_ && !watermark_->LoadState(wm))) return Damaged(key);
      return Status::OK();
    }
    if (key[0] == 'w') {
      const int64_t start = k.OrderedI64();
      if (!k.ok()) return Damaged(key);
      if (lmdb_) {  // stays in the checkpoint; read when a batch touches it
        open_windows_.insert(start);
        return Status::OK();
      }
      GroupTable& table = Window(start);
      AggGroup* g = table.FindOrAdd(k.rest());
      if (g == nullptr || !plan_.aggregator.LoadGroup(value, g)) return Damaged(key);
      return Status::OK();
    }
    if (key[0] == 's') {
      // "s" + group key + NUL + 8 bytes of start (which may hold NULs too).
      if (key.size() < 10 || key[key.size() - 9] != '\0') return Damaged(key);
      const size_t nul = key.size() - 9;
      Decoder st(key.substr(nul + 1));
      const int64_t start = st.OrderedI64();
      Decoder d(value);
      Session session;
      session.end = d.I64();
      if (!d.ok() || !plan_.aggregator.LoadGroup(d.rest(), &session.group)) return Damaged(key);
      sessions_by_key_[std::string(key.substr(1, nul - 1))].emplace(start, std::move(session));
      return Status::OK();
    }
    return Damaged(key);
  }

  Status SaveState(StateChanges* changes) override {
    for (int64_t start : evicted_) {  // whole windows: retired, not erased key by key
      state_key_.assign("w");
      PutOrderedI64(&state_key_, start);
      changes->RetirePrefix(state_key_);
    }
    evicted_.clear();
    for (const auto& [start, id] : changed_) {
      auto it = windows_.find(start);
      if (it == windows_.end() || id >= it->second.size()) continue;  // evicted since
      AggGroup& g = it->second.group(id);
      g.unsaved = false;
      state_key_.assign("w");
      PutOrderedI64(&state_key_, start);
      state_key_.append(it->second.key(id));
      state_value_.clear();
      plan_.aggregator.SaveGroup(g, &state_value_);
      changes->Put(state_key_, state_value_);
    }
    changed_.clear();
    for (const std::string& key : touched_) {
      state_key_.assign("s").append(key).push_back('\0');
      changes->ErasePrefix(state_key_);
      auto it = sessions_by_key_.find(key);
      if (it == sessions_by_key_.end()) continue;
      const size_t prefix = state_key_.size();
      for (const auto& [start, session] : it->second) {
        state_key_.resize(prefix);
        PutOrderedI64(&state_key_, start);
        state_value_.clear();
        PutI64(&state_value_, session.end);
        plan_.aggregator.SaveGroup(session.group, &state_value_);
        changes->Put(state_key_, state_value_);
      }
    }
    touched_.clear();
    state_value_.clear();
    std::string wm;
    if (watermark_) watermark_->AppendState(&wm);
    PutBytes(&state_value_, wm);
    PutI64(&state_value_, static_cast<int64_t>(out_format_));
    PutI64(&state_value_, format_seen_);
    changes->Put("m", state_value_);
    if (lmdb_) {  // what the batch touched is in `changes` now: free it
      windows_.clear();
      last_window_ = nullptr;
    }
    return Status::OK();
  }

 private:
  static Status Damaged(std::string_view key) {
    return Status::Corruption(fmt::format("window state entry of {} bytes is damaged (key '{}')",
                                          key.size(), text::Printable(key)));
  }

  Status Evict(bool emit, FrameWriter* out) {
    int64_t wm = watermark_->current();
    for (int64_t start : OpenWindows()) {
      if (start + size_ms_ > wm) break;
      if (emit) {
        if (lmdb_) SSTREAM_RETURN_IF_ERROR(Materialize(start));
        SSTREAM_RETURN_IF_ERROR(EmitWindow(start, windows_[start], false, out));
      }
      if (checkpointing_) evicted_.push_back(start);
      windows_.erase(start);
      open_windows_.erase(start);
      last_window_ = nullptr;
    }
    return Status::OK();
  }

  // Open windows' state at a batch boundary, before eviction, for -v.
  void NoteStateSize() {
    size_t groups = 0, bytes = 0;
    for (const auto& [start, table] : windows_) {
      groups += table.size();
      bytes += table.MemoryBytes();
    }
    if (groups > peak_groups_) {
      peak_groups_ = groups;
      peak_windows_ = windows_.size();
    }
    peak_state_bytes_ = std::max(peak_state_bytes_, bytes);
  }

  // Session windows (Spark's session_window, SPEC §3 rule 6): the row opens
  // [t, t + gap); every session of its key that overlaps or touches that range
  // merges with it into one.
  Status AddToSession(const Frame& f, int64_t t) {
    int64_t gap = gap_ms_;
    if (gap_index_ != SIZE_MAX && !RowGap(&gap)) {
      ++bad_gap_rows_;  // Spark filters rows whose dynamic gap is null or not positive
      return Status::OK();
    }
    if (watermark_) {
      // Late: the session the row would open ends at or before the watermark.
      if (mode_ != OutputMode::kComplete && t + gap <= watermark_->current()) {
        ++late_rows_;
        if (late_out_) return WriteLate(f.json, t, t + gap);
        return Status::OK();
      }
    }
    if (checkpointing_) InsertKey(&touched_, key_);
    SessionMap& sessions = sessions_by_key_[std::string(key_)];
    Session merged;
    merged.end = t + gap;
    int64_t start = t;
    plan_.aggregator.Add(&merged.group, *scanner_);
    // Sessions starting at or before the new end whose end reaches the new start.
    auto it = sessions.upper_bound(merged.end);
    while (it != sessions.begin()) {
      auto prev = std::prev(it);
      if (prev->second.end < start) break;
      start = std::min(start, prev->first);
      merged.end = std::max(merged.end, prev->second.end);
      // The earlier session's rows come first (first/last follow session order).
      plan_.aggregator.Merge(&prev->second.group, std::move(merged.group));
      merged.group = std::move(prev->second.group);
      it = sessions.erase(prev);
    }
    merged.group.dirty = true;
    sessions.emplace(start, std::move(merged));
    return Status::OK();
  }

  // The row's own gap from --session-gap-field: a duration text or a number of ms.
  bool RowGap(int64_t* gap) {
    std::string_view raw = scanner_->value(gap_index_);
    switch (KindOfRaw(raw)) {
      case JsonKind::kNumber: {
        double v;
        if (!RawToDouble(raw, &v) || !(v > 0) || v > 9e15) return false;
        *gap = static_cast<int64_t>(v);
        return *gap > 0;
      }
      case JsonKind::kString: {
        std::string scratch;
        std::string_view text;
        if (!StringContent(raw, &scratch, &text).ok()) return false;
        return ParseDuration(text, gap).ok() && *gap > 0;
      }
      default: return false;
    }
  }

  Status EmitSession(const std::string& key, int64_t start, const Session& s, FrameWriter* out) {
    buf_.assign("{\"session_start\":");
    AppendTime(&buf_, start, out_format_);
    buf_.append(",\"session_end\":");
    AppendTime(&buf_, s.end, out_format_);
    AppendGroupKeyFields(&buf_, plan_.key_names, key);
    plan_.aggregator.AppendValues(&buf_, s.group);
    buf_.push_back('}');
    return out->WriteData(buf_);
  }

  // Emits (and with `evict`, forgets) the sessions that pass `keep`, ordered by
  // start, then key, so output does not depend on hash order.
  template <typename Pred>
  Status EmitSessions(Pred keep, bool evict, FrameWriter* out) {
    std::vector<std::tuple<int64_t, const std::string*, SessionMap::iterator>> picked;
    for (auto& [key, sessions] : sessions_by_key_) {
      for (auto it = sessions.begin(); it != sessions.end(); ++it) {
        if (keep(it->first, it->second)) picked.emplace_back(it->first, &key, it);
      }
    }
    std::sort(picked.begin(), picked.end(), [](const auto& a, const auto& b) {
      return std::get<0>(a) != std::get<0>(b) ? std::get<0>(a) < std::get<0>(b)
                                              : *std::get<1>(a) < *std::get<1>(b);
    });
    for (auto& [start, key, it] : picked) {
      SSTREAM_RETURN_IF_ERROR(EmitSession(*key, start, it->second, out));
      it->second.group.dirty = false;
    }
    if (evict) {
      for (auto& [start, key, it] : picked) {
        if (checkpointing_) InsertKey(&touched_, *key);
        sessions_by_key_[*key].erase(it);
      }
      for (auto it = sessions_by_key_.begin(); it != sessions_by_key_.end();) {
        it = it->second.empty() ? sessions_by_key_.erase(it) : std::next(it);
      }
    }
    return Status::OK();
  }

  Status SessionBatchEnd(bool advanced, FrameWriter* out) {
    if (mode_ == OutputMode::kComplete) {
      return EmitSessions([](int64_t, const Session&) { return true; }, false, out);
    }
    if (!advanced) return Status::OK();
    int64_t wm = watermark_->current();
    // Append: a session is final once the watermark reaches its end.
    return EmitSessions([wm](int64_t, const Session& s) { return s.end <= wm; }, true, out);
  }

  Status EmitWindow(int64_t start, GroupTable& groups, bool only_dirty, FrameWriter* out) {
    order_.clear();
    for (uint32_t id = 0; id < groups.size(); ++id) {
      if (!only_dirty || groups.group(id).dirty) order_.push_back(id);
    }
    groups.SortByKey(&order_);
    for (uint32_t id : order_) {
      AggGroup& g = groups.group(id);
      g.dirty = false;
      if (unwindowed_) {
        buf_.assign("{");  // the fields each start with a comma: the first loses it
      } else {
        buf_.assign("{\"window_start\":");
        AppendTime(&buf_, start, out_format_);
        buf_.append(",\"window_end\":");
        AppendTime(&buf_, start + size_ms_, out_format_);
      }
      AppendGroupKeyFields(&buf_, plan_.key_names, groups.key(id));
      plan_.aggregator.AppendValues(&buf_, g);
      if (unwindowed_ && buf_.size() > 1) buf_.erase(1, 1);
      buf_.push_back('}');
      SSTREAM_RETURN_IF_ERROR(out->WriteData(buf_));
    }
    return Status::OK();
  }

  // Without a window all groups live in one table, stored as the window at 0.
  static constexpr int64_t kUnwindowedStart = 0;
  static constexpr int64_t kMaxWindowsPerRow = 1'000'000;
  bool unwindowed_ = false;
  int64_t null_time_rows_ = 0;  // dropped: the event time was null
  std::string time_field_;
  // Evict by the watermark at the next batch end even if it does not
  // advance: at a run's first batch (a run-once trigger's last batch may have
  // left the work), and after such a batch.
  bool sessions_ = false;
  int64_t gap_ms_ = 0;                 // static session gap
  size_t gap_index_ = SIZE_MAX;        // scanner index of the per-row gap field
  std::unordered_map<std::string, SessionMap> sessions_by_key_;
  int64_t bad_gap_rows_ = 0;
  int64_t idle_ms_ = -1;
  int64_t size_ms_ = 0;
  int64_t slide_ms_ = 0;
  int64_t offset_ms_ = 0;
  TimeFormat time_format_ = TimeFormat::kAuto;
  TimeFormat out_format_ = TimeFormat::kMillis;
  bool fixed_out_format_ = false;
  bool format_seen_ = false;
  OutputMode mode_ = OutputMode::kAppend;
  std::unique_ptr<WatermarkTracker> watermark_;
  GroupedAggregation plan_;
  Columns columns_;        // what the scanner reads, and computed columns
  size_t time_index_ = 0;  // the event time's column
  std::unique_ptr<RecordScanner> scanner_;
  std::map<int64_t, GroupTable> windows_;
  bool lmdb_ = false;                // --state-store lmdb
  std::set<int64_t> open_windows_;  // lmdb: starts of the windows in the store
  GroupTable* last_window_ = nullptr;  // windows_[last_start_], until an erase
  int64_t last_start_ = 0;
  std::vector<uint32_t> order_;
  size_t peak_groups_ = 0;
  size_t peak_windows_ = 0;
  size_t peak_state_bytes_ = 0;
  std::string_view key_;  // the record's group key (a view of it, or of key_scratch_)
  std::string key_scratch_;
  std::string buf_;
  int64_t late_rows_ = 0;
  std::unique_ptr<FdSink> late_out_;
  std::string late_buf_;
  // Checkpoints: what changed since the last save.
  std::vector<std::pair<int64_t, uint32_t>> changed_;  // (window start, group id)
  std::vector<int64_t> evicted_;                       // window starts
  StringSet touched_;                                  // session keys
  std::string state_key_, state_value_;
};

}  // namespace

Status NewWindowOperator(const WindowOptions& o, std::unique_ptr<Operator>* out) {
  auto op = std::make_unique<WindowOperator>();
  SSTREAM_RETURN_IF_ERROR(op->Init(o));
  *out = std::move(op);
  return Status::OK();
}

namespace {

// What sstream-window does, by the options given: one of three operators.
// kUnwindowed is the window operator with no window: groups over the whole
// stream.
enum class WindowKind { kEventTime, kSessions, kBatches, kDedup, kUnwindowed };

// Every option that differs from its default: its value as text, and the
// operators that use it. One table, so a new option can neither be silently
// ignored by a mode nor left out of the checkpoint's fingerprint.
struct SetOption {
  const char* name;
  std::string value;
  std::vector<WindowKind> kinds;
  bool shapes_state;  // part of the query (not where late rows go, nor idle input)
};

std::vector<SetOption> SetOptions(const WindowOptions& o) {
  using K = WindowKind;
  const WindowOptions d;
  const std::vector<K> windows = {K::kEventTime};
  const std::vector<K> aggregating = {K::kEventTime, K::kSessions};
  const std::vector<K> timed = {K::kEventTime, K::kSessions, K::kDedup};
  std::vector<SetOption> out;
  auto add = [&](const char* name, const std::string& value, const std::string& dflt,
                 std::vector<K> kinds, bool shapes_state = true) {
    if (value != dflt) out.push_back({name, value, std::move(kinds), shapes_state});
  };
  auto flag = [](bool b) { return std::string(b ? "true" : "false"); };
  auto list = [](const std::vector<std::string>& v) { return fmt::format("{}", fmt::join(v, ", ")); };
  add("--time", o.time_field, d.time_field, timed);
  add("--time-format", o.time_format, d.time_format, timed);
  add("--output-time-format", o.output_time_format, d.output_time_format, aggregating);
  add("--tumbling", o.tumbling, d.tumbling, windows);
  add("--sliding", o.sliding, d.sliding, windows);
  add("--slide", o.slide, d.slide, windows);
  add("--offset", o.offset, d.offset, windows);
  add("--session", o.session, d.session, {K::kSessions});
  add("--session-gap-field", o.session_gap_field, d.session_gap_field, {K::kSessions});
  add("--watermark", o.watermark, d.watermark, timed);
  add("--watermark-policy", o.watermark_policy, d.watermark_policy, timed);
  add("--state-store", o.state_store, d.state_store, {K::kEventTime, K::kUnwindowed});
  add("--by", list(o.by), list(d.by), {K::kEventTime, K::kSessions, K::kBatches, K::kUnwindowed});
  add("--agg", o.agg, d.agg, {K::kEventTime, K::kSessions, K::kBatches, K::kUnwindowed});
  add("--mode", o.mode, d.mode, {K::kEventTime, K::kSessions, K::kUnwindowed});
  add("--late-output", o.late_output, d.late_output, aggregating, false);
  add("--idle-timeout", o.idle_timeout, d.idle_timeout, aggregating, false);
  add("--batch-window", std::to_string(o.batch_window), std::to_string(d.batch_window), {K::kBatches});
  add("--batch-slide", std::to_string(o.batch_slide), std::to_string(d.batch_slide), {K::kBatches});
  add("--inverse", flag(o.inverse), flag(d.inverse), {K::kBatches});
  add("--drop-zero", flag(o.drop_zero), flag(d.drop_zero), {K::kBatches});
  add("--dedup", list(o.dedup), list(d.dedup), {K::kDedup});
  add("--within-watermark", flag(o.within_watermark), flag(d.within_watermark), {K::kDedup});
  return out;
}

// The query as text, for the checkpoint.
std::string Fingerprint(const std::vector<SetOption>& set) {
  std::string fp = "sstream-window";
  for (const SetOption& opt : set) {
    if (opt.shapes_state) fp += fmt::format(" {} '{}'", opt.name, opt.value);
  }
  return fp;
}

}  // namespace

namespace {

Status MakeWindowOperator(const WindowOptions& o, WindowKind kind, std::unique_ptr<Operator>* op) {
  switch (kind) {
    case WindowKind::kBatches: {
      BatchWindowOptions b;
      b.length = o.batch_window;
      b.slide = o.batch_slide;
      b.by = o.by;
      b.agg = o.agg;
      b.inverse = o.inverse;
      b.drop_zero = o.drop_zero;
      return NewBatchWindowOperator(b, op);
    }
    case WindowKind::kDedup: {
      DedupOptions d;
      d.keys = o.dedup;
      d.time_field = o.time_field;
      d.time_format = o.time_format;
      d.watermark = o.watermark;
      d.watermark_policy = o.watermark_policy;
      d.within_watermark = o.within_watermark;
      return NewDedupOperator(d, op);
    }
    case WindowKind::kEventTime:
    case WindowKind::kSessions:
    case WindowKind::kUnwindowed: break;
  }
  return NewWindowOperator(o, op);
}

}  // namespace

Status NewWindowStage(const WindowOptions& o, std::unique_ptr<Operator>* op) {
  const bool no_window = o.tumbling.empty() && o.sliding.empty();
  const WindowKind kind = o.batch_window > 0                                   ? WindowKind::kBatches
                          : !o.dedup.empty()                                   ? WindowKind::kDedup
                          : !o.session.empty() || !o.session_gap_field.empty() ? WindowKind::kSessions
                          : no_window                                          ? WindowKind::kUnwindowed
                                                                               : WindowKind::kEventTime;
  static const char* const kModeName[] = {
      "event-time windows", "session windows", "--batch-window", "--dedup",
      "aggregation without a window (give --tumbling, --sliding or --session for event-time "
      "windows)"};
  std::vector<std::string> unused;
  const std::vector<SetOption> set = SetOptions(o);
  for (const SetOption& opt : set) {
    if (std::find(opt.kinds.begin(), opt.kinds.end(), kind) == opt.kinds.end()) {
      unused.emplace_back(opt.name);
    }
  }
  if (!unused.empty()) {
    return Status::Usage(fmt::format("{} {} not combine with {}", fmt::join(unused, ", "),
                                     unused.size() == 1 ? "does" : "do",
                                     kModeName[static_cast<int>(kind)]));
  }
  SSTREAM_RETURN_IF_ERROR(Status::AsUsage(MakeWindowOperator(o, kind, op)));
  (*op)->set_fingerprint(Fingerprint(set));
  return Status::OK();
}

Status RunWindow(const WindowOptions& o, const CommonOptions& common) {
  if (o.state_store == "lmdb" && common.checkpoint.empty()) {
    return Status::Usage(
        "--state-store lmdb keeps the windows in the checkpoint: give --checkpoint DIR");
  }
  return RunStdioStage(common, [&](std::unique_ptr<Operator>* op) { return NewWindowStage(o, op); });
}

}  // namespace sstream
