// sstream-window -- aggregate records in event-time windows, emit on watermark.
#include "sstream/cli.h"
#include "sstream/window.h"

namespace {

struct Options {
  sstream::CommonOptions common;
  sstream::WindowOptions window;
  Options() { common.checkpoint_name = "window"; }
};

void Define(sstream::Cli& cli, Options& o) {
  cli.Text("--time", &o.window.time_field, "FIELD",
           "Event-time field: epoch s/ms/us/ns (number or digits) or ISO-8601 text; or an "
           "expression such as \"to_timestamp(ts, 'dd/MM/yyyy HH:mm')\" (sstream-expr(7)). "
           "Required for windows; null times are dropped and counted.");
  cli.Choice("--time-format", &o.window.time_format, {"auto", "s", "ms", "us", "ns", "iso"},
             "How the event time is written; auto guesses epoch units from magnitude.");
  cli.Text("--tumbling", &o.window.tumbling, "DURATION",
           "Tumbling window size, e.g. 10s, 5m, 1h.");
  cli.Text("--sliding", &o.window.sliding, "DURATION",
           "Sliding window size; windows start every --slide, and a row counts in every "
           "window that holds it.");
  cli.Text("--slide", &o.window.slide, "DURATION",
           "How often sliding windows start (at most the --sliding size).");
  cli.Text("--session", &o.window.session, "DURATION",
           "Session windows: a row opens [t, t + DURATION); sessions of one --by key merge "
           "when they overlap or touch.");
  cli.Text("--session-gap-field", &o.window.session_gap_field, "FIELD",
           "Session windows whose gap each row gives in FIELD (a duration such as \"5 "
           "seconds\", or a number of ms); rows without a positive gap are dropped and counted.");
  cli.Text("--offset", &o.window.offset, "DURATION",
           "Shift window starts from the epoch-aligned grid by DURATION.");
  cli.Text("--watermark", &o.window.watermark, "DURATION",
           "Allowed lateness: watermark = max event time seen - DURATION; a window is final "
           "once the watermark passes its end, and rows for final windows are dropped as late.");
  cli.TextList("-b,--by", &o.window.by, "FIELDS",
               "Group by these fields or expressions, comma-separated, each with optional AS "
               "name: \"country, lower(user) AS user\".");
  cli.Text("-a,--agg", &o.window.agg, "LIST",
           "Aggregates: count, count(f), count(DISTINCT f), approx_count_distinct(f[, rsd]), "
           "percentile_approx(f, p[, accuracy]), sum(f), avg(f), min(f), max(f), first(f), "
           "last(f), each with optional AS name; f is a field or an expression: "
           "\"sum(price * qty) AS revenue\".");
  cli.Choice("-m,--mode", &o.window.mode, {"append", "update", "complete"},
             "Output mode: append emits final windows once (needs a window and --watermark); "
             "update emits groups changed in each batch; complete emits the whole table every "
             "batch. Without a window: update or complete.");
  cli.Choice("--watermark-policy", &o.window.watermark_policy, {"min", "max"},
             "How this stage's watermark combines with one announced upstream: the minimum "
             "(Spark's default: nothing is dropped that either would keep) or the maximum.");
  cli.Text("--idle-timeout", &o.window.idle_timeout, "DURATION",
           "When no record has arrived for DURATION (processing time), move the watermark to "
           "the end of the newest open window, so a quiet source does not hold windows open "
           "forever.");
  cli.Text("--late-output", &o.window.late_output, "FILE",
           "Append rows dropped as late to FILE, one JSON line each: {window_start, window_end, "
           "watermark, record} (instead of only counting them).");
  cli.Choice("--state-store", &o.window.state_store, {"memory", "lmdb"},
             "Where windows are kept between batches: memory, or lmdb (in the --checkpoint, "
             "memory-mapped: the heap holds only the groups a batch touches, so the state may "
             "outgrow memory; append and update modes).");
  cli.Choice("--output-time-format", &o.window.output_time_format,
             {"input", "s", "ms", "us", "ns", "iso"},
             "Format of window_start and window_end; input repeats the input's format.");
  cli.Group("Processing-time windows (DStreams)");
  cli.Int("--batch-window", &o.window.batch_window, "N",
          "Instead of event time, window over the last N micro-batches (DStreams' window "
          "length as a multiple of the batch interval); 0 = off.");
  cli.Int("--batch-slide", &o.window.batch_slide, "M",
          "With --batch-window: emit a window every M batches.");
  cli.Flag("--inverse", &o.window.inverse,
           "With --batch-window: update incrementally, adding entering batches and subtracting "
           "leaving ones (reduceByKeyAndWindow with an inverse); keys stay at zero.");
  cli.Flag("--drop-zero", &o.window.drop_zero,
           "With --inverse: drop keys whose count has fallen to zero.");
  cli.Group("Deduplication");
  cli.TextList("--dedup", &o.window.dedup, "FIELDS",
               "Instead of aggregating, pass on the first row of each key of FIELDS (fields or "
               "expressions) and drop later ones (Spark's dropDuplicates); with --watermark, include the --time field "
               "among FIELDS to bound the state.");
  cli.Flag("--within-watermark", &o.window.within_watermark,
           "With --dedup: forget a key once its first row's event time + the --watermark delay "
           "is behind the watermark (Spark's dropDuplicatesWithinWatermark).");
  sstream::AddCommonOptions(cli, &o.common);
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  return sstream::RunTool(
      argc, argv,
      {"sstream-window",
       "Aggregate records in event-time windows, or deduplicate them, with Spark's watermark rules",
       {{"sstream-window --time event_time --tumbling 10s --watermark 5s --by campaign_id",
         "Count per campaign in 10-second windows, final 5 seconds after they end"},
        {"sstream-window --time ts --sliding 10m --slide 5m --watermark 10m --by page",
         "Ten-minute windows every five minutes, as Spark's window(ts, '10 minutes', '5 minutes')"},
        {"sstream-window --dedup 'event_id, ts' --time ts --watermark 1h",
         "Drop repeated events, keeping an hour of keys (Spark's dropDuplicates with a watermark)"},
        {"sstream-window --time ts --session 5m --watermark 10m --by user_id",
         "User sessions that end after 5 minutes without events"},
        {"sstream-window --time ts --tumbling 1m --agg 'count, avg(latency) AS avg_latency' "
         "--mode update",
         "Running per-minute averages, updated every batch"},
        {"sstream-window --by word --mode complete",
         "Spark's running word count, without a window: every word's count, every batch"}}},
      [&](sstream::Cli& cli) { Define(cli, o); },
      [&] { return sstream::RunWindow(o.window, o.common); });
}
