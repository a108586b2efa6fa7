// Who reads a pipe: the two ends of a pipe find each other through /proc.
//
// A stage's output is a pipe; the processes holding its read end are those
// whose /proc/<pid>/fd has a link to the same pipe, opened for reading (the
// fdinfo flags). Their /proc/<pid>/exe says what they run. The catch is
// timing: a shell forks each side of `a | b` and only then does each child
// exec its program, so when `a` looks, `b` may still be a copy of the shell,
// or not forked yet (then the shell itself still holds the read end). Such
// readers are "pending" and the caller waits for them, with a bound; see
// IdentifyPipeReader.
//
// Why /proc rather than the reader announcing itself (say, an abstract Unix
// socket named after the pipe's inode, bound by every sstream stage at
// start): the writer would still need /proc to tell a reader that is about
// to exec an sstream tool from one that never will, so announcing adds a
// mechanism without removing the wait; a stage would have to announce every
// input it might read (a named pipe, <(...)), and abstract sockets stop at
// network namespaces. /proc needs nothing from the reader.
#include "io/pipe_peer.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <set>

#include <fmt/format.h>

#include "sstream/log.h"

#include "sstream/io.h"

namespace sstream {
namespace pipe_peer {

namespace {

bool ReadSmallFile(const std::string& path, std::string* out) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  out->clear();
  char buf[1024];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out->append(buf, static_cast<size_t>(n));
    if (out->size() > 16384) break;  // stat and fdinfo are far smaller
  }
  ::close(fd);
  return !out->empty();
}

bool ReadLink(const std::string& path, std::string* out) {
  char buf[4096];
  ssize_t n = ::readlink(path.c_str(), buf, sizeof(buf));
  if (n < 0) return false;
  out->assign(buf, static_cast<size_t>(n));
  return true;
}

// Digits only, in `base`, that fit an int (from_chars alone would take a sign).
bool ParseDigits(std::string_view s, int base, int* out) {
  if (s.empty() || s[0] == '-' || s[0] == '+') return false;
  auto r = std::from_chars(s.data(), s.data() + s.size(), *out, base);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

bool ParseInt(std::string_view s, int* out) { return ParseDigits(s, 10, out); }


bool ReadStat(const std::string& proc_root, int pid, ProcStat* st) {
  std::string text;
  return ReadSmallFile(proc_root + "/" + std::to_string(pid) + "/stat", &text) &&
         ParseStat(text, st);
}

std::string Exe(const std::string& proc_root, int pid) {
  std::string exe;
  if (!ReadLink(proc_root + "/" + std::to_string(pid) + "/exe", &exe)) exe.clear();
  return exe;
}

// Whether `pid` holds the pipe open for reading.
// Whether descriptor `fd_name` of the process at `base` is the pipe.
bool FdIsPipe(const std::string& base, const std::string& fd_name, const PipeId& pipe) {
  const std::string fd_path = base + "/fd/" + fd_name;
  std::string link;
  if (!ReadLink(fd_path, &link)) return false;
  if (link == pipe.link) return true;
  // A named pipe may be opened under another name: same file?
  if (pipe.link.rfind("pipe:", 0) == 0 || link.empty() || link[0] != '/') return false;
  struct stat sb;
  return ::stat(fd_path.c_str(), &sb) == 0 && static_cast<uint64_t>(sb.st_dev) == pipe.dev &&
         static_cast<uint64_t>(sb.st_ino) == pipe.ino;
}

bool HoldsReadEnd(const std::string& proc_root, int pid, const PipeId& pipe) {
  const std::string base = proc_root + "/" + std::to_string(pid);
  DIR* dir = ::opendir((base + "/fd").c_str());
  if (dir == nullptr) return false;  // gone, or another user's
  bool found = false;
  while (!found) {
    const dirent* e = ::readdir(dir);
    if (e == nullptr) break;
    if (e->d_name[0] == '.' || !FdIsPipe(base, e->d_name, pipe)) continue;
    std::string info;
    int flags = 0;
    if (!ReadSmallFile(base + "/fdinfo/" + e->d_name, &info) || !ParseFdinfoFlags(info, &flags)) {
      continue;
    }
    found = (flags & O_ACCMODE) != O_WRONLY;
  }
  ::closedir(dir);
  return found;
}

// Blocked reading this pipe: asleep in read(2) on one of its descriptors
// (/proc/<pid>/syscall: the call's number, then its arguments in hex).
// Merely asleep is not enough: a shell waits for children, or reads other
// pipes, between forking a writer and its reader. Where the call cannot be
// seen (another user's, a ptrace restriction), the kernel's name for where
// it sleeps stands in: a pipe read ("anon_pipe_read", "fifo_pipe_read" on
// recent kernels, "pipe_read" or "pipe_wait" on older ones). Without either,
// no: the shell is waited for like any unsettled reader.
bool BlockedInPipeRead(const std::string& proc_root, int pid, char state, const PipeId& pipe) {
  if (state != 'S') return false;
  const std::string base = proc_root + "/" + std::to_string(pid);
  std::string call;
  if (ReadSmallFile(base + "/syscall", &call)) {
    long nr = -1;
    unsigned long fd = 0;
    if (std::sscanf(call.c_str(), "%ld 0x%lx", &nr, &fd) == 2) {
      return nr == SYS_read && FdIsPipe(base, std::to_string(fd), pipe);
    }
  }
  std::string wchan;
  if (!ReadSmallFile(base + "/wchan", &wchan)) return false;
  return wchan.find("pipe_read") != std::string::npos || wchan.rfind("pipe_wait", 0) == 0;
}

}  // namespace

bool ParseStat(std::string_view text, ProcStat* out) {
  size_t open = text.find('(');
  size_t close = text.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) {
    return false;
  }
  ProcStat st;
  size_t sp = text.find(' ');
  if (sp == std::string_view::npos || sp > open || !ParseInt(text.substr(0, sp), &st.pid)) {
    return false;
  }
  // After ") ": state ppid pgrp session ...
  std::string_view rest = text.substr(close + 1);
  std::vector<std::string_view> fields;
  size_t i = 0;
  while (fields.size() < 4 && i < rest.size()) {
    while (i < rest.size() && rest[i] == ' ') ++i;
    size_t j = i;
    while (j < rest.size() && rest[j] != ' ' && rest[j] != '\n') ++j;
    if (j > i) fields.push_back(rest.substr(i, j - i));
    i = j;
  }
  if (fields.size() < 4 || fields[0].size() != 1) return false;
  st.state = fields[0][0];
  if (!ParseInt(fields[1], &st.ppid) || !ParseInt(fields[3], &st.session)) return false;
  *out = st;
  return true;
}

bool ParseFdinfoFlags(std::string_view text, int* flags) {
  size_t at = 0;
  while (at < text.size()) {
    size_t end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(at, end - at);
    at = end + 1;
    if (line.rfind("flags:", 0) != 0) continue;
    line.remove_prefix(6);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    return ParseDigits(line, 8, flags);
  }
  return false;
}

std::string_view ProgramName(std::string_view exe_link) {
  constexpr std::string_view kDeleted = " (deleted)";
  if (exe_link.size() > kDeleted.size() &&
      exe_link.substr(exe_link.size() - kDeleted.size()) == kDeleted) {
    exe_link.remove_suffix(kDeleted.size());
  }
  size_t slash = exe_link.rfind('/');
  return slash == std::string_view::npos ? exe_link : exe_link.substr(slash + 1);
}

bool IsSstreamProgram(std::string_view exe_link) {
  return ProgramName(exe_link).rfind("sstream-", 0) == 0;
}

bool IsLauncher(std::string_view exe_link) {
  // Programs that exec another (env, nice, ...) or run it as a child that
  // inherits stdin (timeout, time, ...), and shells, which may do either
  // (`| sh -c 'exec sstream-map'`). Until the program they start shows up,
  // what reads the pipe is not known.
  static const char* const kLaunchers[] = {
      "sh",      "bash",   "dash",  "zsh",    "ksh",    "mksh",    "ash",    "busybox",
      "fish",    "tcsh",   "csh",
      "env",     "nice",   "nohup", "stdbuf", "ionice", "taskset", "chrt",   "setsid",
      "timeout", "time",   "sudo",  "doas",   "su",     "runuser", "setpriv", "numactl",
      "flock",   "chroot", "unshare", "nsenter", "prlimit", "systemd-run"};
  std::string_view name = ProgramName(exe_link);
  return std::any_of(std::begin(kLaunchers), std::end(kLaunchers),
                     [&](const char* l) { return name == l; });
}

Scan ScanPipeReaders(const std::string& proc_root, int self, const PipeId& pipe) {
  Scan scan;
  ProcStat me;
  if (!ReadStat(proc_root, self, &me)) return scan;
  // This process's ancestors, and the programs they run: a reader running
  // one of those is a fork that has not exec'd yet (the shell's own copy).
  std::set<int> ancestors;
  std::set<std::string> ancestor_exes;
  for (int pid = me.ppid, steps = 0; pid > 1 && steps < 64; ++steps) {
    ancestors.insert(pid);
    std::string exe = Exe(proc_root, pid);
    if (!exe.empty()) ancestor_exes.insert(exe);
    ProcStat st;
    if (!ReadStat(proc_root, pid, &st)) break;
    pid = st.ppid;
  }
  DIR* dir = ::opendir(proc_root.c_str());
  if (dir == nullptr) return scan;
  scan.usable = true;
  while (const dirent* e = ::readdir(dir)) {
    int pid;
    if (!ParseInt(e->d_name, &pid) || pid == self) continue;
    ProcStat st;
    if (!ReadStat(proc_root, pid, &st) || st.session != me.session) continue;
    if (!HoldsReadEnd(proc_root, pid, pipe)) continue;
    Reader r;
    r.pid = pid;
    r.state = st.state;
    r.ancestor = ancestors.count(pid) != 0;
    r.exe = Exe(proc_root, pid);
    if (IsSstreamProgram(r.exe)) {
      r.kind = ReaderKind::kSstream;
    } else if (r.ancestor) {
      // A shell that reads our output ($(...), <(...) read by a loop) is
      // blocked reading a pipe; one doing anything else may be about to
      // fork the reader.
      r.reading = BlockedInPipeRead(proc_root, pid, st.state, pipe);
      r.kind = r.reading ? ReaderKind::kForeign : ReaderKind::kPending;
    } else if (ancestor_exes.count(r.exe) != 0 || IsLauncher(r.exe)) {
      r.kind = ReaderKind::kPending;
    } else {
      r.kind = ReaderKind::kForeign;
    }
    scan.readers.push_back(std::move(r));
  }
  ::closedir(dir);
  return scan;
}

bool Unchanged(const std::string& proc_root, const Reader& r, const PipeId& pipe) {
  ProcStat st;
  return ReadStat(proc_root, r.pid, &st) && (!r.ancestor || BlockedInPipeRead(proc_root, r.pid, st.state, pipe) == r.reading) &&
         Exe(proc_root, r.pid) == r.exe && HoldsReadEnd(proc_root, r.pid, pipe);
}

Verdict Judge(const Scan& scan) {
  if (!scan.usable) return Verdict::kUnknown;
  bool pending = false;
  for (const Reader& r : scan.readers) {
    if (r.kind == ReaderKind::kSstream) return Verdict::kSstream;
    if (r.kind == ReaderKind::kPending) pending = true;
  }
  if (pending) return Verdict::kWait;
  return scan.readers.empty() ? Verdict::kUnknown : Verdict::kForeign;
}

}  // namespace pipe_peer

PipeReader IdentifyPipeReader(int fd, Clock* clock, int64_t wait_ms) {
  using namespace pipe_peer;
  struct stat sb;
  if (fd < 0 || ::fstat(fd, &sb) != 0 || !S_ISFIFO(sb.st_mode)) return PipeReader::kNotPipe;
  PipeId pipe;
  pipe.dev = static_cast<uint64_t>(sb.st_dev);
  pipe.ino = static_cast<uint64_t>(sb.st_ino);
  if (!ReadLink("/proc/self/fd/" + std::to_string(fd), &pipe.link)) return PipeReader::kUnknown;
  const int self = static_cast<int>(::getpid());
  const int64_t deadline = clock->SteadyNanos() / 1'000'000 + wait_ms;
  // With -vv, what was seen and decided: the readers of a pipe are the
  // one input to that decision, and the first thing to look at when a
  // stage gets no control signals.
  auto decided = [&](const Scan& scan, PipeReader verdict) {
    if (LogEnabled(LogLevel::kDebug)) {
      std::string seen;
      for (const Reader& r : scan.readers) {
        static const char* const kKinds[] = {"sstream", "pending", "foreign"};
        seen += fmt::format(" {}:{}:{}{}={}", r.pid, r.exe.empty() ? "?" : r.exe, r.state,
                            r.ancestor ? ":ancestor" : "", kKinds[static_cast<int>(r.kind)]);
      }
      static const char* const kVerdicts[] = {"not a pipe", "unknown", "sstream", "foreign"};
      Log(LogLevel::kDebug, fmt::format("output pipe read by{}: {}", seen.empty() ? " nobody seen" : seen,
                                        kVerdicts[static_cast<int>(verdict)]));
    }
    return verdict;
  };
  for (;;) {
    Scan scan = ScanPipeReaders("/proc", self, pipe);
    switch (Judge(scan)) {
      case Verdict::kSstream: return decided(scan, PipeReader::kSstream);
      case Verdict::kForeign: return decided(scan, PipeReader::kForeign);
      case Verdict::kUnknown: return decided(scan, PipeReader::kUnknown);
      case Verdict::kWait: break;
    }
    // Watch the pending readers every millisecond (cheap: their own /proc
    // entries), and scan everything again once one of them changes (an
    // exec, the shell done forking) or every 32 ms.
    for (int polls = 0; polls < 32; ++polls) {
      const int64_t left = deadline - clock->SteadyNanos() / 1'000'000;
      // Still a shell (or a launcher) after the bound: most likely a shell
      // loop reading the data itself.
      if (left <= 0) return decided(scan, PipeReader::kForeign);
      clock->SleepMillis(1);
      bool changed = false;
      for (const Reader& r : scan.readers) {
        if (r.kind == ReaderKind::kPending && !Unchanged("/proc", r, pipe)) changed = true;
      }
      if (changed) break;
    }
  }
}

}  // namespace sstream
