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
// Splits on commas outside parentheses and quotes; items are trimmed.
std::vector<std::string> SplitTopLevel(std::string_view text);
// Field lists from repeatable options ("a, b" "c"): every item, trimmed; an
// empty item is an error naming `option`.
Status SplitFieldLists(const std::vector<std::string>& lists, std::string_view option,
                       std::vector<std::string>* out);

}  // namespace sstream::text
