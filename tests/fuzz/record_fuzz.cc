// Fuzz target: RecordScanner over arbitrary text, with the string, number
// and event-time helpers applied to every value it finds. Properties: what
// JsonValidator accepts the scanner accepts too, and the JSON writers always
// produce valid JSON.
#include <cstdint>
#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "sstream/expr.h"
#include "sstream/record.h"

namespace {

using namespace sstream;

// Aborts unless `token` is a valid JSON value (checked by embedding it).
void CheckJsonValue(const std::string& token) {
  static RecordScanner* checker = new RecordScanner({"k"});
  if (!checker->ScanCopy("{\"k\":" + token + "}").ok()) std::abort();
  if (checker->value(0) != token) std::abort();
}

void Exercise(std::string_view raw) {
  std::string scratch;
  std::string_view text;
  if (KindOfRaw(raw) == JsonKind::kString && StringContent(raw, &scratch, &text).ok()) {
    std::string quoted;
    AppendJsonStringLossy(&quoted, text);
    CheckJsonValue(quoted);
    if (IsValidUtf8(text)) {
      // Valid text round-trips exactly.
      std::string exact;
      AppendJsonString(&exact, text);
      std::string s2;
      std::string_view back;
      if (!StringContent(exact, &s2, &back).ok() || back != text) std::abort();
    }
  }
  double d;
  if (RawToDouble(raw, &d)) {
    std::string num;
    AppendJsonNumber(&num, d);
    CheckJsonValue(num);
  }
  int64_t i;
  if (RawToInt64(raw, &i)) {
    // An integer is a number too, with the same value (to double precision).
    double as_double;
    if (!RawToDouble(raw, &as_double)) std::abort();
    if (std::fabs(as_double - static_cast<double>(i)) > 1e-9 * std::fabs(as_double) + 1) std::abort();
  }
  for (TimeFormat f : {TimeFormat::kAuto, TimeFormat::kIso, TimeFormat::kMillis,
                       TimeFormat::kSeconds, TimeFormat::kNanos}) {
    int64_t ms;
    TimeFormat used;
    if (EventTimeFromRaw(raw, f, &ms, &used).ok()) {
      std::string t;
      AppendTime(&t, ms, used);
      CheckJsonValue(t);  // window bounds are written this way
    }
  }
  Value v = ValueFromRaw(raw, &scratch);
  std::string out;
  AppendValueJson(&out, v);
  // Scalars are re-encoded: valid JSON whenever the input text was UTF-8.
  if (v.type != Value::Type::kJson && IsValidUtf8(raw)) CheckJsonValue(out);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  static RecordScanner* scanner = [] {
    auto* s = new RecordScanner({"a", "b.c", "`x.y`", "d.e.f", "t", "a.b", "`odd name`"});
    s->set_collect_all(true);
    return s;
  }();
  static RecordScanner* plain = new RecordScanner({"a", "t"});
  static JsonValidator* validator = new JsonValidator();

  Status s = scanner->ScanCopy(input);
  if (s.ok()) {
    for (size_t i = 0; i < scanner->size(); ++i) Exercise(scanner->value(i));
    for (const auto& [name, raw] : scanner->fields()) {
      if (raw.empty()) std::abort();  // a present field always has a value
      Exercise(raw);
      std::string scratch;
      std::string_view key;
      (void)StringContent("\"" + std::string(name) + "\"", &scratch, &key);
    }
  } else if (s.message().empty()) {
    std::abort();
  }
  // A scanner without collect_all may skip values, but must agree with the
  // full validator on everything the validator accepts.
  std::string padded = input + std::string(64, '\0');
  bool valid = validator->ValidateObject(std::string_view(padded.data(), input.size())).ok();
  bool scanned = plain->Scan(std::string_view(padded.data(), input.size())).ok();
  if (valid && (!scanned || !s.ok())) std::abort();

  // The raw input as a token, and as a field path.
  Exercise(input);
  std::vector<std::string> segs;
  (void)ParseFieldPath(input, &segs);
  std::string lossy;
  AppendJsonStringLossy(&lossy, input);
  CheckJsonValue(lossy);
  return 0;
}
