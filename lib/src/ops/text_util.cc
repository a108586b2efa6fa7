#include "ops/text_util.h"

#include <cctype>

#include <fmt/format.h>

namespace sstream::text {

std::string Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::vector<std::string> SplitTopLevel(std::string_view text) {
  std::vector<std::string> parts;
  int depth = 0;
  char quote = 0;
  std::string cur;
  for (char c : text) {
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '\'' || c == '"' || c == '`') {
      quote = c;
    } else if (c == '(') {
      ++depth;
    } else if (c == ')') {
      --depth;
    } else if (c == ',' && depth == 0) {
      parts.push_back(Trim(cur));
      cur.clear();
      continue;
    }
    cur.push_back(c);
  }
  parts.push_back(Trim(cur));
  return parts;
}

Status SplitFieldLists(const std::vector<std::string>& lists, std::string_view option,
                       std::vector<std::string>* out) {
  for (const auto& list : lists) {
    for (auto& item : SplitTopLevel(list)) {
      if (item.empty()) return Status::InvalidArgument(fmt::format("{}: empty field name", option));
      out->push_back(std::move(item));
    }
  }
  return Status::OK();
}

}  // namespace sstream::text
