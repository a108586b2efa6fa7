#include "ops/text_util.h"

#include <cctype>

#include <fmt/format.h>

namespace sstream::text {

std::string Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

std::string Printable(std::string_view bytes) {
  std::string out;
  for (unsigned char c : bytes) {
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else {
      out += fmt::format("\\x{:02x}", c);
    }
  }
  return out;
}

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::vector<std::string> SplitTopLevel(std::string_view text) {
  std::vector<std::string> parts;
  size_t start = 0;
  ForEachTopLevel(text, [&](size_t i) {
    if (text[i] != ',') return;
    parts.push_back(Trim(text.substr(start, i - start)));
    start = i + 1;
  });
  parts.push_back(Trim(text.substr(start)));
  return parts;
}

void SplitAlias(std::string_view text, std::string* expr, std::string* alias) {
  size_t as = std::string_view::npos;
  ForEachTopLevel(text, [&](size_t i) {
    if (text[i] == ' ' && i + 4 <= text.size() && Lower(std::string(text.substr(i, 4))) == " as ") {
      as = i;
    }
  });
  alias->clear();
  if (as == std::string_view::npos) {
    *expr = Trim(text);
    return;
  }
  *expr = Trim(text.substr(0, as));
  *alias = Trim(text.substr(as + 4));
  if (alias->size() >= 2 && alias->front() == '`' && alias->back() == '`') {
    *alias = alias->substr(1, alias->size() - 2);
  }
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
