// Fuzz target: the expression compiler (CompileExpr, CompileSelectList) on
// arbitrary text; whatever compiles is evaluated on a fixed record and its
// result written as JSON.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "sstream/expr.h"
#include "sstream/record.h"

namespace {

using namespace sstream;

const char kRecord[] =
    R"({"a":1,"b":"x","c":{"d":[1,2],"e":"q\"\u00e9"},"z":null,"f":true,"s5":"5",)"
    R"("u":{"n":"ann","x.y":-2.5e3},"odd name":"","t":"2026-01-02T03:04:05Z"})";

void CheckJsonValue(const std::string& token) {
  static RecordScanner* checker = new RecordScanner({"k"});
  if (!checker->ScanCopy("{\"k\":" + token + "}").ok()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  {
    FieldRegistry fields;
    std::unique_ptr<Expr> e;
    Status s = CompileExpr(text, &fields, &e);
    if (s.ok()) {
      if (e == nullptr) std::abort();
      RecordScanner scanner(fields.paths());
      if (!scanner.ScanCopy(kRecord).ok()) std::abort();
      EvalContext ctx(&scanner);
      Value v = e->Eval(ctx);
      std::string out;
      AppendValueJson(&out, v);
      if (IsValidUtf8(text)) CheckJsonValue(out);
      (void)IsTrue(v);
      // Evaluating twice gives the same answer (no hidden state).
      std::string again;
      AppendValueJson(&again, e->Eval(ctx));
      if (again != out) std::abort();
    } else if (s.message().find("column ") != 0) {
      std::abort();  // every compile error names its column
    }
  }
  {
    FieldRegistry fields;
    std::vector<SelectItem> items;
    Status s = CompileSelectList(text, &fields, &items);
    if (s.ok()) {
      if (items.empty()) std::abort();
      RecordScanner scanner(fields.paths());
      scanner.set_collect_all(true);
      if (!scanner.ScanCopy(kRecord).ok()) std::abort();
      EvalContext ctx(&scanner);
      for (const auto& item : items) {
        if (item.star) continue;
        if (item.expr == nullptr) std::abort();
        // Names and values written the way sstream-map writes them are JSON
        // (when the expression's own text is valid UTF-8).
        if (!IsValidUtf8(text)) continue;
        std::string name;
        AppendJsonString(&name, item.name);
        CheckJsonValue(name);
        std::string out;
        AppendValueJson(&out, item.expr->Eval(ctx));
        CheckJsonValue(out);
      }
    }
  }
  return 0;
}
