#include "ops/group_table.h"

#include <algorithm>
#include <cstring>

#include "common/bytes.h"

namespace sstream {

AggGroup* GroupTable::FindOrAdd(std::string_view key, uint64_t hash) {
  if (slots_.empty() || (groups_.size() + 1) * 2 > slots_.size()) Grow();
  const uint64_t tag = hash & ~kIdMask;
  const size_t mask = slots_.size() - 1;
  for (size_t i = (hash >> 32) & mask;; i = (i + 1) & mask) {
    const uint64_t s = slots_[i];
    if (s == 0) {
      // A window whose keys pass 4 GiB cannot be indexed by 32-bit offsets.
      if (arena_.size() + key.size() > kIdMask) return nullptr;
      const auto id = static_cast<uint32_t>(groups_.size());
      slots_[i] = tag | (id + 1);
      arena_.append(key);
      key_end_.push_back(static_cast<uint32_t>(arena_.size()));
      groups_.emplace_back();
      return &groups_.back();
    }
    if ((s & ~kIdMask) == tag) {
      const auto id = static_cast<uint32_t>((s & kIdMask) - 1);
      if (EqualBytes(this->key(id), key)) return &groups_[id];
    }
  }
}

void GroupTable::Grow() {
  const size_t cap = slots_.empty() ? 16 : slots_.size() * 2;
  std::vector<uint64_t> old;
  old.swap(slots_);
  slots_.assign(cap, 0);
  const size_t mask = cap - 1;
  for (uint64_t s : old) {
    if (s == 0) continue;
    size_t i = (s >> 32) & mask;  // the index comes from the tag: no rehashing
    while (slots_[i] != 0) i = (i + 1) & mask;
    slots_[i] = s;
  }
}

void GroupTable::SortByKey(std::vector<uint32_t>* ids) const {
  // By the first eight key bytes as one big-endian integer (whose order is
  // byte order), and by whole keys only where those are equal: several times
  // faster than comparing keys through the arena for a million groups.
  struct Entry {
    uint64_t prefix;
    uint32_t id;
  };
  std::vector<Entry> entries;
  entries.reserve(ids->size());
  for (uint32_t id : *ids) {
    const std::string_view k = key(id);
    unsigned char bytes[8] = {};
    std::memcpy(bytes, k.data(), std::min<size_t>(k.size(), 8));
    uint64_t prefix = 0;
    for (unsigned char b : bytes) prefix = (prefix << 8) | b;
    entries.push_back({prefix, id});
  }
  std::sort(entries.begin(), entries.end(), [this](const Entry& a, const Entry& b) {
    if (a.prefix != b.prefix) return a.prefix < b.prefix;
    return key(a.id) < key(b.id);
  });
  for (size_t i = 0; i < entries.size(); ++i) (*ids)[i] = entries[i].id;
}

size_t GroupTable::MemoryBytes() const {
  return slots_.capacity() * sizeof(uint64_t) + key_end_.capacity() * sizeof(uint32_t) +
         arena_.capacity() + groups_.capacity() * sizeof(AggGroup);
}

}  // namespace sstream
