// The groups of one window: a flat hash table from group key to aggregates,
// built for millions of keys. Keys live back to back in one arena, the index
// is open addressing over 8-byte slots (hash tag + group id), and aggregates
// sit in one vector indexed by id: about 50 bytes per group key of ten bytes,
// against some 150 for a node-based map. Internal to lib/src/ops.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.h"
#include "ops/aggregate.h"

namespace sstream {

class GroupTable {
 public:
  // The group of `key` (`hash` = HashKey(key)), added with empty aggregates
  // if new. The pointer stays valid until the next FindOrAdd.
  AggGroup* FindOrAdd(std::string_view key, uint64_t hash);
  AggGroup* FindOrAdd(std::string_view key) { return FindOrAdd(key, HashKey(key)); }

  size_t size() const { return groups_.size(); }
  bool empty() const { return groups_.empty(); }
  std::string_view key(uint32_t id) const {
    const uint32_t begin = id == 0 ? 0 : key_end_[id - 1];
    return std::string_view(arena_.data() + begin, key_end_[id] - begin);
  }
  AggGroup& group(uint32_t id) { return groups_[id]; }
  uint32_t IdOf(const AggGroup* g) const { return static_cast<uint32_t>(g - groups_.data()); }
  // Orders group ids by key bytes, so output does not depend on hash order.
  void SortByKey(std::vector<uint32_t>* ids) const;
  // Bytes held, for state-size reporting.
  size_t MemoryBytes() const;

 private:
  void Grow();
  static constexpr uint64_t kIdMask = 0xffffffffu;
  // Each slot: high 32 bits of the hash (which also pick the slot), low 32
  // bits id + 1 (0: empty).
  std::vector<uint64_t> slots_;
  std::vector<uint32_t> key_end_;  // arena offset just past each key
  std::string arena_;
  std::vector<AggGroup> groups_;
};

}  // namespace sstream
