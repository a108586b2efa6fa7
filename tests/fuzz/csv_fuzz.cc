// Fuzz target: ParseDelimited (CSV and TSV) on arbitrary text. Properties:
// every row has one value per column, and every value is null or a valid
// JSON string.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "sstream/join.h"
#include "sstream/record.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sstream;
  const std::string text(reinterpret_cast<const char*>(data), size);
  static RecordScanner* checker = new RecordScanner({"k"});
  for (char delim : {',', '\t'}) {
    StaticTable t;
    Status s = ParseDelimited(text, delim, "fuzz.csv", &t);
    if (!s.ok()) {
      if (s.message().rfind("fuzz.csv: ", 0) != 0) std::abort();  // errors name the input
      continue;
    }
    if (t.columns.empty()) std::abort();
    for (const auto& c : t.columns) {
      if (c.empty()) std::abort();
    }
    for (const auto& row : t.rows) {
      if (row.size() != t.columns.size()) std::abort();
      for (const auto& v : row) {
        if (v == "null") continue;
        if (v.empty() || v[0] != '"') std::abort();
        if (!checker->ScanCopy("{\"k\":" + v + "}").ok()) std::abort();
      }
    }
  }
  return 0;
}
