#include "ops/columns.h"

#include <fmt/format.h>

namespace sstream {

bool Columns::IsExpression(std::string_view text) {
  return text.find_first_of("( '\"") != std::string_view::npos;
}

Status Columns::Add(const std::string& text, const char* option, size_t* index) {
  if (!IsExpression(text)) {
    *index = AddPath(text);
    presence_.Watch(*index, text, option);
    return Status::OK();
  }
  Computed c;
  c.option = option;
  const size_t first = fields_.paths().size();
  Status s = CompileExpr(text, &fields_, &c.expr);
  if (!s.ok()) return s.WithContext(option);
  presence_.WatchNew(fields_, first, option);
  // A placeholder no record can have: JSON keys are valid UTF-8, 0xFF never is.
  c.index = fields_.Add(fmt::format("\xff{}", computed_.size()));
  *index = c.index;
  computed_.push_back(std::move(c));
  return Status::OK();
}

void Columns::Bind(RecordScanner* scanner, bool strict) {
  scanner_ = scanner;
  ctx_ = std::make_unique<EvalContext>(scanner);
  ctx_->set_strict(strict);
}

Status Columns::Compute() {
  for (auto& c : computed_) {
    Value v = c.expr->Eval(*ctx_);
    Status err = ctx_->TakeError();
    if (!err.ok()) return err.WithContext(c.option);
    c.json.clear();
    if (!v.IsNull()) AppendValueJson(&c.json, v);
    scanner_->SetValue(c.index, c.json);
  }
  return Status::OK();
}

}  // namespace sstream
