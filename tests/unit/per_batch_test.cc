// sstream-map --per-batch (ops/per_batch.h, io/subprocess.h): a command run
// once per micro-batch through RunStage, with real child processes.
#include "ops/per_batch.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <string>
#include <vector>

#include "io/subprocess.h"
#include "sstream/map.h"
#include "stage_harness.h"

namespace sstream {
namespace {

using testing_util::Binary;
using testing_util::FailsWith;
using testing_util::kEnd;
using testing_util::Lines;
using testing_util::RunOperator;
using testing_util::StageRun;
using testing_util::TempDir;
using testing_util::Tick;

using Strings = std::vector<std::string>;

std::string Wm(int64_t ms) {
  return "{\"@sstream\":\"watermark\",\"ms\":" + std::to_string(ms) + "}";
}

// Runs `argv` per batch (after `where`/`select`) over `input`.
StageRun PerBatch(const Strings& argv, const std::string& input,
                  const CommonOptions& common = CommonOptions(), const std::string& where = "",
                  const std::string& select = "") {
  MapOptions o;
  o.where = where;
  o.select = select;
  o.per_batch = argv;
  std::unique_ptr<Operator> op;
  Status s = NewMapOperator(o, &op, common);
  EXPECT_TRUE(s.ok()) << s.ToString();
  if (!s.ok()) return {s, "", {}, {}, {}};
  return RunOperator(op.get(), input, common);
}

// Like PerBatch, but the command's stderr goes to *err instead of ours.
StageRun PerBatchCapturingStderr(const Strings& argv, const std::string& input, std::string* err) {
  int fds[2];
  EXPECT_EQ(::pipe(fds), 0);
  std::unique_ptr<Operator> inner, op;
  EXPECT_TRUE(NewMapOperator(MapOptions(), &inner).ok());
  PerBatchOptions o;
  o.argv = argv;
  o.stderr_fd = fds[1];
  CommonOptions common;
  Status s = NewPerBatchOperator(o, std::move(inner), common, &op);
  EXPECT_TRUE(s.ok()) << s.ToString();
  StageRun r = RunOperator(op.get(), input, common);
  ::close(fds[1]);
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fds[0], buf, sizeof(buf))) > 0) err->append(buf, static_cast<size_t>(n));
  ::close(fds[0]);
  return r;
}

Strings Sh(const std::string& script) { return {"sh", "-c", script}; }

TEST(PerBatchTest, SortRunsOncePerBatchAndTicksKeepTheirPlace) {
  StageRun r = PerBatch({"sort"}, Lines({R"({"a":3})", R"({"a":1})", Tick(0), R"({"a":2})",
                                         R"({"a":0})", R"({"a":1})", Tick(1)}));
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.lines, Strings({R"({"a":1})", R"({"a":3})", Tick(0), R"({"a":0})", R"({"a":1})",
                              R"({"a":2})", Tick(1), kEnd}))
      << "each batch is sorted on its own; its TICK follows its output";
  errno = 0;
  EXPECT_EQ(::waitpid(-1, nullptr, WNOHANG), -1);
  EXPECT_EQ(errno, ECHILD) << "every child has been reaped";
}

TEST(PerBatchTest, ArgumentsGoToTheCommandUnchanged) {
  // No shell in between: '$HOME' and '*' reach tr as they are.
  StageRun r = PerBatch({"tr", "a-z$*", "A-Z#+"}, Lines({R"({"name":"ann$*"})", Tick(4)}));
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.lines, Strings({R"({"NAME":"ANN#+"})", Tick(4), kEnd}));
}

TEST(PerBatchTest, WhereAndSelectApplyBeforeTheCommand) {
  // wc -l sees only the kept records; the output proves what it read.
  StageRun r =
      PerBatch(Sh(R"(n=$(wc -l); printf '{"n":%d}\n' "$n")"),
               Lines({R"({"a":1,"b":"x"})", R"({"a":2,"b":"y"})", R"({"a":3,"b":"z"})", Tick(0)}),
               CommonOptions(), "a >= 2");
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.data, Strings({R"({"n":2})"}));
  StageRun s = PerBatch({"cat"}, Lines({R"({"a":1,"b":"x"})", R"({"a":2,"b":"y"})", Tick(0)}),
                        CommonOptions(), "a >= 2", "b AS c");
  ASSERT_TRUE(s.status.ok()) << s.status.ToString();
  EXPECT_EQ(s.data, Strings({R"({"c":"y"})"}));
}

TEST(PerBatchTest, BinaryInputReachesTheCommandAsOneJsonLinePerRecord) {
  // A record from binary frames may hold line breaks between tokens.
  StageRun r = PerBatch(Sh(R"(n=$(wc -l); printf '{"lines":%d}\n' "$n")"),
                        Binary({"{\"a\":\n1}", "{\"b\":2}"}));
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.data, Strings({R"({"lines":2})"}));
}

TEST(PerBatchTest, BinaryOutputCarriesAFieldIndex) {
  CommonOptions common;
  common.wire = "binary";
  StageRun r = PerBatch({"cat"}, Lines({R"({"a":1,"b":"x"})", Tick(0)}), common);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  MemorySource src(r.output);
  FrameReader reader(&src);
  Frame f;
  Status st;
  ASSERT_EQ(reader.Next(&f, -1, &st), FrameReader::Result::kFrame) << st.ToString();
  ASSERT_EQ(f.type, FrameType::kData);
  EXPECT_EQ(f.json, R"({"a":1,"b":"x"})");
  EXPECT_EQ(f.field_count(), 2u);
  ASSERT_EQ(reader.Next(&f, -1, &st), FrameReader::Result::kFrame);
  EXPECT_EQ(f.type, FrameType::kTick);
}

TEST(PerBatchTest, BatchesWithoutRecordsDoNotRunTheCommand) {
  // The command prints a record even for empty input, so a run would show.
  Strings argv = Sh(R"(cat; echo '{"ran":true}')");
  StageRun r =
      PerBatch(argv, Lines({Tick(0), R"({"a":1})", Tick(1), Tick(2), R"({"a":5})", Tick(3)}),
               CommonOptions(), "a < 5");
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.lines,
            Strings({Tick(0), R"({"a":1})", R"({"ran":true})", Tick(1), Tick(2), Tick(3), kEnd}))
      << "no run for the idle tick 2 nor for batch 3, whose only record --where dropped";
}

TEST(PerBatchTest, EndOfInputFlushesTheOpenBatchThroughTheCommand) {
  StageRun r = PerBatch({"sort", "-r"}, Lines({R"({"a":1})", R"({"a":2})", kEnd}));
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.lines, Strings({R"({"a":2})", R"({"a":1})", Tick(0), kEnd}));
  StageRun eof = PerBatch({"cat"}, Lines({Tick(6), R"({"a":1})"}));  // EOF without END
  ASSERT_TRUE(eof.status.ok()) << eof.status.ToString();
  EXPECT_EQ(eof.lines, Strings({Tick(6), R"({"a":1})", Tick(7), kEnd}));
}

TEST(PerBatchTest, WatermarksInsideABatchFollowItsOutput) {
  StageRun r = PerBatch(
      {"cat"}, Lines({Wm(5), R"({"a":1})", Wm(10), R"({"a":2})", Tick(0), Wm(20), Tick(1)}));
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_EQ(r.lines.size(), 8u) << r.output;
  EXPECT_NE(r.lines[0].find("\"ms\":5,"), std::string::npos) << "before any record: at once";
  EXPECT_EQ(r.lines[1], R"({"a":1})");
  EXPECT_EQ(r.lines[2], R"({"a":2})");
  EXPECT_NE(r.lines[3].find("\"ms\":10,"), std::string::npos)
      << "held back until the batch's records are out, never ahead of them";
  EXPECT_EQ(r.lines[4], Tick(0));
  EXPECT_NE(r.lines[5].find("\"ms\":20,"), std::string::npos);
  EXPECT_EQ(r.lines[6], Tick(1));
}

TEST(PerBatchTest, AFailingCommandFailsTheBatchNamingItsStatusAndStderr) {
  std::string err;
  StageRun r = PerBatchCapturingStderr(
      Sh("in=$(cat); case $in in *stop*) echo first >&2; echo 'boom: bad input' >&2; exit 3;; "
         "esac; printf '%s\\n' \"$in\""),
      Lines({R"({"a":1})", Tick(0), R"({"a":"stop"})", Tick(1), R"({"a":3})", Tick(2)}), &err);
  EXPECT_EQ(r.status.code(), StatusCode::kIOError) << r.status.ToString();
  EXPECT_TRUE(FailsWith(r.status, "--per-batch sh -c 'in=$(cat); case"));
  EXPECT_TRUE(FailsWith(r.status, ": batch 1 (1 record(s) in): exited with status 3"));
  EXPECT_TRUE(FailsWith(r.status, "; stderr: first | boom: bad input"));
  EXPECT_EQ(ExitCodeFor(r.status), kExitFailure);
  EXPECT_EQ(r.lines, Strings({R"({"a":1})", Tick(0)}))
      << "nothing of the failed batch, no TICK for it, and nothing after it";
  EXPECT_EQ(err, "first\nboom: bad input\n") << "the command's stderr is passed through";
}

TEST(PerBatchTest, ACommandKilledByASignalFailsTheBatch) {
  StageRun r = PerBatch(Sh("kill -KILL $$"), Lines({R"({"a":1})", Tick(2)}));
  EXPECT_TRUE(FailsWith(r.status, "batch 2 (1 record(s) in): was killed by signal 9 (SIGKILL)"));
}

TEST(PerBatchTest, OutputLinesThatAreNotJsonObjectsFollowTheBadRecordPolicy) {
  Strings argv =
      Sh(R"(cat; echo 'not json'; echo; echo '[1,2]'; echo '{"@sstream":"tick","epoch":9}')");
  std::string in = Lines({R"({"a":1})", Tick(0)});
  StageRun fail = PerBatch(argv, in);
  EXPECT_EQ(fail.status.code(), StatusCode::kInvalidArgument) << fail.status.ToString();
  EXPECT_TRUE(FailsWith(fail.status, "--per-batch sh -c 'cat; echo"));
  EXPECT_TRUE(FailsWith(fail.status, "': batch 0: output line 2: "));
  EXPECT_EQ(ExitCodeFor(fail.status), kExitFailure);

  CommonOptions skip;
  skip.bad_records = "skip";
  StageRun skipped = PerBatch(argv, in, skip);
  ASSERT_TRUE(skipped.status.ok()) << skipped.status.ToString();
  EXPECT_EQ(skipped.lines, Strings({R"({"a":1})", Tick(0), kEnd}))
      << "the blank line is ignored; the array and the forged control line are bad records";

  TempDir dir;
  CommonOptions dl;
  dl.dead_letter = dir.File("dead.jsonl");
  StageRun dead = PerBatch(argv, in, dl);
  ASSERT_TRUE(dead.status.ok()) << dead.status.ToString();
  EXPECT_EQ(dead.data, Strings({R"({"a":1})"}));
  Strings bad = testing_util::SplitLines(TempDir::Read(dl.dead_letter));
  ASSERT_EQ(bad.size(), 3u);
  EXPECT_NE(bad[0].find(R"(: batch 0: output line 2","error":)"), std::string::npos) << bad[0];
  EXPECT_NE(bad[0].find(R"("record":"not json")"), std::string::npos) << bad[0];
  EXPECT_NE(bad[1].find("output line 4"), std::string::npos) << bad[1];
  EXPECT_NE(bad[2].find("output line 5"), std::string::npos) << bad[2];
  EXPECT_NE(bad[2].find("control line"), std::string::npos) << bad[2];
}

TEST(PerBatchTest, ABadInputRecordIsHandledBeforeTheCommand) {
  CommonOptions skip;
  skip.bad_records = "skip";
  StageRun r = PerBatch({"cat"}, Lines({R"({"a":1})", "[not an object]", Tick(0)}), skip);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.data, Strings({R"({"a":1})"}));
}

// A batch far bigger than a pipe buffer, through a command that writes while
// it reads: with stdin written and stdout read one after the other, both
// processes would block for ever.
TEST(PerBatchTest, ABatchOfSeveralMegabytesDoesNotDeadlock) {
  std::string in;
  const int n = 120000;
  for (int i = 0; i < n; ++i) {
    in += R"({"i":)" + std::to_string(i) + R"(,"pad":"abcdefghijklmnopqrstuvwxyz0123456789"})";
    in += '\n';
  }
  ASSERT_GT(in.size(), 5u << 20);
  in += Tick(0) + "\n";
  StageRun r = PerBatch({"cat"}, in);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_EQ(r.data.size(), static_cast<size_t>(n));
  EXPECT_EQ(r.data.front(), R"({"i":0,"pad":"abcdefghijklmnopqrstuvwxyz0123456789"})");
  EXPECT_EQ(r.data.back(), R"({"i":119999,"pad":"abcdefghijklmnopqrstuvwxyz0123456789"})");
  EXPECT_EQ(r.control, Strings({Tick(0), kEnd}));
}

TEST(PerBatchTest, ACommandThatStopsReadingEarlyIsNotAnError) {
  std::string in;
  for (int i = 0; i < 100000; ++i) in += R"({"i":)" + std::to_string(i) + "}\n";
  in += Tick(0) + "\n" + R"({"i":-1})" + "\n" + Tick(1) + "\n";
  StageRun r = PerBatch({"head", "-n", "1"}, in);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.lines, Strings({R"({"i":0})", Tick(0), R"({"i":-1})", Tick(1), kEnd}))
      << "the rest of the batch is dropped quietly (EPIPE), and the next batch runs";
}

TEST(PerBatchTest, TheCommandInheritsNoOtherDescriptor) {
  int fd = ::open("/dev/null", O_RDONLY);  // deliberately without O_CLOEXEC
  ASSERT_GE(fd, 3);
  std::string probe = "/proc/self/fd/" + std::to_string(fd);
  StageRun r = PerBatch(Sh("cat > /dev/null; if [ -e " + probe +
                           " ]; then echo '{\"leak\":true}'; else echo "
                           "'{\"leak\":false}'; fi"),
                        Lines({R"({"a":1})", Tick(0)}));
  ::close(fd);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.data, Strings({R"({"leak":false})"}));
}

TEST(PerBatchTest, ACommandThatCannotRunIsAUsageError) {
  MapOptions o;
  o.per_batch = {"sstream-no-such-command-xyz", "arg"};
  std::unique_ptr<Operator> op;
  Status s = NewMapOperator(o, &op);
  EXPECT_EQ(s.code(), StatusCode::kUsage);
  EXPECT_TRUE(FailsWith(s, "--per-batch: sstream-no-such-command-xyz: command not found"));

  TempDir dir;
  const std::string script = dir.Write("script.sh", "#!/bin/sh\necho hi\n");
  o.per_batch = {script};  // not executable
  s = NewMapOperator(o, &op);
  EXPECT_EQ(s.code(), StatusCode::kUsage);
  EXPECT_TRUE(FailsWith(s, "script.sh: not an executable file"));
  o.per_batch = {dir.File("missing")};
  s = NewMapOperator(o, &op);
  EXPECT_TRUE(FailsWith(s, "missing: no such file"));
  ASSERT_EQ(::chmod(script.c_str(), 0755), 0);
  o.per_batch = {script};
  EXPECT_TRUE(NewMapOperator(o, &op).ok()) << "a path to an executable file runs";
}

TEST(PerBatchTest, BadWhereIsStillReportedWithPerBatch) {
  MapOptions o;
  o.where = "a >";
  o.per_batch = {"cat"};
  std::unique_ptr<Operator> op;
  EXPECT_TRUE(FailsWith(NewMapOperator(o, &op), "--where"));
}

TEST(SubprocessTest, RunCommandReportsHowTheCommandEnded) {
  std::string out;
  CommandResult res;
  ASSERT_TRUE(RunCommand({"sh", "-c", "cat; echo err >&2; exit 4"}, "in\n", -1, &out, &res).ok());
  EXPECT_EQ(out, "in\n");
  EXPECT_FALSE(res.ok());
  EXPECT_EQ(res.Describe(), "exited with status 4");
  EXPECT_EQ(res.LastStderrLines(3), "err");
  Status s = RunCommand({"sstream-no-such-command-xyz"}, "", -1, &out, &res);
  EXPECT_TRUE(FailsWith(s, "cannot run sstream-no-such-command-xyz"));
}

TEST(SubprocessTest, LastStderrLinesKeepsTheEnd) {
  CommandResult res;
  res.stderr_tail = "one\ntwo\n\nthree\nfour\n\n";
  EXPECT_EQ(res.LastStderrLines(3), "two | three | four") << "blank lines are not counted";
  EXPECT_EQ(res.LastStderrLines(1), "four");
}

TEST(SubprocessTest, ShellJoinQuotesOnlyWhatNeedsIt) {
  EXPECT_EQ(ShellJoin({"sort", "-t,", "-k2"}), "sort -t, -k2");
  EXPECT_EQ(ShellJoin({"sh", "-c", "echo 'x' $y", ""}), R"(sh -c 'echo '\''x'\'' $y' '')");
}

}  // namespace
}  // namespace sstream
