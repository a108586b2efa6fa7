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
#include <map>
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

// StageCheckpoint: state saved epoch by epoch rolls back to the cut the
// sinks committed; what changed, not all state, is written.
std::map<std::string, std::string> LoadAll(StageCheckpoint* sc) {
  std::map<std::string, std::string> out;
  EXPECT_TRUE(sc->Load([&](std::string_view k, std::string_view v) {
                  out.emplace(k, v);
                  return Status::OK();
                }).ok());
  return out;
}

Status OpenStage(const std::string& dir, const std::string& name, const std::string& fp,
                 std::unique_ptr<StageCheckpoint>* out) {
  std::unique_ptr<Checkpoint> cp;
  SSTREAM_RETURN_IF_ERROR(Checkpoint::Open(dir, &cp));
  return StageCheckpoint::Open(std::move(cp), name, fp, out);
}

TEST_F(CheckpointTest, StateRollsBackToTheSinksCut) {
  {
    std::unique_ptr<StageCheckpoint> win, sink;
    ASSERT_TRUE(OpenStage(dir_, "window", "tumbling 10s", &win).ok());
    ASSERT_TRUE(OpenStage(dir_, "sink", "json", &sink).ok());
    EXPECT_EQ(win->cut(), -1);
    StateChanges c;
    c.Put("w/a", "1");
    c.Put("w/b", "1");
    ASSERT_TRUE(win->Save(0, c).ok());
    ASSERT_TRUE(sink->Commit(0).ok());
    c.Clear();
    c.Put("w/a", "2");
    c.Erase("w/b");
    c.Put("w/c", "1");
    ASSERT_TRUE(win->Save(1, c).ok());
    c.Clear();
    c.ErasePrefix("w/");
    c.Put("x/d", "9");
    ASSERT_TRUE(win->Save(2, c).ok());
    EXPECT_EQ(LoadAll(win.get()), (std::map<std::string, std::string>{{"x/d", "9"}}));
  }
  std::unique_ptr<StageCheckpoint> win;
  ASSERT_TRUE(OpenStage(dir_, "window", "tumbling 10s", &win).ok());
  EXPECT_EQ(win->cut(), 0) << "the sink committed epoch 0 only";
  EXPECT_EQ(win->state_epoch(), 0);
  EXPECT_EQ(LoadAll(win.get()), (std::map<std::string, std::string>{{"w/a", "1"}, {"w/b", "1"}}))
      << "epochs 1 and 2 are undone";
}

// issue-10: a source records what an epoch covers and its own state (where
// each file stands) in one transaction; both go back to the cut together.
TEST_F(CheckpointTest, ASourcesEpochRecordAndStateRollBackTogether) {
  {
    std::unique_ptr<StageCheckpoint> src, sink;
    ASSERT_TRUE(OpenStage(dir_, "source", "files", &src).ok());
    ASSERT_TRUE(OpenStage(dir_, "sink", "json", &sink).ok());
    StateChanges c;
    c.Put("file/1:2", "offset=10");
    ASSERT_TRUE(src->RecordEpoch(0, "records=1", c).ok());
    ASSERT_TRUE(sink->Commit(0).ok());
    c.Clear();
    c.Put("file/1:2", "offset=20");
    c.Put("file/1:3", "offset=5");
    ASSERT_TRUE(src->RecordEpoch(1, "records=2", c).ok());
    EXPECT_EQ(src->state_epoch(), 1);
  }
  std::unique_ptr<StageCheckpoint> src;
  ASSERT_TRUE(OpenStage(dir_, "source", "files", &src).ok());
  EXPECT_EQ(src->cut(), 0);
  EXPECT_EQ(LoadAll(src.get()), (std::map<std::string, std::string>{{"file/1:2", "offset=10"}}))
      << "epoch 1's changes are undone";
  std::vector<std::pair<int64_t, std::string>> epochs;
  ASSERT_TRUE(src->RecordedEpochs(0, &epochs).ok());
  EXPECT_EQ(epochs, (std::vector<std::pair<int64_t, std::string>>{{1, "records=2"}}))
      << "and its record is kept, to be replayed";
}

TEST_F(CheckpointTest, AChangedQueryOrANewStageIsRefused) {
  {
    std::unique_ptr<StageCheckpoint> win, sink;
    ASSERT_TRUE(OpenStage(dir_, "window", "tumbling 10s", &win).ok());
    ASSERT_TRUE(OpenStage(dir_, "sink", "json", &sink).ok());
    ASSERT_TRUE(sink->Commit(3).ok());
  }
  std::unique_ptr<StageCheckpoint> sc;
  Status s = OpenStage(dir_, "window", "tumbling 20s", &sc);
  EXPECT_TRUE(FailsWith(s, "stage 'window' ran a different query there\n  then: tumbling 10s\n"
                           "  now:  tumbling 20s"));
  s = OpenStage(dir_, "dedup", "id", &sc);
  EXPECT_TRUE(FailsWith(s, "stage 'dedup' is new, but the pipeline there has committed epoch 3"));
  EXPECT_TRUE(OpenStage(dir_, "window", "tumbling 10s", &sc).ok());
}

TEST_F(CheckpointTest, OldUndoAndEpochRecordsAreCollected) {
  std::unique_ptr<StageCheckpoint> src, win, sink;
  ASSERT_TRUE(OpenStage(dir_, "source", "gen", &src).ok());
  ASSERT_TRUE(OpenStage(dir_, "window", "w", &win).ok());
  ASSERT_TRUE(OpenStage(dir_, "sink", "json", &sink).ok());
  for (int64_t e = 0; e < 30; ++e) {
    ASSERT_TRUE(src->RecordEpoch(e, "position " + std::to_string(e)).ok());
    StateChanges c;
    c.Put("k", std::to_string(e));
    ASSERT_TRUE(win->Save(e, c).ok());
    ASSERT_TRUE(sink->Commit(e).ok());
  }
  std::vector<std::pair<int64_t, std::string>> epochs;
  ASSERT_TRUE(src->RecordedEpochs(-1, &epochs).ok());
  ASSERT_FALSE(epochs.empty());
  // Epoch 29 was recorded while the cut was 28.
  EXPECT_EQ(epochs.front().first, 28 - StageCheckpoint::kRetainedEpochs);
  EXPECT_EQ(epochs.back(), (std::pair<int64_t, std::string>{29, "position 29"}));
  size_t undo = 0;
  ASSERT_TRUE(win->checkpoint()
                  ->View([&](CheckpointTxn& t) {
                    return t.Scan("window.undo", "", false, [&](std::string_view, std::string_view) {
                      ++undo;
                      return CheckpointTxn::Step::kNext;
                    });
                  })
                  .ok());
  EXPECT_LE(undo, 2 * static_cast<size_t>(StageCheckpoint::kRetainedEpochs + 2));
}

TEST_F(CheckpointTest, ARetiredPrefixIsHiddenAtOnceUndoneOnRollbackAndPurgedLater) {
  std::unique_ptr<StageCheckpoint> win, sink;
  ASSERT_TRUE(OpenStage(dir_, "window", "w", &win).ok());
  ASSERT_TRUE(OpenStage(dir_, "sink", "json", &sink).ok());
  StateChanges c;
  for (int i = 0; i < 100; ++i) c.Put("w1/" + std::to_string(i), "v");
  c.Put("w2/x", "v");
  ASSERT_TRUE(win->Save(0, c).ok());
  ASSERT_TRUE(sink->Commit(0).ok());
  c.Clear();
  c.RetirePrefix("w1/");
  ASSERT_TRUE(win->Save(1, c).ok());
  EXPECT_EQ(LoadAll(win.get()), (std::map<std::string, std::string>{{"w2/x", "v"}}));
  auto state_keys = [&] {
    size_t n = 0;
    EXPECT_TRUE(win->checkpoint()
                    ->View([&](CheckpointTxn& t) {
                      return t.Scan("window.state", "", false, [&](std::string_view, std::string_view) {
                        ++n;
                        return CheckpointTxn::Step::kNext;
                      });
                    })
                    .ok());
    return n;
  };
  EXPECT_GE(state_keys(), 100u) << "retiring writes one marker, not 100 deletions";
  win.reset();
  ASSERT_TRUE(OpenStage(dir_, "window", "w", &win).ok());  // rolls back to the cut, epoch 0
  EXPECT_EQ(LoadAll(win.get()).size(), 101u) << "epoch 1's retirement is undone";
  c.Clear();
  c.RetirePrefix("w1/");
  ASSERT_TRUE(win->Save(1, c).ok());
  for (int64_t e = 1; e < 15; ++e) {
    ASSERT_TRUE(sink->Commit(e).ok());
    if (e > 1) {
      ASSERT_TRUE(win->Save(e, StateChanges()).ok());
    }
  }
  EXPECT_EQ(LoadAll(win.get()), (std::map<std::string, std::string>{{"w2/x", "v"}}));
  EXPECT_EQ(state_keys(), 2u) << "w2/x and @epoch: the retired keys are gone for good";
}

TEST_F(CheckpointTest, AHugeRetiredPrefixIsPurgedOverSeveralSaves) {
  std::unique_ptr<StageCheckpoint> win, sink;
  ASSERT_TRUE(OpenStage(dir_, "window", "w", &win).ok());
  ASSERT_TRUE(OpenStage(dir_, "sink", "json", &sink).ok());
  StateChanges c;
  for (int i = 0; i < 120'000; ++i) c.Put("w/" + std::to_string(i), "v");
  ASSERT_TRUE(win->Save(0, c).ok());
  c.Clear();
  c.RetirePrefix("w/");
  ASSERT_TRUE(win->Save(1, c).ok());
  auto count = [&](std::string_view prefix) {
    size_t n = 0;
    EXPECT_TRUE(win->checkpoint()
                    ->View([&](CheckpointTxn& t) {
                      return t.Scan("window.state", prefix, false, [&](std::string_view k, std::string_view) {
                        if (k.substr(0, prefix.size()) != prefix) return CheckpointTxn::Step::kStop;
                        ++n;
                        return CheckpointTxn::Step::kNext;
                      });
                    })
                    .ok());
    return n;
  };
  for (int64_t e = 0; e <= 12; ++e) ASSERT_TRUE(sink->Commit(e).ok());
  ASSERT_TRUE(win->Save(2, StateChanges()).ok());  // cut 12: epoch 1 is out of range
  EXPECT_EQ(count("w/"), 20'000u) << "100,000 deleted by this save, the rest by the next";
  EXPECT_EQ(count("@retired/"), 1u) << "the marker still hides what is left";
  EXPECT_TRUE(LoadAll(win.get()).empty());
  ASSERT_TRUE(win->Save(3, StateChanges()).ok());
  EXPECT_EQ(count("w/"), 0u);
  EXPECT_EQ(count("@retired/"), 0u);
}

}  // namespace
}  // namespace sstream
