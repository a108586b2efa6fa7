// The source's input set and checkpoint records (lib/src/ops/source_input.h).
#include "ops/source_input.h"

#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

namespace sstream {
namespace source_input {
namespace {

// issue-10: an epoch's record names each stretch of each file it read, and
// reads back the same whatever the file's name holds.
TEST(SourceRecordTest, FileCoversRoundTripWithAnyPath) {
  Cover c;
  c.records = 7;
  c.last = true;
  c.segments.push_back(Segment{FileId{65024, 12}, "a;b%c\nd.json", 0, 0, 100, 4});
  c.segments.push_back(Segment{FileId{1, 2}, "/x/y z.json", 5, 1, 9, 2});
  const std::string text = CoverText(c, false);
  EXPECT_EQ(text, "records=7 last=1; 65024:12 0:0 100:4 a%3Bb%25c%0Ad.json; 1:2 5:1 9:2 /x/y z.json");
  Cover back;
  ASSERT_TRUE(ParseCover(text, false, &back));
  EXPECT_EQ(back.records, 7);
  EXPECT_TRUE(back.last);
  ASSERT_EQ(back.segments.size(), 2u);
  EXPECT_EQ(back.segments[0].path, "a;b%c\nd.json");
  EXPECT_TRUE(back.segments[0].id == (FileId{65024, 12}));
  EXPECT_EQ(back.segments[0].to, 100u);
  EXPECT_EQ(back.segments[0].to_line, 4u);
  EXPECT_EQ(back.segments[1].path, "/x/y z.json");
  EXPECT_EQ(back.segments[1].from, 5u);
  Cover empty;
  ASSERT_TRUE(ParseCover("records=0 last=0", false, &empty));
  EXPECT_TRUE(empty.segments.empty());
  Cover bad;
  EXPECT_FALSE(ParseCover("input=0 offset=10 line=1", false, &bad));
  EXPECT_FALSE(ParseCover("records=1 last=0; 1:2 9:0 5:0 a", false, &bad)) << "ends before it starts";
  EXPECT_FALSE(ParseCover("records=1 last=0;1:2 0:0 5:0 a", false, &bad));
}

TEST(SourceRecordTest, GeneratorCoversAndOlderRecords) {
  Cover c;
  c.row = 40;
  c.start_ms = 1000;
  c.records = 10;
  const std::string text = CoverText(c, true);
  EXPECT_EQ(text, "row=40 start_ms=1000 records=10 last=0");
  Cover back;
  ASSERT_TRUE(ParseCover(text, true, &back));
  EXPECT_EQ(back.row, 40);
  EXPECT_EQ(back.records, 10);
  Cover old;
  ASSERT_TRUE(ParseCover("row=9 start_ms=5", true, &old));
  EXPECT_EQ(old.row, 9);
  EXPECT_EQ(old.records, 0);
}

TEST(SourceRecordTest, FileStateRoundTrip) {
  FileState f{3, 120, 6, 64, 0xdeadbeefcafe, "logs/app;1.log"};
  FileState back;
  ASSERT_TRUE(ParseFileState(FileStateText(f), &back));
  EXPECT_EQ(back.seq, 3);
  EXPECT_EQ(back.offset, 120u);
  EXPECT_EQ(back.line, 6u);
  EXPECT_EQ(back.head_len, 64u);
  EXPECT_EQ(back.head_hash, 0xdeadbeefcafeu);
  EXPECT_EQ(back.path, "logs/app;1.log");
  FileId id;
  EXPECT_TRUE(ParseFileId("65024:99", &id));
  EXPECT_EQ(id.ino, 99u);
  EXPECT_FALSE(ParseFileId("65024:99x", &id));
}

class ListInputsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "sstream_src_XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    root_ = tmpl;
  }
  void TearDown() override { std::system(("rm -rf '" + root_ + "'").c_str()); }
  std::string Make(const std::string& name) {
    std::string path = root_ + "/" + name;
    std::ofstream(path) << "{}\n";
    return path;
  }
  std::vector<std::string> Names(const std::vector<Input>& inputs) {
    std::vector<std::string> out;
    for (const Input& in : inputs) out.push_back(in.path.substr(root_.size() + 1));
    return out;
  }
  std::string root_;
};

// issue-10: a directory is its regular files by name; links count only
// within it; under a checkpoint each file comes once.
TEST_F(ListInputsTest, DirectoriesLinksAndDuplicates) {
  ASSERT_EQ(::mkdir((root_ + "/d").c_str(), 0700), 0);
  ASSERT_EQ(::mkdir((root_ + "/d/sub").c_str(), 0700), 0);
  Make("d/b.json");
  Make("d/a.json");
  Make("d/.hidden");
  Make("d/sub/x.json");
  Make("outside.json");
  ASSERT_EQ(::symlink("../outside.json", (root_ + "/d/out.json").c_str()), 0);
  ASSERT_EQ(::symlink("a.json", (root_ + "/d/z.json").c_str()), 0);
  std::vector<Input> inputs;
  ASSERT_TRUE(ListInputs({root_ + "/d"}, false, &inputs).ok());
  EXPECT_EQ(Names(inputs), (std::vector<std::string>{"d/a.json", "d/b.json", "d/z.json"}));
  EXPECT_TRUE(inputs[0].id == inputs[2].id) << "a link is the file it names";
  inputs.clear();
  ASSERT_TRUE(ListInputs({root_ + "/d", "file:" + root_ + "/d/a.json"}, true, &inputs).ok());
  EXPECT_EQ(Names(inputs), (std::vector<std::string>{"d/a.json", "d/b.json"}));
  inputs.clear();
  ASSERT_TRUE(ListInputs({"-", root_ + "/d/b.json", root_ + "/d/b.json"}, false, &inputs).ok());
  ASSERT_EQ(inputs.size(), 3u);
  EXPECT_TRUE(inputs[0].is_stdin);
}

TEST_F(ListInputsTest, WhatCannotBeReadAgainIsRefusedUnderACheckpoint) {
  const std::string fifo = root_ + "/fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::vector<Input> inputs;
  Status s = ListInputs({fifo}, true, &inputs);
  EXPECT_NE(s.message().find("is not a regular file: --checkpoint needs input that can be read again"),
            std::string::npos)
      << s.message();
  EXPECT_TRUE(ListInputs({fifo}, false, &inputs).ok());
  s = ListInputs({root_ + "/missing.json"}, false, &inputs);
  EXPECT_NE(s.message().find("opening " + root_ + "/missing.json: No such file or directory"),
            std::string::npos)
      << s.message();
}

TEST_F(ListInputsTest, HeadHashTellsFilesApart) {
  const std::string a = Make("a.json");
  int fd = ::open(a.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  size_t got = 0;
  const uint64_t h = HeadHash(fd, kHeadBytes, &got);
  EXPECT_EQ(got, 3u);
  size_t got2 = 0;
  EXPECT_EQ(HeadHash(fd, 3, &got2), h);
  EXPECT_NE(HeadHash(fd, 2, &got2), h);
  ::close(fd);
}

}  // namespace
}  // namespace source_input
}  // namespace sstream
