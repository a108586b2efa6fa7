#include "ops/field_presence.h"

#include <fmt/format.h>

#include <algorithm>

#include "sstream/log.h"

namespace sstream {

namespace {

uint64_t Bit(size_t i) { return uint64_t{1} << i; }

}  // namespace

void FieldPresence::Watch(size_t index, std::string_view path, std::string_view option) {
  for (const Field& f : fields_) {
    if (f.index == index) return;  // the first option that named it is reported
  }
  if (fields_.size() == kMaxWatched) return;
  // Columns computed from an expression hold a placeholder no record has.
  if (!path.empty() && static_cast<unsigned char>(path[0]) == 0xff) return;
  fields_.push_back({index, std::string(path), std::string(option)});
  pending_ |= Bit(fields_.size() - 1);
}

void FieldPresence::WatchNew(const FieldRegistry& fields, size_t first, std::string_view option) {
  for (size_t i = first; i < fields.paths().size(); ++i) Watch(i, fields.paths()[i], option);
}

void FieldPresence::Check(const RecordScanner& scanner, std::string_view json) {
  if (records_ == 1) sample_.assign(json);
  for (uint64_t left = pending_; left != 0; left &= left - 1) {
    const size_t i = static_cast<size_t>(__builtin_ctzll(left));
    if (!scanner.value(fields_[i].index).empty()) pending_ &= ~Bit(i);
  }
}

std::string FieldPresence::Suggestion(std::string_view path) const {
  RecordScanner names({});
  names.set_collect_all(true);
  if (sample_.empty() || !names.ScanCopy(sample_).ok()) return "";
  // Near: a third of the letters wrong at most, and not all of them.
  std::string best;
  size_t best_distance = std::min(std::max<size_t>(1, path.size() / 3) + 1, path.size());
  for (const auto& [raw_name, raw] : names.fields()) {
    (void)raw;
    const std::string_view name = raw_name;
    const size_t d = EditDistance(path, name);
    if (d < best_distance) {
      best_distance = d;
      best = std::string(name);
    }
  }
  return best;
}

Status FieldPresence::EndBatch(int64_t epoch, bool strict) {
  const int64_t records = records_;
  uint64_t missing = records > 0 ? pending_ : 0;
  records_ = 0;
  Status error;
  for (; missing != 0; missing &= missing - 1) {
    Field& f = fields_[static_cast<size_t>(__builtin_ctzll(missing))];
    f.warned = true;
    const std::string near = Suggestion(f.path);
    const std::string what = fmt::format(
        "{}: no record of batch {} ({} record(s)) has the field '{}'{}", f.option, epoch, records,
        f.path, near.empty() ? "" : fmt::format(" (did you mean '{}'?)", near));
    if (strict) {
      error = Status::InvalidArgument(what);
      break;
    }
    Log(LogLevel::kWarning,
        what + "; it reads as null (warned once; --strict makes this an error)");
  }
  // The next batch watches again every field not yet reported.
  pending_ = 0;
  for (size_t i = 0; i < fields_.size(); ++i) {
    if (!fields_[i].warned) pending_ |= Bit(i);
  }
  sample_.clear();
  return error;
}

size_t EditDistance(std::string_view a, std::string_view b) {
  // Optimal string alignment: insertions, deletions, substitutions and
  // swaps of two neighbours (the commonest typo) each cost 1.
  const size_t w = b.size() + 1;
  std::vector<size_t> d((a.size() + 1) * w);
  for (size_t i = 0; i <= a.size(); ++i) d[i * w] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      size_t v = std::min({d[(i - 1) * w + j] + 1, d[i * w + j - 1] + 1,
                           d[(i - 1) * w + j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        v = std::min(v, d[(i - 2) * w + j - 2] + 1);
      }
      d[i * w + j] = v;
    }
  }
  return d[a.size() * w + b.size()];
}

}  // namespace sstream
