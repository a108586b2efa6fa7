// The operator behind `sstream-map --per-batch CMD [ARG...]` (Spark's
// transform, for Unix programs): each micro-batch's records, after --where
// and --select, go to one run of CMD on its stdin, and the lines CMD prints
// become the batch's records. See sstream-map(1).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "sstream/stage.h"

namespace sstream {

struct PerBatchOptions {
  std::vector<std::string> argv;  // the command and its arguments, exec'd directly
  int stderr_fd = 2;              // where the command's stderr is copied (-1: nowhere)
};

// `inner` (the --where/--select operator) decides what each record becomes
// before it is piped. `common` gives the bad-record policy for the command's
// output lines. Usage error when the command cannot be found or executed.
Status NewPerBatchOperator(const PerBatchOptions& o, std::unique_ptr<Operator> inner,
                           const CommonOptions& common, std::unique_ptr<Operator>* out);

}  // namespace sstream
