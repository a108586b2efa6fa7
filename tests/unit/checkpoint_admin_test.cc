// sstream-checkpoint's actions (checkpoint_admin.h) over checkpoints built
// with StageCheckpoint: what show reports, what rewind restores, and the
// damaged, locked and missing checkpoints they must refuse clearly.
#include "sstream/checkpoint_admin.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <map>
#include <string>

#include "sstream/checkpoint.h"
#include "stage_harness.h"

namespace sstream {
namespace {

using testing_util::FailsWith;

class CheckpointAdminTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "sstream_cpadmin_XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    root_ = tmpl;
    dir_ = root_ + "/cp";
  }
  void TearDown() override { std::system(("rm -rf '" + root_ + "'").c_str()); }

  Status OpenStage(const std::string& name, const std::string& fp,
                   std::unique_ptr<StageCheckpoint>* out) {
    std::unique_ptr<Checkpoint> cp;
    SSTREAM_RETURN_IF_ERROR(Checkpoint::Open(dir_, &cp));
    return StageCheckpoint::Open(std::move(cp), name, fp, out);
  }

  // A source, a window and a sink through epochs 0..last: the window's key
  // "n" holds the epoch's number, "e<epoch>" is added each epoch.
  void RunPipeline(int64_t last, bool with_source = true) {
    std::unique_ptr<StageCheckpoint> src, win, sink;
    if (with_source) {
      ASSERT_TRUE(OpenStage("source", "gen", &src).ok());
    }
    ASSERT_TRUE(OpenStage("window", "w", &win).ok());
    ASSERT_TRUE(OpenStage("sink", "json", &sink).ok());
    for (int64_t e = 0; e <= last; ++e) {
      if (with_source) {
        ASSERT_TRUE(src->RecordEpoch(e, "row=" + std::to_string(e * 10) + " start_ms=0").ok());
      }
      StateChanges c;
      c.Put("n", std::to_string(e));
      c.Put("e" + std::to_string(e), "x");
      ASSERT_TRUE(win->Save(e, c).ok());
      ASSERT_TRUE(sink->Commit(e).ok());
    }
  }

  std::string Show(bool json) {
    MemorySink out;
    Status s = ShowCheckpoint(dir_, json, &out);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return out.contents();
  }

  std::string root_, dir_;
};

TEST_F(CheckpointAdminTest, ShowReportsEveryStageAndTheRewindRange) {
  RunPipeline(5);
  const std::string text = Show(false);
  EXPECT_NE(text.find("  cut:          epoch 5 (the lowest commit"), std::string::npos) << text;
  EXPECT_NE(text.find("  rewind to:    epochs -1..5\n"), std::string::npos) << text;
  EXPECT_NE(text.find("stage source (source)\n  fingerprint:  gen\n  epochs kept:  0..5 (6 "
                      "records)\n  resumes at:   epoch 5: row=50 start_ms=0\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("stage window (state)\n  fingerprint:  w\n  state:        epoch 5, 7 "
                      "entries, 20 bytes\n  undo:         18 records, back to epoch -1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("stage sink (sink)\n  fingerprint:  json\n  committed:    epoch 5\n"),
            std::string::npos)
      << text;
  EXPECT_LT(text.find("stage source"), text.find("stage window"));
  EXPECT_LT(text.find("stage window"), text.find("stage sink"));

  const std::string json = Show(true);
  EXPECT_EQ(json.find("{\"dir\":\"" + dir_ +
                      "\",\"format\":\"sstream-checkpoint 1\",\"cut\":5,"
                      "\"rewind_floor\":-1,\"rewind_to_start\":true,\"stages\":["),
            0u)
      << json;
  EXPECT_NE(json.find("\"epochs\":{\"first\":0,\"last\":5,\"count\":6},\"resume\":{\"epoch\":5,"
                      "\"record\":\"row=50 start_ms=0\"}"),
            std::string::npos)
      << json;
  EXPECT_EQ(json.back(), '\n');
}

TEST_F(CheckpointAdminTest, RewindRestoresStateCommitsAndSourceEpochs) {
  RunPipeline(5);
  MemorySink out;
  Status s = RewindCheckpoint(dir_, 2, &out);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(out.contents(),
            "rewound checkpoint " + dir_ +
                " to epoch 2 (the cut was epoch 5)\n"
                "  source: 3 epoch records dropped, resumes at epoch 2: row=20 start_ms=0\n"
                "  window: state epoch 5 -> epoch 2\n"
                "  sink: commit 5 -> 2\n"
                "the next run replays everything after epoch 2\n");
  std::unique_ptr<StageCheckpoint> src, win, sink;
  ASSERT_TRUE(OpenStage("source", "gen", &src).ok());
  ASSERT_TRUE(OpenStage("window", "w", &win).ok());
  ASSERT_TRUE(OpenStage("sink", "json", &sink).ok());
  EXPECT_EQ(win->cut(), 2);
  EXPECT_EQ(sink->committed(), 2);
  EXPECT_EQ(win->state_epoch(), 2);
  std::map<std::string, std::string> state;
  ASSERT_TRUE(win->Load([&](std::string_view k, std::string_view v) {
                   state.emplace(k, v);
                   return Status::OK();
                 })
                  .ok());
  EXPECT_EQ(state, (std::map<std::string, std::string>{
                       {"n", "2"}, {"e0", "x"}, {"e1", "x"}, {"e2", "x"}}));
  std::vector<std::pair<int64_t, std::string>> epochs;
  ASSERT_TRUE(src->RecordedEpochs(-1, &epochs).ok());
  ASSERT_EQ(epochs.size(), 3u);
  EXPECT_EQ(epochs.back().first, 2);
}

TEST_F(CheckpointAdminTest, RewindToTheStartEmptiesStateAndCommits) {
  RunPipeline(3);
  MemorySink out;
  ASSERT_TRUE(RewindCheckpoint(dir_, -1, &out).ok());
  const std::string json = Show(true);
  EXPECT_NE(json.find("\"cut\":null"), std::string::npos) << json;
  EXPECT_NE(json.find("\"state_epoch\":null,\"state_entries\":0"), std::string::npos) << json;
  EXPECT_NE(json.find("\"epochs\":null"), std::string::npos) << json;
}

TEST_F(CheckpointAdminTest, RewindIsRefusedAfterTheCutAndBeforeTheRecordsKept) {
  RunPipeline(29);
  MemorySink out;
  Status s = RewindCheckpoint(dir_, 30, &out);
  EXPECT_TRUE(FailsWith(s, "checkpoint " + dir_ +
                               ": cannot rewind to epoch 30: it is after the "
                               "cut, epoch 29"));
  // Epoch 29 was saved and recorded while the cut was 28: undo records of
  // the epochs before 18, and epoch records before 18, are gone.
  s = RewindCheckpoint(dir_, 10, &out);
  EXPECT_TRUE(FailsWith(s,
                        "cannot rewind to epoch 10: stage 'source' keeps the records of "
                        "epochs 18..29 only (records are dropped once the cut is 10 epochs "
                        "past them); it can be rewound to epochs 18..29"));
  EXPECT_TRUE(FailsWith(RewindCheckpoint(dir_, 17, &out), "stage 'source'"))
      << "the window could go back to 17, but the source not";
  EXPECT_TRUE(FailsWith(RewindCheckpoint(dir_, -1, &out), "or reset to start from the beginning"));
  EXPECT_TRUE(FailsWith(RewindCheckpoint(dir_, -2, &out), "epochs start at 0"));
  EXPECT_EQ(out.contents(), "") << "nothing done";
  EXPECT_TRUE(RewindCheckpoint(dir_, 18, &out).ok());
}

TEST_F(CheckpointAdminTest, StateGoesBackAsFarAsItsUndoRecords) {
  RunPipeline(29, /*with_source=*/false);
  MemorySink out;
  Status s = RewindCheckpoint(dir_, 16, &out);
  EXPECT_TRUE(FailsWith(s,
                        "cannot rewind to epoch 16: stage 'window' can undo its state back "
                        "to epoch 17 only"));
  EXPECT_TRUE(FailsWith(s, "it can be rewound to epochs 17..29"));
  ASSERT_TRUE(RewindCheckpoint(dir_, 17, &out).ok());
  std::unique_ptr<StageCheckpoint> win;
  ASSERT_TRUE(OpenStage("window", "w", &win).ok());
  EXPECT_EQ(win->state_epoch(), 17);
}

TEST_F(CheckpointAdminTest, ResetKeepsOnlyTheFormat) {
  RunPipeline(2);
  MemorySink out;
  ASSERT_TRUE(ResetCheckpoint(dir_, &out).ok());
  EXPECT_NE(out.contents().find("dropped window.undo (9 records)\n"), std::string::npos)
      << out.contents();
  EXPECT_NE(out.contents().find("reset checkpoint " + dir_ + ": 3 stages (sink, source, window)"),
            std::string::npos)
      << out.contents();
  EXPECT_NE(Show(false).find("  stages:       none\n"), std::string::npos);
  std::unique_ptr<StageCheckpoint> win;
  ASSERT_TRUE(OpenStage("window", "another query", &win).ok()) << "the old query is forgotten";
}

TEST_F(CheckpointAdminTest, DamagedRecordsAreReportedAndOnlyResetActs) {
  RunPipeline(2);
  {
    std::unique_ptr<Checkpoint> cp;
    ASSERT_TRUE(Checkpoint::Open(dir_, &cp).ok());
    ASSERT_TRUE(cp->Put("commits", "sink", "two").ok());
  }
  MemorySink out;
  Status s = ShowCheckpoint(dir_, false, &out);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_TRUE(FailsWith(s, "checkpoint " + dir_ + ": the commit record of 'sink' is damaged"));
  s = RewindCheckpoint(dir_, 1, &out);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_EQ(out.contents(), "");
  EXPECT_TRUE(ResetCheckpoint(dir_, &out).ok()) << "a reset is the way out";

  RunPipeline(2);
  const std::pair<const char*, const char*> bad[] = {
      {"window.state", "@epoch"}, {"window.undo", "x"}, {"source.epochs", "12"}};
  for (const auto& [db, key] : bad) {
    {
      std::unique_ptr<Checkpoint> cp;
      ASSERT_TRUE(Checkpoint::Open(dir_, &cp).ok());
      ASSERT_TRUE(cp->Put(db, key, "?").ok());
    }
    s = ShowCheckpoint(dir_, true, &out);
    EXPECT_TRUE(s.IsCorruption()) << db << ": " << s.ToString();
    EXPECT_TRUE(FailsWith(s, "is damaged")) << db;
    {
      std::unique_ptr<Checkpoint> cp;
      ASSERT_TRUE(Checkpoint::Open(dir_, &cp).ok());
      ASSERT_TRUE(cp->Update([&](CheckpointTxn& t) { return t.Erase(db, key); }).ok());
    }
  }
  EXPECT_TRUE(ShowCheckpoint(dir_, true, &out).ok());
}

TEST_F(CheckpointAdminTest, AMissingCheckpointIsNotCreated) {
  MemorySink out;
  Status s = ShowCheckpoint(dir_, false, &out);
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_TRUE(FailsWith(s, "no checkpoint at " + dir_));
  EXPECT_TRUE(FailsWith(ResetCheckpoint(dir_, &out), "no checkpoint at"));
  EXPECT_TRUE(FailsWith(RewindCheckpoint(dir_, 0, &out), "no checkpoint at"));
  struct stat st;
  EXPECT_NE(::stat(dir_.c_str(), &st), 0) << "not created";
  ASSERT_EQ(::mkdir(dir_.c_str(), 0700), 0);
  EXPECT_TRUE(FailsWith(ShowCheckpoint(dir_, false, &out), "(no data.mdb in it)"));
  EXPECT_NE(::stat((dir_ + "/data.mdb").c_str(), &st), 0) << "not created";
}

TEST_F(CheckpointAdminTest, ARunningStageRefusesResetAndRewind) {
  RunPipeline(2);
  std::unique_ptr<StageCheckpoint> running;
  ASSERT_TRUE(OpenStage("window", "w", &running).ok());
  MemorySink out;
  const std::string held =
      "stage 'window' is in use by a running pipeline (pid " + std::to_string(::getpid()) + ")";
  Status s = ResetCheckpoint(dir_, &out);
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_TRUE(FailsWith(s, held + "; stop the pipeline before a reset"));
  EXPECT_TRUE(FailsWith(RewindCheckpoint(dir_, 1, &out), held));
  EXPECT_TRUE(ShowCheckpoint(dir_, false, &out).ok()) << "show only reads";
  running.reset();
  EXPECT_TRUE(RewindCheckpoint(dir_, 1, &out).ok());
}

TEST_F(CheckpointAdminTest, TheCommandLineIsChecked) {
  RunPipeline(1);
  MemorySink out;
  auto run = [&](std::string action, std::string to, bool json) {
    CheckpointCommand c;
    c.action = std::move(action);
    c.dir = dir_;
    c.to = std::move(to);
    c.json = json;
    return RunCheckpointCommand(c, &out);
  };
  Status s = run("frob", "", false);
  EXPECT_EQ(s.code(), StatusCode::kUsage);
  EXPECT_TRUE(FailsWith(s, "ACTION must be show, reset or rewind, not 'frob'"));
  EXPECT_TRUE(FailsWith(run("rewind", "", false), "rewind needs --to EPOCH"));
  EXPECT_TRUE(FailsWith(run("rewind", "1x", false), "--to: '1x' is not an epoch"));
  EXPECT_TRUE(FailsWith(run("rewind", "-2", false), "--to: '-2' is not an epoch"));
  EXPECT_TRUE(FailsWith(run("show", "1", false), "--to applies to rewind only"));
  EXPECT_TRUE(FailsWith(run("reset", "", true), "--json applies to show only"));
  EXPECT_EQ(out.contents(), "");
  EXPECT_TRUE(run("rewind", "0", false).ok());
  EXPECT_TRUE(run("show", "", true).ok());
}

}  // namespace
}  // namespace sstream
