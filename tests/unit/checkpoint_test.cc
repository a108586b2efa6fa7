// Checkpoint (checkpoint.h): the LMDB store under a pipeline's checkpoint
// directory, and every bad state it must refuse clearly instead of resetting:
// damaged, another format, full, locked by a running pipeline.
#include "sstream/checkpoint.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "stage_harness.h"

namespace sstream {
namespace {

using testing_util::FailsWith;

// A fresh directory name inside a private temporary directory.
class CheckpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "sstream_cp_XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    root_ = tmpl;
    dir_ = root_ + "/cp";
  }
  void TearDown() override { std::system(("rm -rf '" + root_ + "'").c_str()); }
  std::string root_, dir_;
};

TEST_F(CheckpointTest, CreatesThePrivateDirectoryAndKeepsWhatIsWritten) {
  {
    std::unique_ptr<Checkpoint> cp;
    ASSERT_TRUE(Checkpoint::Open(dir_, &cp).ok());
    struct stat st;
    ASSERT_EQ(::stat(dir_.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u) << "a checkpoint holds the data: private";
    ASSERT_TRUE(cp->Put("source-0", "epoch/7", "offsets").ok());
  }
  std::unique_ptr<Checkpoint> cp;
  ASSERT_TRUE(Checkpoint::Open(dir_, &cp).ok()) << "reopening the same checkpoint";
  std::string value;
  bool found = false;
  ASSERT_TRUE(cp->Get("source-0", "epoch/7", &value, &found).ok());
  EXPECT_TRUE(found);
  EXPECT_EQ(value, "offsets");
  ASSERT_TRUE(cp->Get("source-0", "epoch/8", &value, &found).ok());
  EXPECT_FALSE(found);
  ASSERT_TRUE(cp->Get("no-such-stage", "x", &value, &found).ok());
  EXPECT_FALSE(found) << "a database never written is empty, not an error";
}

TEST_F(CheckpointTest, AnotherFormatIsRefusedNotReset) {
  {
    std::unique_ptr<Checkpoint> cp;
    ASSERT_TRUE(Checkpoint::Open(dir_, &cp).ok());
    ASSERT_TRUE(cp->Put("meta", "format", "sstream-checkpoint 0").ok());
  }
  std::unique_ptr<Checkpoint> cp;
  Status s = Checkpoint::Open(dir_, &cp);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_TRUE(FailsWith(s, "written in format 'sstream-checkpoint 0', but this sstream reads "
                           "'sstream-checkpoint 1'"));
}

TEST_F(CheckpointTest, ADamagedCheckpointIsRefused) {
  ASSERT_EQ(::mkdir(dir_.c_str(), 0700), 0);
  std::ofstream(dir_ + "/data.mdb") << std::string(8192, 'x');
  std::unique_ptr<Checkpoint> cp;
  Status s = Checkpoint::Open(dir_, &cp);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_TRUE(FailsWith(s, "the checkpoint is damaged"));
  EXPECT_TRUE(FailsWith(s, "checkpoint " + dir_));
}

TEST_F(CheckpointTest, AFullCheckpointSaysSo) {
  std::unique_ptr<Checkpoint> cp;
  ASSERT_TRUE(Checkpoint::Open(dir_, &cp, 256 * 1024).ok());
  Status s;
  for (int i = 0; i < 1000 && s.ok(); ++i) {
    s = cp->Put("window-0", "k" + std::to_string(i), std::string(4096, 'v'));
  }
  ASSERT_FALSE(s.ok()) << "256 KiB cannot hold 4 MB";
  EXPECT_TRUE(FailsWith(s, "the checkpoint is full"));
}

TEST_F(CheckpointTest, AFileIsNotACheckpointDirectory) {
  std::ofstream(dir_) << "x";
  std::unique_ptr<Checkpoint> cp;
  EXPECT_TRUE(FailsWith(Checkpoint::Open(dir_, &cp), "not a directory"));
}

TEST_F(CheckpointTest, AStageRunningElsewhereIsRefused) {
  int ready[2], done[2];
  ASSERT_EQ(::pipe(ready), 0);
  ASSERT_EQ(::pipe(done), 0);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {  // the other pipeline: holds the stage until told to stop
    std::unique_ptr<Checkpoint> cp;
    const bool ok = Checkpoint::Open(dir_, &cp).ok() && cp->LockStage("window-1").ok();
    char c = ok ? '1' : '0';
    (void)!::write(ready[1], &c, 1);
    (void)!::read(done[0], &c, 1);
    ::_exit(ok ? 0 : 1);
  }
  char c = 0;
  ASSERT_EQ(::read(ready[0], &c, 1), 1);
  ASSERT_EQ(c, '1');
  std::unique_ptr<Checkpoint> cp;
  ASSERT_TRUE(Checkpoint::Open(dir_, &cp).ok()) << "several processes share one checkpoint";
  Status s = cp->LockStage("window-1");
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.ToString();
  EXPECT_TRUE(FailsWith(s, "stage 'window-1' is in use by a running pipeline (pid " +
                               std::to_string(child) + ")"));
  EXPECT_TRUE(cp->LockStage("window-2").ok()) << "other stages are free";
  (void)!::write(done[1], "x", 1);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_TRUE(cp->LockStage("window-1").ok()) << "free once the other pipeline has gone";
  EXPECT_TRUE(FailsWith(cp->LockStage("a/b"), "bad stage name"));
}

}  // namespace
}  // namespace sstream
