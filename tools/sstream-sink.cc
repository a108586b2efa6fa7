// sstream-sink -- the end of a pipeline: print records as JSON, CSV or tables.
#include "sstream/cli.h"
#include "sstream/sink.h"

namespace {

struct Options {
  sstream::CommonOptions common;
  sstream::SinkOptions sink;
  Options() { common.checkpoint_name = "sink"; }
};

void Define(sstream::Cli& cli, Options& o) {
  cli.Choice("-f,--format", &o.sink.format, {"json", "csv", "table"},
             "json: one record per line; csv: header and rows; table: Spark's console sink, "
             "one table per batch.");
  cli.Int("--num-rows", &o.sink.num_rows, "N", "table: rows shown per batch.");
  cli.Int("--truncate", &o.sink.truncate, "N",
          "table: cut cells longer than N characters (0: never).");
  cli.Group("Files");
  cli.Text("-o,--path", &o.sink.path, "DIR",
           "Write part files under DIR instead of stdout: one per epoch "
           "(part-EPOCH-SEQ.jsonl or .csv, 20 and 10 digits), each made visible by an atomic "
           "rename when its epoch closes; with --checkpoint, exactly once. A DIR that holds "
           "anything the checkpoint does not record as the sink's is refused.");
  cli.Text("--partition-by", &o.sink.partition_by, "FIELD",
           "With --path: a directory per value of the top-level FIELD, FIELD=value (escaped as "
           "Spark does; missing or null: __HIVE_DEFAULT_PARTITION__).");
  cli.Int("--max-file-bytes", &o.sink.max_file_bytes, "N",
          "With --path: start another part file of the epoch once one passes N bytes (0: "
          "never).");
  cli.Flag("--allow-existing", &o.sink.allow_existing,
           "With --path: write into a DIR that already holds other files (they are never "
           "replaced or removed).");
  cli.Group("Input");
  sstream::AddTickOption(cli, &o.common);
  sstream::AddBadInputOptions(cli, &o.common);
  sstream::AddCheckpointOptions(cli, &o.common);
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  return sstream::RunTool(
      argc, argv,
      {"sstream-sink", "Write a stream's records to stdout as JSON lines, CSV or console tables",
       {{"sstream-source gen:rate | sstream-sink --format table",
         "Print each batch as a table, as Spark's console sink"},
        {"... | sstream-sink --format csv > out.csv", "Write CSV with a header"},
        {"... | sstream-sink --checkpoint ckpt --path out/ --partition-by country",
         "Part files per epoch and country, exactly once across restarts"}}},
      [&](sstream::Cli& cli) { Define(cli, o); },
      [&] { return sstream::RunSink(o.sink, o.common); });
}
