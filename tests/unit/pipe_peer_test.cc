// Unit tests for the pipe-reader detection (lib/src/io/pipe_peer.cc) on a
// synthetic /proc tree, and IdentifyPipeReader on real descriptors.
#include "io/pipe_peer.h"

#include <fcntl.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "sstream/clock.h"
#include "sstream/io.h"
#include "sstream/stage.h"

namespace sstream {
namespace {

using namespace pipe_peer;
namespace fs = std::filesystem;

TEST(PipePeerTest, ParsesStatAfterTheLastParenthesis) {
  ProcStat st;
  ASSERT_TRUE(ParseStat("4242 (we ird) (name) S 17 4242 99 34816 4242 4194304 0 0\n", &st));
  EXPECT_EQ(st.pid, 4242);
  EXPECT_EQ(st.state, 'S');
  EXPECT_EQ(st.ppid, 17);
  EXPECT_EQ(st.session, 99);
  EXPECT_FALSE(ParseStat("", &st));
  EXPECT_FALSE(ParseStat("12 (bash R 1 2 3", &st));
  EXPECT_FALSE(ParseStat("12 (bash) R 1 2", &st)) << "no session field";
  EXPECT_FALSE(ParseStat("x (bash) R 1 2 3", &st));
  // Numbers beyond an int are refused, not wrapped (signed overflow).
  EXPECT_FALSE(ParseStat("9999999999 (bash) R 1 2 3", &st));
  EXPECT_FALSE(ParseStat("12 (bash) R 1 2 -3", &st));
}

TEST(PipePeerTest, ParsesFdinfoFlagsInOctal) {
  int flags = -1;
  ASSERT_TRUE(ParseFdinfoFlags("pos:\t0\nflags:\t02000001\nmnt_id:\t15\nino:\t1\n", &flags));
  EXPECT_EQ(flags, 02000001);
  EXPECT_EQ(flags & O_ACCMODE, O_WRONLY);
  ASSERT_TRUE(ParseFdinfoFlags("pos:\t0\nflags:\t0100000\n", &flags));
  EXPECT_EQ(flags & O_ACCMODE, O_RDONLY);
  EXPECT_FALSE(ParseFdinfoFlags("pos:\t0\n", &flags));
  EXPECT_FALSE(ParseFdinfoFlags("flags:\t0109\n", &flags));
  EXPECT_FALSE(ParseFdinfoFlags("flags:\t77777777777\n", &flags)) << "beyond an int";
}

TEST(PipePeerTest, NamesProgramsFromTheirExeLink) {
  EXPECT_EQ(ProgramName("/usr/bin/jq"), "jq");
  EXPECT_EQ(ProgramName("/build/tools/sstream-map (deleted)"), "sstream-map");
  EXPECT_TRUE(IsSstreamProgram("/opt/x/sstream-window (deleted)"));
  EXPECT_FALSE(IsSstreamProgram("/usr/bin/jq"));
  EXPECT_FALSE(IsSstreamProgram("/home/sstream-x/bin/jq"));
  EXPECT_TRUE(IsLauncher("/usr/bin/env"));
  EXPECT_TRUE(IsLauncher("/usr/bin/nice"));
  EXPECT_TRUE(IsLauncher("/usr/bin/dash")) << "a shell may exec a stage";
  EXPECT_FALSE(IsLauncher("/usr/bin/tee"));
}

// A fake /proc: processes with a stat line, an exe link and descriptors that
// link to "pipe:[777]" with fdinfo flags.
class FakeProc {
 public:
  FakeProc() {
    std::string tmpl = (fs::temp_directory_path() / "sstream-proc-XXXXXX").string();
    root_ = ::mkdtemp(tmpl.data());
  }
  ~FakeProc() { fs::remove_all(root_); }
  const std::string& root() const { return root_; }

  void Process(int pid, int ppid, char state, int session, const std::string& exe) {
    std::string dir = root_ + "/" + std::to_string(pid);
    fs::create_directories(dir + "/fd");
    fs::create_directories(dir + "/fdinfo");
    std::ofstream(dir + "/stat") << pid << " (" << fs::path(exe).filename().string() << ") "
                                 << state << " " << ppid << " " << pid << " " << session
                                 << " 0 -1 4194304\n";
    ASSERT_EQ(::symlink(exe.c_str(), (dir + "/exe").c_str()), 0);
  }
  // What the kernel names where `pid` sleeps (/proc/<pid>/wchan).
  void Wchan(int pid, const std::string& where) {
    std::ofstream(root_ + "/" + std::to_string(pid) + "/wchan") << where;
  }
  // The system call `pid` is blocked in (/proc/<pid>/syscall).
  void Syscall(int pid, const std::string& text) {
    std::ofstream(root_ + "/" + std::to_string(pid) + "/syscall") << text;
  }
  void Fd(int pid, int fd, const std::string& target, int flags) {
    std::string dir = root_ + "/" + std::to_string(pid);
    ASSERT_EQ(::symlink(target.c_str(), (dir + "/fd/" + std::to_string(fd)).c_str()), 0);
    char oct[32];
    std::snprintf(oct, sizeof(oct), "0%o", static_cast<unsigned>(flags));
    std::ofstream(dir + "/fdinfo/" + std::to_string(fd)) << "pos:\t0\nflags:\t" << oct
                                                          << "\nmnt_id:\t15\n";
  }

  // The usual shape: an interactive shell 10 running `writer | reader`.
  // The writer (100) holds the write end; add readers with Reader().
  void Pipeline() {
    Process(1, 0, 'S', 1, "/usr/lib/systemd/systemd");
    Process(10, 1, 'S', 10, "/usr/bin/bash");
    Process(100, 10, 'R', 10, "/opt/bin/sstream-source");
    Fd(100, 1, "pipe:[777]", O_WRONLY);
  }
  void Reader(int pid, int ppid, char state, const std::string& exe, int session = 10) {
    Process(pid, ppid, state, session, exe);
    Fd(pid, 0, "pipe:[777]", O_RDONLY);
  }
  Verdict Judge() {
    PipeId id;
    id.link = "pipe:[777]";
    return pipe_peer::Judge(ScanPipeReaders(root_, 100, id));
  }

 private:
  std::string root_;
};

TEST(PipePeerTest, ForeignReaderGetsDataOnly) {
  FakeProc p;
  p.Pipeline();
  p.Reader(101, 10, 'S', "/usr/bin/jq");
  EXPECT_EQ(p.Judge(), Verdict::kForeign);
}

TEST(PipePeerTest, SstreamReaderGetsControl) {
  FakeProc p;
  p.Pipeline();
  p.Reader(101, 10, 'S', "/opt/bin/sstream-map (deleted)");
  p.Reader(102, 10, 'S', "/usr/bin/env");
  EXPECT_EQ(p.Judge(), Verdict::kSstream) << "an sstream reader decides at once";
}

TEST(PipePeerTest, ForkedShellNotYetExecdIsWaitedFor) {
  FakeProc p;
  p.Pipeline();
  p.Reader(101, 10, 'R', "/usr/bin/bash");  // same program as the ancestor shell
  EXPECT_EQ(p.Judge(), Verdict::kWait);
}

TEST(PipePeerTest, APendingReaderChangesWhenItExecs) {
  FakeProc p;
  p.Pipeline();
  p.Reader(101, 10, 'R', "/usr/bin/bash");
  PipeId id;
  id.link = "pipe:[777]";
  Scan scan = ScanPipeReaders(p.root(), 100, id);
  ASSERT_EQ(scan.readers.size(), 1u);
  EXPECT_TRUE(Unchanged(p.root(), scan.readers[0], id));
  std::string exe = p.root() + "/101/exe";
  ASSERT_EQ(::unlink(exe.c_str()), 0);
  ASSERT_EQ(::symlink("/opt/bin/sstream-map", exe.c_str()), 0);
  EXPECT_FALSE(Unchanged(p.root(), scan.readers[0], id));
  EXPECT_EQ(p.Judge(), Verdict::kSstream);
}

TEST(PipePeerTest, LauncherIsWaitedFor) {
  FakeProc p;
  p.Pipeline();
  p.Reader(101, 10, 'S', "/usr/bin/stdbuf");
  EXPECT_EQ(p.Judge(), Verdict::kWait);
}

TEST(PipePeerTest, AncestorShellReadingIsForeignOnlyWhenBlockedInPipeRead) {
  for (const char* wchan : {"anon_pipe_read", "fifo_pipe_read", "pipe_read", "pipe_wait"}) {
    FakeProc p;  // x=$(sstream-source ...): the shell reads, blocked in read
    p.Pipeline();
    p.Wchan(10, wchan);
    p.Fd(10, 5, "pipe:[777]", O_RDONLY);
    EXPECT_EQ(p.Judge(), Verdict::kForeign) << wchan;
  }
  {
    FakeProc p;  // read(2) on descriptor 5, which is this pipe
    p.Pipeline();
    p.Syscall(10, std::to_string(SYS_read) + " 0x5 0x7ffd0000 0x80 0x0 0x0 0x0 0x7ffd 0x7f00\n");
    p.Wchan(10, "do_wait");
    p.Fd(10, 5, "pipe:[777]", O_RDONLY);
    EXPECT_EQ(p.Judge(), Verdict::kForeign);
  }
  {
    FakeProc p;  // read(2) on another pipe (a $(...) of its own), holding ours as stdin
    p.Pipeline();
    p.Syscall(10, std::to_string(SYS_read) + " 0x3 0x7ffd0000 0x80 0x0 0x0 0x0 0x7ffd 0x7f00\n");
    p.Wchan(10, "anon_pipe_read");
    p.Fd(10, 0, "pipe:[777]", O_RDONLY);
    p.Fd(10, 3, "pipe:[888]", O_RDONLY);
    EXPECT_EQ(p.Judge(), Verdict::kWait);
  }
  // Asleep for anything else (waiting for a child, in a nanosleep), or with
  // wchan hidden: the shell may still fork the reader, so it is waited for.
  // (A shell holding a named pipe open as the stdin of `run` did this.)
  for (const char* wchan : std::initializer_list<const char*>{"do_wait", "hrtimer_nanosleep", "0", nullptr}) {
    FakeProc p;
    p.Pipeline();
    if (wchan != nullptr) p.Wchan(10, wchan);
    p.Fd(10, 5, "pipe:[777]", O_RDONLY);
    EXPECT_EQ(p.Judge(), Verdict::kWait) << (wchan ? wchan : "no wchan");
  }
  {
    FakeProc p;  // the shell between forking the writer and the reader
    p.Process(1, 0, 'S', 1, "/usr/lib/systemd/systemd");
    p.Process(10, 1, 'R', 10, "/usr/bin/bash");
    p.Process(100, 10, 'R', 10, "/opt/bin/sstream-source");
    p.Fd(100, 1, "pipe:[777]", O_WRONLY);
    p.Fd(10, 5, "pipe:[777]", O_RDONLY);
    EXPECT_EQ(p.Judge(), Verdict::kWait);
  }
}

TEST(PipePeerTest, WriteEndsOtherSessionsAndOtherPipesDoNotCount) {
  FakeProc p;
  p.Pipeline();
  p.Process(101, 10, 'S', 10, "/usr/bin/cat");
  p.Fd(101, 1, "pipe:[777]", O_WRONLY);   // another writer
  p.Fd(101, 0, "pipe:[778]", O_RDONLY);   // another pipe
  p.Reader(300, 1, 'S', "/usr/bin/jq", 300);  // another session
  EXPECT_EQ(p.Judge(), Verdict::kUnknown) << "no reader seen: keep control signals";
  p.Reader(102, 10, 'S', "/usr/bin/grep");
  EXPECT_EQ(p.Judge(), Verdict::kForeign);
}

TEST(PipePeerTest, UnreadableProcIsUnknown) {
  PipeId id;
  id.link = "pipe:[777]";
  EXPECT_EQ(Judge(ScanPipeReaders("/nonexistent-proc", 100, id)), Verdict::kUnknown);
}

TEST(PipePeerTest, IdentifiesRealDescriptors) {
  ManualClock clock;
  EXPECT_EQ(IdentifyPipeReader(-1, &clock, 0), PipeReader::kNotPipe);
  int null_fd = ::open("/dev/null", O_WRONLY);
  ASSERT_GE(null_fd, 0);
  EXPECT_EQ(IdentifyPipeReader(null_fd, &clock, 0), PipeReader::kNotPipe);
  ::close(null_fd);
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  // Only this process holds the read end, and it is not its own reader.
  EXPECT_EQ(IdentifyPipeReader(fds[1], &clock, 0), PipeReader::kUnknown);
  ::close(fds[0]);
  ::close(fds[1]);
}

// issue-10: --control and the kind of output decide whether control signals
// are written; only JSON on a pipe asks who reads it.
TEST(ResolveOutputTest, ControlSignalsFollowTheOptionAndTheOutput) {
  auto decide = [](const CommonOptions& o, int fd) {
    WireFormat format;
    std::function<bool()> write_control;
    Status s = ResolveOutput(o, fd, &format, &write_control);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return write_control ? write_control() : true;
  };
  CommonOptions o;
  EXPECT_TRUE(decide(o, -1)) << "no descriptor: as before";
  int null_fd = ::open("/dev/null", O_WRONLY);
  ASSERT_GE(null_fd, 0);
  EXPECT_TRUE(decide(o, null_fd)) << "not a pipe: kept for replay";
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  EXPECT_TRUE(decide(o, fds[1])) << "no reader to be seen: kept";
  o.control = "never";
  EXPECT_FALSE(decide(o, null_fd));
  o.control = "always";
  EXPECT_TRUE(decide(o, fds[1]));
  o.data_only = true;
  EXPECT_FALSE(decide(o, fds[1])) << "--data-only wins";
  o = CommonOptions();
  o.wire = "binary";
  EXPECT_TRUE(decide(o, fds[1]));
  ::close(fds[0]);
  ::close(fds[1]);
  ::close(null_fd);
}

}  // namespace
}  // namespace sstream
