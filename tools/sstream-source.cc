// sstream-source -- read files, stdin or a generator and cut them into batches.
#include <unistd.h>

#include "sstream/cli.h"
#include "sstream/source.h"

namespace {

struct Options {
  sstream::CommonOptions common;
  sstream::SourceOptions source;
  Options() { common.checkpoint_name = "source"; }
};

void Define(sstream::Cli& cli, Options& o) {
  cli.PositionalList("INPUT", &o.source.inputs,
                     "Files to read in order ('-' or none: stdin), directories (their regular "
                     "files, by name), or one generator: gen:rate, gen:ysb, gen:ysb-campaigns. "
                     "Under --checkpoint each file is known by device and inode: files read "
                     "before go on from where they stopped (also under a new name, as after "
                     "a log rotation), then new files follow in the order named.");
  cli.Choice("-f,--format", &o.source.format, {"json", "text"},
             "Input format of files and stdin (refused with a generator): one JSON object per "
             "line, or text lines (each becomes {\"value\": line}).");
  cli.Group("Batches");
  cli.Text("-t,--trigger", &o.source.trigger, "TRIGGER",
           "When a batch closes: an interval such as 1s (processing time), once (all input is "
           "one batch), available-now (what exists now, in capped batches, then exit: the cron "
           "mode, with --checkpoint), or continuous[:INTERVAL] (each record goes on at once; "
           "batches close every INTERVAL, default 1s, for watermarks and checkpoints).");
  cli.Int("--max-batch-records", &o.source.max_batch_records, "N",
          "Close a batch after N records (0: no cap; ignored by --trigger once).");
  cli.Int("--max-batch-bytes", &o.source.max_batch_bytes, "N",
          "Close a batch after N bytes of records (0: no cap; ignored by --trigger once).");
  cli.Group("Generators (refused with files and stdin)");
  cli.Int("-n,--count", &o.source.count, "N",
          "Rows to generate, counted from the first row of the first run under --checkpoint "
          "(-1: until stopped).");
  cli.Int("--rows-per-second", &o.source.rows_per_second, "N",
          "Pace generated rows in processing time (0: as fast as possible; gen:rate uses 1).");
  cli.Int("--events-per-second", &o.source.events_per_second, "N",
          "gen:ysb: how fast event time advances, in events per second of event time.");
  cli.Text("--start", &o.source.start, "TIME",
           "gen:ysb: event time of the first event (ISO-8601, or 'now').");
  cli.Int("--seed", &o.source.seed, "N", "gen:ysb: seed of the deterministic event choices.");
  cli.Text("--disorder", &o.source.disorder, "DURATION",
           "gen:ysb: make events arrive up to DURATION out of event-time order.");
  sstream::AddOutputOptions(cli, &o.common);
  sstream::AddBadInputOptions(cli, &o.common);
  sstream::AddCheckpointOptions(cli, &o.common);
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  sstream::FdSink out(STDOUT_FILENO, "stdout");
  return sstream::RunTool(
      argc, argv,
      {"sstream-source",
       "Read records from files, stdin or a generator, cut into numbered batches",
       {{"sstream-source events.ndjson | sstream-sink",
         "Read a file of JSON lines and print it"},
        {"sstream-source gen:rate --rows-per-second 5 | sstream-sink --format table",
         "Spark's rate source: 5 rows a second, printed per batch"},
        {"sstream-source gen:ysb --count 100000 --trigger available-now "
         "--max-batch-records 10000 > events.ndjson",
         "Write 100,000 benchmark events in batches of 10,000"},
        {"tail -F app.log | sstream-source --format text --trigger 5s",
         "Turn log lines into records, one batch every 5 seconds"}}},
      [&](sstream::Cli& cli) { Define(cli, o); },
      [&] { return sstream::RunSource(o.source, o.common, &sstream::DefaultClock(), &out,
                                      STDOUT_FILENO); });
}
