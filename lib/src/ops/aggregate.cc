#include "ops/aggregate.h"

#include "common/codec.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "ops/text_util.h"

namespace sstream {

using text::Lower;
using text::SplitTopLevel;
using text::Trim;

Status ParseAggList(std::string_view text, std::vector<AggSpec>* out) {
  out->clear();
  for (const std::string& part : SplitTopLevel(text)) {
    if (part.empty()) return Status::InvalidArgument(fmt::format("--agg '{}': empty item", text));
    std::string item, alias;
    text::SplitAlias(part, &item, &alias);
    AggSpec spec;
    std::string fn = item, arg;
    size_t open = item.find('(');
    if (open != std::string::npos) {
      if (item.back() != ')') {
        return Status::InvalidArgument(fmt::format("--agg '{}': missing ')'", part));
      }
      fn = Trim(item.substr(0, open));
      arg = Trim(item.substr(open + 1, item.size() - open - 2));
    }
    fn = Lower(fn);
    std::string distinct_arg;
    if (fn == "count" && Lower(arg).rfind("distinct ", 0) == 0) {
      distinct_arg = Trim(arg.substr(9));
    }
    if (fn == "count" && !distinct_arg.empty()) {
      spec.fn = AggSpec::Fn::kCountDistinct;
      arg = distinct_arg;
    } else if (fn == "count") {
      spec.fn = (arg.empty() || arg == "*" || arg == "1") ? AggSpec::Fn::kCount
                                                          : AggSpec::Fn::kCountField;
    } else if (fn == "sum") {
      spec.fn = AggSpec::Fn::kSum;
    } else if (fn == "avg" || fn == "mean") {
      spec.fn = AggSpec::Fn::kAvg;
    } else if (fn == "min") {
      spec.fn = AggSpec::Fn::kMin;
    } else if (fn == "max") {
      spec.fn = AggSpec::Fn::kMax;
    } else if (fn == "approx_count_distinct" || fn == "percentile_approx" ||
               fn == "approx_percentile") {
      // approx_count_distinct(f [, rsd]) (rsd 0.05 by default, as Spark) and
      // percentile_approx(f, p [, accuracy]) (rank error about 1 / accuracy).
      const bool distinct = fn == "approx_count_distinct";
      spec.fn = distinct ? AggSpec::Fn::kApproxCountDistinct : AggSpec::Fn::kPercentile;
      std::vector<std::string> args = SplitTopLevel(arg);
      const size_t min_args = distinct ? 1 : 2;
      if (args.size() < min_args || args.size() > min_args + 1 || args[0].empty()) {
        return Status::InvalidArgument(fmt::format("--agg '{}': expected {}", part,
                                                   distinct
                                                       ? "approx_count_distinct(field [, rsd])"
                                                       : fn + "(field, percentage [, accuracy])"));
      }
      auto number = [&](const std::string& value_text, double lo, double hi, const char* what,
                        double* v) {
        char* end = nullptr;
        *v = std::strtod(value_text.c_str(), &end);
        if (value_text.empty() || *end != '\0' || !(*v >= lo && *v <= hi)) {
          return Status::InvalidArgument(fmt::format("--agg '{}': {}", part, what));
        }
        return Status::OK();
      };
      if (distinct) {
        double rsd = 0.05;
        if (args.size() == 2) {
          SSTREAM_RETURN_IF_ERROR(
              number(args[1], 1e-9, 0.999, "rsd must be a number between 0 and 1", &rsd));
        }
        spec.precision = HyperLogLog::PrecisionForRsd(rsd);
      } else {
        SSTREAM_RETURN_IF_ERROR(
            number(args[1], 0, 1, "the percentage must be a number from 0 to 1", &spec.percentage));
        if (args.size() == 3) {
          double accuracy;
          SSTREAM_RETURN_IF_ERROR(
              number(args[2], 1, 1e12, "the accuracy must be a number >= 1", &accuracy));
          spec.sketch_k = static_cast<int>(std::clamp(std::ceil(1.7 * accuracy), 16.0, 4096.0));
        }
      }
      spec.field = args[0];
      // The column name keeps the percentage (it changes the result), not the rsd.
      arg = distinct ? args[0] : fmt::format("{}", fmt::join(args, ", "));
    } else if (fn == "first") {
      spec.fn = AggSpec::Fn::kFirst;
    } else if (fn == "last") {
      spec.fn = AggSpec::Fn::kLast;
    } else {
      return Status::InvalidArgument(fmt::format(
          "--agg '{}': unknown aggregate '{}' (expected count, sum, avg, min, max, first, last, "
          "approx_count_distinct or percentile_approx)",
          part, fn));
    }
    if (spec.field.empty() && spec.fn != AggSpec::Fn::kCount) {
      if (arg.empty()) {
        return Status::InvalidArgument(fmt::format("--agg '{}': {} needs a field", part, fn));
      }
      spec.field = arg;
    }
    spec.name = !alias.empty()                           ? alias
                : spec.fn == AggSpec::Fn::kCount         ? "count"
                : spec.fn == AggSpec::Fn::kCountDistinct ? fmt::format("count(DISTINCT {})", arg)
                                                         : fmt::format("{}({})", fn, arg);
    out->push_back(std::move(spec));
  }
  return Status::OK();
}

void Aggregator::Init(std::vector<AggSpec> specs, std::vector<size_t> field_index) {
  specs_ = std::move(specs);
  field_index_ = std::move(field_index);
  needs_slots_ = false;
  for (const auto& a : specs_) needs_slots_ = needs_slots_ || a.fn != AggSpec::Fn::kCount;
}

bool IsIntegerToken(std::string_view raw) {
  return !raw.empty() && raw[0] != '"' && raw.find_first_of(".eE") == std::string_view::npos;
}

void Aggregator::Add(AggGroup* gp, const RecordScanner& scanner) const {
  AggGroup& g = *gp;
  EnsureSlots(gp);
  ++g.count;
  g.dirty = true;
  for (size_t a = 0; a < specs_.size(); ++a) {
    if (specs_[a].fn == AggSpec::Fn::kCount) continue;
    std::string_view raw = scanner.value(field_index_[a]);
    JsonKind kind = KindOfRaw(raw);
    if (kind == JsonKind::kMissing || kind == JsonKind::kNull) continue;
    AggSlot& slot = g.slots[a];
    const AggSpec::Fn fn = specs_[a].fn;
    if (fn == AggSpec::Fn::kCountField) {
      ++slot.n;
      continue;
    }
    if (fn == AggSpec::Fn::kPercentile) {
      double v;
      if (!RawToDouble(raw, &v)) continue;
      if (!slot.quantiles) slot.quantiles = std::make_unique<QuantileSketch>(specs_[a].sketch_k);
      slot.quantiles->Add(v);
      continue;
    }
    if (fn == AggSpec::Fn::kApproxCountDistinct) {
      if (!slot.hll) slot.hll = std::make_unique<HyperLogLog>(specs_[a].precision);
      slot.hll->Add(raw);
      continue;
    }
    if (fn == AggSpec::Fn::kCountDistinct) {
      if (!slot.distinct) slot.distinct = std::make_unique<StringSet>();
      InsertKey(slot.distinct.get(), raw);
      continue;
    }
    if (fn == AggSpec::Fn::kFirst || fn == AggSpec::Fn::kLast) {
      if (fn == AggSpec::Fn::kLast || slot.n == 0) slot.raw.assign(raw);
      ++slot.n;
      continue;
    }
    double v;
    if (!RawToDouble(raw, &v)) continue;  // not numeric: null, as Spark's implicit cast
    int64_t iv = 0;
    bool is_int = slot.all_int && IsIntegerToken(raw) && RawToInt64(raw, &iv);
    switch (fn) {
      case AggSpec::Fn::kSum:
      case AggSpec::Fn::kAvg:
        slot.x += v;
        if (is_int && __builtin_add_overflow(slot.i, iv, &slot.i)) is_int = false;
        break;
      case AggSpec::Fn::kMin:
        slot.x = slot.n == 0 ? v : std::min(slot.x, v);
        if (is_int) slot.i = slot.n == 0 ? iv : std::min(slot.i, iv);
        break;
      case AggSpec::Fn::kMax:
        slot.x = slot.n == 0 ? v : std::max(slot.x, v);
        if (is_int) slot.i = slot.n == 0 ? iv : std::max(slot.i, iv);
        break;
      default:
        break;
    }
    slot.all_int = is_int;
    ++slot.n;
  }
}

namespace {
// Which optional parts of a slot follow, as bit flags.
constexpr uint64_t kDistinct = 1, kHll = 2, kQuantiles = 4;
}  // namespace

void Aggregator::SaveGroup(const AggGroup& g, std::string* out) const {
  PutI64(out, g.count);
  PutU64(out, g.slots ? specs_.size() : 0);
  if (!g.slots) return;
  for (size_t a = 0; a < specs_.size(); ++a) {
    const AggSlot& s = g.slots[a];
    PutDouble(out, s.x);
    PutI64(out, s.i);
    PutI64(out, s.n);
    PutU64(out, s.all_int);
    PutBytes(out, s.raw);
    PutU64(out, (s.distinct ? kDistinct : 0) | (s.hll ? kHll : 0) | (s.quantiles ? kQuantiles : 0));
    if (s.distinct) {
      PutU64(out, s.distinct->size());
      for (const std::string& v : *s.distinct) PutBytes(out, v);
    }
    std::string part;
    if (s.hll) {
      s.hll->AppendState(&part);
      PutBytes(out, part);
      part.clear();
    }
    if (s.quantiles) {
      s.quantiles->AppendState(&part);
      PutBytes(out, part);
    }
  }
}

bool Aggregator::LoadGroup(std::string_view bytes, AggGroup* g) const {
  Decoder d(bytes);
  g->count = d.I64();
  const uint64_t slots = d.U64();
  if (!d.ok()) return false;
  if (slots == 0) return d.done();
  if (slots != specs_.size()) return false;
  g->slots = std::make_unique<AggSlot[]>(specs_.size());
  for (size_t a = 0; a < specs_.size(); ++a) {
    AggSlot& s = g->slots[a];
    s.x = d.Double();
    s.i = d.I64();
    s.n = d.I64();
    s.all_int = d.U64() != 0;
    s.raw.assign(d.Bytes());
    const uint64_t parts = d.U64();
    if (!d.ok()) return false;
    if (parts & kDistinct) {
      const uint64_t n = d.U64();
      if (!d.ok() || n > d.rest().size() / 8) return false;
      s.distinct = std::make_unique<StringSet>();
      for (uint64_t i = 0; i < n && d.ok(); ++i) s.distinct->emplace(d.Bytes());
    }
    if (parts & kHll) {
      s.hll = std::make_unique<HyperLogLog>(specs_[a].precision);
      if (!s.hll->LoadState(d.Bytes())) return false;
    }
    if (parts & kQuantiles) {
      s.quantiles = std::make_unique<QuantileSketch>(specs_[a].sketch_k);
      if (!s.quantiles->LoadState(d.Bytes())) return false;
    }
  }
  return d.done();
}

void Aggregator::Merge(AggGroup* earlier, AggGroup&& later) const {
  earlier->count += later.count;
  if (!later.slots) return;
  EnsureSlots(earlier);
  for (size_t a = 0; a < specs_.size(); ++a) {
    if (specs_[a].fn == AggSpec::Fn::kCount) continue;  // group.count covers it
    AggSlot& d = earlier->slots[a];
    AggSlot& s = later.slots[a];
    switch (specs_[a].fn) {
      case AggSpec::Fn::kCount:
        break;  // skipped above; listed for -Wswitch
      case AggSpec::Fn::kCountField:
        d.n += s.n;
        break;
      case AggSpec::Fn::kPercentile:
        if (s.quantiles) {
          if (!d.quantiles) {
            d.quantiles = std::move(s.quantiles);
          } else {
            d.quantiles->Merge(*s.quantiles);
          }
        }
        break;
      case AggSpec::Fn::kApproxCountDistinct:
        if (s.hll) {
          if (!d.hll) {
            d.hll = std::move(s.hll);
          } else {
            d.hll->Merge(*s.hll);
          }
        }
        break;
      case AggSpec::Fn::kCountDistinct:
        if (s.distinct) {
          if (!d.distinct) {
            d.distinct = std::move(s.distinct);
          } else {
            d.distinct->insert(s.distinct->begin(), s.distinct->end());
          }
        }
        break;
      case AggSpec::Fn::kFirst:
        if (d.n == 0) d.raw = std::move(s.raw);
        d.n += s.n;
        break;
      case AggSpec::Fn::kLast:
        if (s.n > 0) d.raw = std::move(s.raw);
        d.n += s.n;
        break;
      case AggSpec::Fn::kSum:
      case AggSpec::Fn::kAvg:
      case AggSpec::Fn::kMin:
      case AggSpec::Fn::kMax: {
        if (s.n == 0) break;
        if (d.n == 0) {
          d = std::move(s);
          break;
        }
        bool is_int = d.all_int && s.all_int;
        if (specs_[a].fn == AggSpec::Fn::kMin) {
          d.x = std::min(d.x, s.x);
          if (is_int) d.i = std::min(d.i, s.i);
        } else if (specs_[a].fn == AggSpec::Fn::kMax) {
          d.x = std::max(d.x, s.x);
          if (is_int) d.i = std::max(d.i, s.i);
        } else {
          d.x += s.x;
          if (is_int && __builtin_add_overflow(d.i, s.i, &d.i)) is_int = false;
        }
        d.all_int = is_int;
        d.n += s.n;
        break;
      }
    }
  }
}

void Aggregator::Combine(AggGroup* total, const AggGroup& part, int sign) const {
  total->count += sign * part.count;
  if (!part.slots) return;
  EnsureSlots(total);
  for (size_t a = 0; a < specs_.size(); ++a) {
    if (specs_[a].fn != AggSpec::Fn::kSum) continue;
    AggSlot& d = total->slots[a];
    const AggSlot& s = part.slots[a];
    d.n += sign * s.n;
    d.x += sign * s.x;
    bool is_int = d.all_int && s.all_int;
    if (is_int && __builtin_add_overflow(d.i, sign > 0 ? s.i : -s.i, &d.i)) is_int = false;
    d.all_int = is_int;
  }
}

void Aggregator::AppendValues(std::string* out, const AggGroup& g) const {
  for (size_t a = 0; a < specs_.size(); ++a) {
    out->push_back(',');
    AppendJsonString(out, specs_[a].name);
    out->push_back(':');
    if (specs_[a].fn == AggSpec::Fn::kCount) {
      AppendInt(out, g.count);
      continue;
    }
    static const AggSlot kNoRows;  // a group made without rows (an empty batch window)
    const AggSlot& slot = g.slots ? g.slots[a] : kNoRows;
    switch (specs_[a].fn) {
      case AggSpec::Fn::kCountField:
        AppendInt(out, slot.n);
        break;
      case AggSpec::Fn::kCountDistinct:
        AppendInt(out, slot.distinct ? static_cast<int64_t>(slot.distinct->size()) : 0);
        break;
      case AggSpec::Fn::kApproxCountDistinct:
        AppendInt(out, slot.hll ? static_cast<int64_t>(slot.hll->Estimate()) : 0);
        break;
      case AggSpec::Fn::kPercentile:
        if (!slot.quantiles || slot.quantiles->count() == 0) {
          out->append("null");
        } else {
          AppendJsonNumber(out, slot.quantiles->Quantile(specs_[a].percentage));
        }
        break;
      case AggSpec::Fn::kAvg:
        if (slot.n == 0) {
          out->append("null");
        } else {
          AppendJsonNumber(out, slot.x / static_cast<double>(slot.n));
        }
        break;
      case AggSpec::Fn::kFirst:
      case AggSpec::Fn::kLast:
        out->append(slot.n == 0 ? std::string_view("null") : slot.raw);
        break;
      default:
        if (slot.n == 0) {
          // A zero key of the incremental form (no rows left) sums to 0, as
          // in Spark; a group with rows but no numeric values is null.
          out->append(g.count == 0 ? "0" : "null");
        } else if (slot.all_int) {
          AppendInt(out, slot.i);
        } else {
          AppendJsonNumber(out, slot.x);
        }
    }
  }
}

std::string_view BuildGroupKey(const RecordScanner& scanner, const std::vector<size_t>& indices,
                               std::string* scratch) {
  if (indices.size() == 1) {
    std::string_view raw = scanner.value(indices[0]);
    return raw.empty() ? std::string_view("null") : raw;
  }
  std::string* key = scratch;
  key->clear();
  for (size_t k = 0; k < indices.size(); ++k) {
    if (k) key->push_back('\x1f');
    std::string_view raw = scanner.value(indices[k]);
    key->append(raw.empty() ? std::string_view("null") : raw);
  }
  return *key;
}

void AppendGroupKeyFields(std::string* out, const std::vector<std::string>& names,
                          std::string_view key) {
  if (names.size() == 1) {  // the common case: no separator to look for
    out->push_back(',');
    AppendJsonString(out, names[0]);
    out->push_back(':');
    out->append(key);
    return;
  }
  size_t pos = 0;
  for (const auto& name : names) {
    size_t end = key.find('\x1f', pos);
    if (end == std::string_view::npos) end = key.size();
    out->push_back(',');
    AppendJsonString(out, name);
    out->push_back(':');
    out->append(key.substr(pos, end - pos));
    pos = end + 1;
  }
}

Status PlanGroupedAggregation(const std::vector<std::string>& by, std::string_view agg,
                              Columns* columns, GroupedAggregation* out) {
  std::vector<std::string> items;
  SSTREAM_RETURN_IF_ERROR(text::SplitFieldLists(by, "--by", &items));
  for (const auto& item : items) {
    std::string expr, alias;
    text::SplitAlias(item, &expr, &alias);
    size_t index;
    SSTREAM_RETURN_IF_ERROR(columns->Add(expr, "--by", &index));
    std::string name = alias;
    if (name.empty() && !Columns::IsExpression(expr)) {
      std::vector<std::string> segs;
      SSTREAM_RETURN_IF_ERROR(ParseFieldPath(expr, &segs).WithContext("--by"));
      name = segs.back();
    }
    out->key_names.push_back(name.empty() ? expr : name);
    out->key_index.push_back(index);
  }
  std::vector<AggSpec> specs;
  SSTREAM_RETURN_IF_ERROR(ParseAggList(agg, &specs));
  std::vector<size_t> field_index;
  for (const auto& a : specs) {
    size_t index = 0;
    if (!a.field.empty()) SSTREAM_RETURN_IF_ERROR(columns->Add(a.field, "--agg", &index));
    field_index.push_back(index);
  }
  out->aggregator.Init(std::move(specs), std::move(field_index));
  return Status::OK();
}

}  // namespace sstream
