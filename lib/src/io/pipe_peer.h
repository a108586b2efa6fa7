// Internals of IdentifyPipeReader (io.h): reading /proc to find the
// processes that hold the read end of a pipe, and judging what they are.
//
// Everything takes the /proc root and this process's pid as arguments, so
// the unit tests run it on a synthetic tree. Pure functions; no state.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sstream::pipe_peer {

// The fields of /proc/<pid>/stat that matter here.
struct ProcStat {
  int pid = 0;
  char state = '?';  // R running, S sleeping, D disk wait, T stopped, ...
  int ppid = 0;
  int session = 0;
};

// Parses /proc/<pid>/stat. The command name is in parentheses and may itself
// hold ')' or spaces, so the fields are counted from the last ')'.
bool ParseStat(std::string_view text, ProcStat* out);

// The open flags (octal "flags:" line) of /proc/<pid>/fdinfo/<fd>.
bool ParseFdinfoFlags(std::string_view text, int* flags);

// The program's file name from a /proc/<pid>/exe link: the last path
// component, without the " (deleted)" the kernel adds after the file is
// replaced (a rebuilt or upgraded binary that is still running).
std::string_view ProgramName(std::string_view exe_link);

// An sstream tool: its program name starts with "sstream-".
bool IsSstreamProgram(std::string_view exe_link);

// A program that runs another in its place or as its child, keeping stdin
// (env, nice, stdbuf, timeout, ..., and shells): what it will run is not
// known yet.
bool IsLauncher(std::string_view exe_link);

enum class ReaderKind {
  kSstream,  // an sstream tool: it wants control signals
  kPending,  // not settled: a forked shell that has not exec'd its program
             // yet, a launcher, or an ancestor that is still running
  kForeign,  // another program (jq, grep, head, a shell reading $(...))
};

struct Reader {
  int pid = 0;
  char state = '?';  // from /proc/<pid>/stat when scanned
  bool ancestor = false;  // of the scanning process
  bool reading = false;   // an ancestor blocked reading a pipe (wchan)
  std::string exe;   // the /proc/<pid>/exe link ("" when unreadable)
  ReaderKind kind = ReaderKind::kForeign;
};

// What a pipe is, as /proc/<pid>/fd links name it: "pipe:[inode]" for an
// anonymous pipe. A named pipe's link is its path, so it is matched by
// device and inode instead (stat of the link).
struct PipeId {
  std::string link;
  uint64_t dev = 0;
  uint64_t ino = 0;
};

struct Scan {
  bool usable = false;  // /proc and this process's own entry could be read
  std::vector<Reader> readers;
};

// The processes of this session (other than `self`) that hold the pipe open
// for reading, each judged: an sstream tool; pending (its exe is the same
// program as one of this process's ancestors, i.e. a forked shell that has not
// exec'd yet; a launcher; or an ancestor not blocked reading this pipe, e.g.
// the shell between forking this process and the reader); or foreign.
Scan ScanPipeReaders(const std::string& proc_root, int self, const PipeId& pipe);

// A reader still as scanned: same program, still holding the read end, and
// (an ancestor) reading the pipe or not, as it was.
bool Unchanged(const std::string& proc_root, const Reader& r, const PipeId& pipe);

enum class Verdict {
  kSstream,  // some reader is an sstream tool
  kForeign,  // every reader is settled and none is an sstream tool
  kWait,     // no sstream tool yet, and some reader is pending
  kUnknown,  // /proc unusable, or no reader found (another user or session)
};

Verdict Judge(const Scan& scan);

}  // namespace sstream::pipe_peer
