// Part files (lib/src/io/part_files.h): names that sort and parse for every
// epoch, partition names that fit a file name, a bounded number of open
// descriptors, and cleanup that removes only what it is told.
#include "io/part_files.h"

#include <dirent.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "sstream/checkpoint.h"

namespace sstream {
namespace {

std::vector<std::string> List(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return names;
  while (dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") names.push_back(n);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

size_t OpenDescriptors() { return List("/proc/self/fd").size(); }

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class PartFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "part_files_test.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    root_ = tmpl;
  }
  void TearDown() override {
    std::string cmd = "rm -rf '" + root_ + "'";
    ASSERT_EQ(::system(cmd.c_str()), 0);
  }
  std::string root_;
};

// issue-10: names sort as numbers for any int64 epoch and any sequence
// number, and parse back; 12-digit names of earlier versions parse as legacy.
TEST(PartFileNameTest, Issue10NamesSortAndParseForEveryEpochAndSequence) {
  const int64_t epochs[] = {0, 9, 999'999'999'999, 1'000'000'000'000,
                            std::numeric_limits<int64_t>::max()};
  const int64_t seqs[] = {0, 999, 1000, 1812, PartFiles::kMaxSeq};
  std::vector<std::string> names;
  for (int64_t e : epochs) {
    for (int64_t s : seqs) {
      names.push_back(PartFiles::FileName(e, s, "jsonl"));
      int64_t pe = -1, ps = -1;
      bool legacy = true;
      ASSERT_TRUE(PartFiles::ParseFileName(names.back(), "jsonl", &pe, &ps, &legacy));
      EXPECT_EQ(pe, e);
      EXPECT_EQ(ps, s);
      EXPECT_FALSE(legacy);
    }
  }
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  int64_t e, s;
  bool legacy = false;
  ASSERT_TRUE(PartFiles::ParseFileName("part-000000000042-007.csv", "csv", &e, &s, &legacy));
  EXPECT_TRUE(legacy);
  EXPECT_EQ(e, 42);
  EXPECT_EQ(s, 7);
  // Other tools' names and other formats are not ours.
  EXPECT_FALSE(PartFiles::ParseFileName("part-00000-1b2c.c000.json", "jsonl", &e, &s, &legacy));
  EXPECT_FALSE(PartFiles::ParseFileName("part-000000000042-007.csv", "jsonl", &e, &s, &legacy));
  EXPECT_FALSE(PartFiles::ParseFileName("part-00000000000000000001-0000000000.jsonl.crc",
                                        "jsonl", &e, &s, &legacy));
}

// issue-10: a value too long for a file name gets a shortened name that
// still has whole escapes and characters, is unique per value, and fits.
TEST(PartitionNameTest, Issue10LongValuesFitAFileNameAndStayDistinct) {
  EXPECT_EQ(PartitionName("k", "a/b", false), "k=a%2Fb");
  EXPECT_EQ(PartitionName("a/b", "x", false), "a%2Fb=x");
  EXPECT_EQ(PartitionName("k", "", true), "k=__HIVE_DEFAULT_PARTITION__");
  const std::string slashes(200, '/');  // 600 bytes escaped
  const std::string a = PartitionName("k", slashes, false);
  const std::string b = PartitionName("k", slashes + "x", false);
  EXPECT_LE(a.size(), 255u);
  EXPECT_NE(a, b);
  const size_t h = a.rfind("%h");
  ASSERT_NE(h, std::string::npos);
  EXPECT_EQ(a.size() - h, 18u);
  // The prefix ends on a whole %2F escape.
  EXPECT_EQ((h - 2) % 3, 0u);
  std::string utf8;
  for (int i = 0; i < 200; ++i) utf8 += "\xc3\xa9";  // é, two bytes each
  const std::string u = PartitionName("k", utf8, false);
  EXPECT_LE(u.size(), 255u);
  EXPECT_EQ((u.rfind("%h") - 2) % 2, 0u);  // no é cut in half
  EXPECT_EQ(PartitionName("k", std::string(253, 'x'), false).size(), 255u);  // fits whole
}

// issue-10: at most max_open files are open whatever the partitions; the
// rest are synced, closed and reopened for append.
TEST_F(PartFilesTest, Issue10BoundedOpenFilesAcrossManyPartitions) {
  PartFiles parts(root_ + "/out", "jsonl", 0);
  parts.set_max_open(3);
  bool had = true;
  ASSERT_TRUE(parts.Open(&had).ok());
  EXPECT_FALSE(had);
  const size_t before = OpenDescriptors();
  for (int round = 0; round < 3; ++round) {
    for (int p = 0; p < 20; ++p) {
      std::string line = std::string(70 << 10, 'a' + round) + "\n";  // past the buffer
      ASSERT_TRUE(parts.Append("v=" + std::to_string(p), line, "").ok());
      EXPECT_LE(OpenDescriptors(), before + 3);
    }
  }
  std::string manifest;
  ASSERT_TRUE(parts.Commit(5, [&](const std::string& m) {
                      manifest = m;
                      return Status::OK();
                    }).ok());
  EXPECT_EQ(OpenDescriptors(), before);
  EXPECT_EQ(List(root_ + "/out").size(), 20u);
  const std::string file = root_ + "/out/v=7/" + PartFiles::FileName(5, 0, "jsonl");
  EXPECT_EQ(Read(file), std::string(70 << 10, 'a') + "\n" + std::string(70 << 10, 'b') + "\n" +
                            std::string(70 << 10, 'c') + "\n");
  EXPECT_NE(manifest.find("v=7/" + PartFiles::FileName(5, 0, "jsonl") + "\t"), std::string::npos);
  // The manifest removes exactly its files, and the owner's temporaries only.
  std::ofstream(root_ + "/out/v=7/keep.json") << "x";
  std::ofstream(root_ + "/out/v=7/.part-tmp-other-1-0") << "x";
  std::ofstream(root_ + "/out/v=7/.part-tmp-mine-1-0") << "x";
  parts.set_owner_token("mine");
  // Another file now under a listed name (a new inode renamed over it): not
  // the sink's, so it stays.
  const std::string taken = root_ + "/out/v=3/" + PartFiles::FileName(5, 0, "jsonl");
  std::ofstream(root_ + "/out/v=3/other") << "another writer's";
  ASSERT_EQ(::rename((root_ + "/out/v=3/other").c_str(), taken.c_str()), 0);
  int64_t removed = 0;
  ASSERT_TRUE(parts.RemoveListed(manifest, &removed).ok());
  EXPECT_EQ(removed, 19);
  EXPECT_EQ(Read(taken), "another writer's");
  removed = 0;
  ASSERT_TRUE(parts.RemoveOwnTemporaries(&removed).ok());
  EXPECT_EQ(removed, 1);
  EXPECT_EQ(List(root_ + "/out/v=7"), (std::vector<std::string>{".part-tmp-other-1-0", "keep.json"}));
}

// A checkpoint of an earlier version lists no files: its uncommitted part
// files are known by their 12-digit names only, regular files of this
// extension with a later epoch.
TEST_F(PartFilesTest, LegacyCleanupRemovesOnlyLaterLegacyNamesOfItsFormat) {
  PartFiles parts(root_ + "/out", "jsonl", 0);
  bool had = false;
  ASSERT_TRUE(parts.Open(&had).ok());
  ASSERT_EQ(::mkdir((root_ + "/out/k=a").c_str(), 0755), 0);
  for (const char* name : {"part-000000000003-000.jsonl", "part-000000000004-000.jsonl",
                           "k=a/part-000000000005-001.jsonl", "part-000000000009-000.csv",
                           "part-00000000000000000009-0000000000.jsonl",
                           "part-00009-1b2c.c000.json"}) {
    std::ofstream(root_ + "/out/" + name) << "x";
  }
  ASSERT_EQ(::symlink("part-000000000003-000.jsonl",
                      (root_ + "/out/part-000000000008-000.jsonl").c_str()), 0);
  int64_t removed = 0;
  ASSERT_TRUE(parts.RemoveLegacyAfter(3, &removed).ok());
  EXPECT_EQ(removed, 2);
  EXPECT_EQ(List(root_ + "/out"),
            (std::vector<std::string>{"k=a", "part-00000000000000000009-0000000000.jsonl",
                                      "part-000000000003-000.jsonl", "part-000000000008-000.jsonl",
                                      "part-000000000009-000.csv", "part-00009-1b2c.c000.json"}));
  EXPECT_TRUE(List(root_ + "/out/k=a").empty());
}

TEST(StageNameTest, Issue10StageNamesNameFilesSafely) {
  EXPECT_TRUE(Checkpoint::CheckStageName("sink").ok());
  EXPECT_TRUE(Checkpoint::CheckStageName("sink.2-b_c").ok());
  EXPECT_TRUE(Checkpoint::CheckStageName("").IsInvalidArgument());
  EXPECT_TRUE(Checkpoint::CheckStageName("a/b").IsInvalidArgument());
  EXPECT_TRUE(Checkpoint::CheckStageName("a\nb").IsInvalidArgument());
  EXPECT_TRUE(Checkpoint::CheckStageName(std::string(101, 'n')).IsInvalidArgument());
}

}  // namespace
}  // namespace sstream
