// sstream-sink: the end of a pipeline. Formats:
//   json   records as JSON lines (no control lines);
//   csv    a header, then one line per record;
//   table  Spark's console sink: per batch, "Batch: N" and an aligned table.
// Output goes to stdout, or (--path) to part files per epoch in a directory
// (lib/src/io/part_files.h): the sink removes only files it provably wrote
// (listed in its checkpoint, or its own temporary files), never follows a
// symbolic link out of the directory, and never replaces a name it finds.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "sstream/io.h"
#include "sstream/stage.h"

namespace sstream {

struct SinkOptions {
  std::string format = "json";  // json | csv | table
  int64_t num_rows = 20;        // table: rows shown per batch (Spark's numRows)
  int64_t truncate = 20;        // table: cut cells longer than this (0 = never)
  // Files instead of stdout: one part file per epoch (and partition), made
  // visible atomically when the epoch closes.
  std::string path;             // directory (empty: stdout)
  std::string partition_by;     // top-level field: a FIELD=value directory each
  int64_t max_file_bytes = 0;   // roll to a new part file past this size (0: never)
  // --path that already holds files the sink cannot call its own (no
  // checkpoint records it as its output) is refused unless this is set.
  bool allow_existing = false;
  // Set by RunSink when a checkpoint will be opened: it, not the directory's
  // emptiness, then says what in --path is the sink's.
  bool checkpointed = false;
};

Status NewSinkOperator(const SinkOptions& o, ByteSink* out, std::unique_ptr<Operator>* op);
Status RunSink(const SinkOptions& o, const CommonOptions& common);

}  // namespace sstream
