// sstream-map: stateless per-record work (filter, projection).
#pragma once

#include <memory>
#include <string>

#include "sstream/stage.h"

namespace sstream {

struct MapOptions {
  std::string where;   // keep records for which this is true
  std::string select;  // "expr [AS name], ..." or "*"; empty keeps the record as is
};

Status NewMapOperator(const MapOptions& o, std::unique_ptr<Operator>* out);
Status RunMap(const MapOptions& o, const CommonOptions& common);

}  // namespace sstream
