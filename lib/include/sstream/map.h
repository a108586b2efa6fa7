// sstream-map: stateless per-record work (filter, projection), and a command
// run once per micro-batch (--per-batch, Spark's transform).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "sstream/stage.h"

namespace sstream {

struct MapOptions {
  std::string where;   // keep records for which this is true
  std::string select;  // "expr [AS name], ..." or "*"; empty keeps the record as is
  // "EXPR [AS name]": one record per element of EXPR's array (flatMap), after
  // where and before select.
  std::string explode;
  bool strict = false;  // type errors make the record bad instead of null
  // When set: the command and its arguments, run once per batch with the
  // batch's records (after where and select) on stdin; its stdout lines are
  // the batch's output. Executed directly, not through a shell.
  std::vector<std::string> per_batch;
};

// `common` gives the bad-record policy for the output of a --per-batch command.
Status NewMapOperator(const MapOptions& o, std::unique_ptr<Operator>* out,
                      const CommonOptions& common = CommonOptions());
Status RunMap(const MapOptions& o, const CommonOptions& common);

}  // namespace sstream
