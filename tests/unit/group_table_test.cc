// GroupTable (ops/group_table.h): every key finds its own group, against
// std::unordered_map as the reference, through growth, with keys of every
// tail length and keys that differ only in their last byte or length.
#include "ops/group_table.h"

#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace sstream {
namespace {

TEST(HashKeyTest, LengthAndEveryByteCount) {
  std::set<uint64_t> seen;
  std::vector<std::string> keys = {"", std::string(1, '\0'), std::string(2, '\0'), "a", "b",
                                   "ab", "ba"};
  for (size_t n = 1; n <= 24; ++n) {
    std::string k(n, 'x');
    keys.push_back(k);
    k.back() = 'y';
    keys.push_back(k);
    k.front() = 'z';
    keys.push_back(k);
  }
  for (const auto& k : keys) EXPECT_TRUE(seen.insert(HashKey(k)).second) << "collision on '" << k << "'";
  EXPECT_EQ(HashKey("same"), HashKey(std::string("same")));
}

TEST(GroupTableTest, AgreesWithUnorderedMapThroughGrowth) {
  GroupTable table;
  std::unordered_map<std::string, int64_t> reference;
  std::mt19937_64 rng(7);
  for (int i = 0; i < 200000; ++i) {
    // Keys of 0-30 bytes from a small alphabet: many repeats, every tail length.
    std::string key(rng() % 31, 'a');
    for (auto& c : key) c = static_cast<char>('a' + rng() % 3);
    AggGroup* g = table.FindOrAdd(key);
    ASSERT_NE(g, nullptr);
    ++g->count;
    ++reference[key];
  }
  ASSERT_EQ(table.size(), reference.size());
  for (uint32_t id = 0; id < table.size(); ++id) {
    auto it = reference.find(std::string(table.key(id)));
    ASSERT_NE(it, reference.end()) << table.key(id);
    EXPECT_EQ(table.group(id).count, it->second) << table.key(id);
  }
}

TEST(GroupTableTest, KeysThatDifferOnlyAtTheEndAreDifferentGroups) {
  GroupTable table;
  table.FindOrAdd("k1")->count = 1;
  table.FindOrAdd("k10")->count = 10;
  table.FindOrAdd(std::string("k1\0", 3))->count = 100;
  table.FindOrAdd("")->count = 1000;
  EXPECT_EQ(table.size(), 4u);
  EXPECT_EQ(table.FindOrAdd("k1")->count, 1);
  EXPECT_EQ(table.FindOrAdd("k10")->count, 10);
  EXPECT_EQ(table.FindOrAdd(std::string("k1\0", 3))->count, 100);
  EXPECT_EQ(table.FindOrAdd("")->count, 1000);
}

TEST(GroupTableTest, SortByKeyOrdersByBytes) {
  GroupTable table;
  for (const char* k : {"\"b\"", "\"a\"", "10", "9", "\"ab\""}) table.FindOrAdd(k);
  std::vector<uint32_t> ids = {0, 1, 2, 3, 4};
  table.SortByKey(&ids);
  std::vector<std::string> keys;
  for (uint32_t id : ids) keys.emplace_back(table.key(id));
  EXPECT_EQ(keys, (std::vector<std::string>{"\"a\"", "\"ab\"", "\"b\"", "10", "9"}));
}

TEST(GroupTableTest, CountOnlyGroupsStayCompact) {
  // The window benchmark's promise (<= 100 bytes per live group) rests on
  // this layout: 8-byte slots at most half full, 4-byte key ends, the key
  // bytes and a 24-byte AggGroup.
  GroupTable table;
  char key[16];
  const int n = 300000;
  for (int i = 0; i < n; ++i) {
    int len = snprintf(key, sizeof(key), "\"k%07d\"", i);
    table.FindOrAdd(std::string_view(key, len))->count = 1;
  }
  EXPECT_EQ(sizeof(AggGroup), 24u);
  EXPECT_LE(table.MemoryBytes() / n, 100u) << table.MemoryBytes();
}

}  // namespace
}  // namespace sstream
