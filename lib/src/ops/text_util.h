// Small text helpers shared by the operators' option parsing.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sstream/status.h"

namespace sstream::text {

// Without leading and trailing whitespace.
std::string Trim(std::string_view s);
std::string Lower(std::string s);
// Bytes for a message: printable ASCII as is, anything else as \xNN.
std::string Printable(std::string_view bytes);
// Calls at_top(i) for each position of `text` outside quotes ('...', "...",
// `...`, with the expression lexer's backslash escapes) and parentheses.
template <typename Fn>
void ForEachTopLevel(std::string_view text, Fn&& at_top) {
  int depth = 0;
  char quote = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quote) {
      if (c == '\\' && quote != '`') {
        ++i;
      } else if (c == quote) {
        quote = 0;
      }
    } else if (c == '\'' || c == '"' || c == '`') {
      quote = c;
    } else if (c == '(') {
      ++depth;
    } else if (c == ')') {
      --depth;
    } else if (depth == 0) {
      at_top(i);
    }
  }
}
// Splits on commas outside parentheses and quotes; items are trimmed.
std::vector<std::string> SplitTopLevel(std::string_view text);
// "expr AS name" (AS in any case, outside quotes and parentheses; a
// backquoted name loses its quotes); *alias is empty without AS.
void SplitAlias(std::string_view text, std::string* expr, std::string* alias);
// Field lists from repeatable options ("a, b" "c"): every item, trimmed; an
// empty item is an error naming `option`.
Status SplitFieldLists(const std::vector<std::string>& lists, std::string_view option,
                       std::vector<std::string>* out);

}  // namespace sstream::text
