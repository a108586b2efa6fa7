// RunCommand: one child process, its stdin written and its stdout and stderr
// read in a single poll(2) loop.
#include "io/subprocess.h"

#include <fcntl.h>
#include <pthread.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "errors.h"

extern char** environ;

namespace sstream {

namespace {

constexpr size_t kStderrTailBytes = 4096;
constexpr size_t kReadChunk = 64 << 10;
constexpr size_t kWriteChunk = 1 << 20;

void CloseFd(int* fd) {
  if (*fd >= 0) ::close(*fd);
  *fd = -1;
}

void WriteAll(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t r = ::write(fd, p, n);
    if (r < 0) {
      if (errno == EINTR) continue;
      return;  // a relay that fails (stderr closed) only loses the copy
    }
    p += r;
    n -= static_cast<size_t>(r);
  }
}

bool IsRegularExecutable(const std::string& path, bool* exists) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return false;
  *exists = true;
  return S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

// Blocks SIGPIPE in this thread while it lives, and discards one raised
// meanwhile: a command that stops reading must not kill the stage, whatever
// the process's disposition of SIGPIPE (tools ignore it; tests may not).
class SigpipeBlock {
 public:
  SigpipeBlock() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGPIPE);
    sigset_t pending;
    sigemptyset(&pending);
    ::sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
    ::pthread_sigmask(SIG_BLOCK, &set_, &old_);
  }
  ~SigpipeBlock() {
    if (!was_pending_) {
      sigset_t pending;
      sigemptyset(&pending);
      ::sigpending(&pending);
      if (sigismember(&pending, SIGPIPE) == 1) {
        struct timespec zero = {0, 0};
        ::sigtimedwait(&set_, nullptr, &zero);
      }
    }
    ::pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  SigpipeBlock(const SigpipeBlock&) = delete;
  SigpipeBlock& operator=(const SigpipeBlock&) = delete;

 private:
  sigset_t set_, old_;
  bool was_pending_ = false;
};

// Owns the three pipes and the spawn attributes until the child runs.
struct Pipes {
  int in[2] = {-1, -1};
  int out[2] = {-1, -1};
  int err[2] = {-1, -1};
  ~Pipes() {
    for (int* p : {in, out, err}) {
      CloseFd(&p[0]);
      CloseFd(&p[1]);
    }
  }
};

Status SetNonBlocking(int fd) {
  int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
    return PosixError("setting up a pipe to the command", errno);
  }
  return Status::OK();
}

Status Spawn(const std::vector<std::string>& argv, Pipes* p, pid_t* pid) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  posix_spawn_file_actions_t fa;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&fa);
  posix_spawnattr_init(&attr);
  posix_spawn_file_actions_adddup2(&fa, p->in[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&fa, p->out[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&fa, p->err[1], STDERR_FILENO);
  // Whatever else is open here (the stage's input, a dead-letter file, even a
  // descriptor some library opened without O_CLOEXEC) stays ours.
  posix_spawn_file_actions_addclosefrom_np(&fa, 3);
  // Tools ignore SIGPIPE, and an ignored signal survives exec: the command
  // gets the default dispositions a shell would give it.
  sigset_t defaults, empty;
  sigemptyset(&defaults);
  for (int sig : {SIGPIPE, SIGINT, SIGTERM, SIGQUIT, SIGHUP}) sigaddset(&defaults, sig);
  sigemptyset(&empty);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setsigmask(&attr, &empty);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP);
  int rc = ::posix_spawnp(pid, args[0], &fa, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) return PosixError(fmt::format("cannot run {}", argv[0]), rc);
  return Status::OK();
}

}  // namespace

std::string CommandResult::Describe() const {
  if (!signaled) return fmt::format("exited with status {}", exit_code);
  const char* abbrev = ::sigabbrev_np(signal);
  if (abbrev == nullptr) return fmt::format("was killed by signal {}", signal);
  return fmt::format("was killed by signal {} (SIG{})", signal, abbrev);
}

std::string CommandResult::LastStderrLines(size_t n) const {
  std::vector<std::string_view> lines;
  std::string_view rest = stderr_tail;
  while (!rest.empty() && lines.size() < n) {
    while (!rest.empty() && (rest.back() == '\n' || rest.back() == '\r')) rest.remove_suffix(1);
    if (rest.empty()) break;
    size_t nl = rest.find_last_of('\n');
    std::string_view line = nl == std::string_view::npos ? rest : rest.substr(nl + 1);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(0, nl);
    if (line.size() > 200) line = line.substr(0, 200);
    lines.push_back(line);
  }
  std::string out;
  for (size_t i = lines.size(); i-- > 0;) {
    if (!out.empty()) out += " | ";
    out += lines[i];
  }
  return out;
}

Status CheckExecutable(const std::string& name) {
  if (name.empty()) return Status::InvalidArgument("the command name is empty");
  bool exists = false;
  if (name.find('/') != std::string::npos) {
    if (IsRegularExecutable(name, &exists)) return Status::OK();
    if (!exists) return Status::NotFound(fmt::format("{}: no such file", name));
    return Status::InvalidArgument(fmt::format("{}: not an executable file", name));
  }
  std::string path;
  if (const char* env = ::getenv("PATH")) {
    path = env;
  } else {
    path = "/bin:/usr/bin";  // execvp's default
  }
  size_t start = 0;
  while (start <= path.size()) {
    size_t colon = path.find(':', start);
    if (colon == std::string::npos) colon = path.size();
    std::string dir = path.substr(start, colon - start);
    if (dir.empty()) dir = ".";
    if (IsRegularExecutable(dir + "/" + name, &exists)) return Status::OK();
    start = colon + 1;
  }
  if (exists) return Status::InvalidArgument(fmt::format("{}: not an executable file", name));
  return Status::NotFound(fmt::format("{}: command not found", name));
}

Status RunCommand(const std::vector<std::string>& argv, std::string_view input, int relay_fd,
                  std::string* output, CommandResult* result) {
  *result = CommandResult();
  if (argv.empty()) return Status::InvalidArgument("no command to run");
  Pipes p;
  for (int* fds : {p.in, p.out, p.err}) {
    if (::pipe2(fds, O_CLOEXEC) != 0) return PosixError("creating a pipe to the command", errno);
  }
  pid_t pid = -1;
  SSTREAM_RETURN_IF_ERROR(Spawn(argv, &p, &pid));
  CloseFd(&p.in[0]);
  CloseFd(&p.out[1]);
  CloseFd(&p.err[1]);

  Status status;
  for (int fd : {p.in[1], p.out[0], p.err[0]}) {
    if (status.ok()) status = SetNonBlocking(fd);
  }
  size_t written = 0;
  if (input.empty()) CloseFd(&p.in[1]);
  SigpipeBlock no_sigpipe;
  char buf[kReadChunk];
  while (status.ok() && (p.in[1] >= 0 || p.out[0] >= 0 || p.err[0] >= 0)) {
    struct pollfd fds[3] = {{p.in[1], POLLOUT, 0}, {p.out[0], POLLIN, 0}, {p.err[0], POLLIN, 0}};
    // Closed descriptors are -1, which poll(2) skips.
    if (::poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;  // a stop request: the batch still finishes
      status = PosixError("waiting for the command", errno);
      break;
    }
    if (p.in[1] >= 0 && fds[0].revents != 0) {
      size_t n = std::min(kWriteChunk, input.size() - written);
      ssize_t r = ::write(p.in[1], input.data() + written, n);
      if (r > 0) {
        written += static_cast<size_t>(r);
        if (written == input.size()) CloseFd(&p.in[1]);
      } else if (r < 0 && errno == EPIPE) {
        CloseFd(&p.in[1]);  // it stopped reading (head -n 1): the rest is not wanted
      } else if (r < 0 && errno != EAGAIN && errno != EINTR) {
        status = PosixError("writing to the command", errno);
      }
    }
    if (p.out[0] >= 0 && fds[1].revents != 0) {
      ssize_t r = ::read(p.out[0], buf, sizeof(buf));
      if (r > 0) {
        output->append(buf, static_cast<size_t>(r));
      } else if (r == 0) {
        CloseFd(&p.out[0]);
      } else if (errno != EAGAIN && errno != EINTR) {
        status = PosixError("reading the command's output", errno);
      }
    }
    if (p.err[0] >= 0 && fds[2].revents != 0) {
      ssize_t r = ::read(p.err[0], buf, sizeof(buf));
      if (r > 0) {
        if (relay_fd >= 0) WriteAll(relay_fd, buf, static_cast<size_t>(r));
        std::string& tail = result->stderr_tail;
        tail.append(buf, static_cast<size_t>(r));
        if (tail.size() > 2 * kStderrTailBytes) tail.erase(0, tail.size() - kStderrTailBytes);
      } else if (r == 0) {
        CloseFd(&p.err[0]);
      } else if (errno != EAGAIN && errno != EINTR) {
        status = PosixError("reading the command's stderr", errno);
      }
    }
  }
  if (!status.ok()) ::kill(pid, SIGKILL);  // never leave it running unreaped
  CloseFd(&p.in[1]);
  CloseFd(&p.out[0]);
  CloseFd(&p.err[0]);
  int ws = 0;
  while (::waitpid(pid, &ws, 0) < 0) {
    if (errno != EINTR) return PosixError("waiting for the command to exit", errno);
  }
  if (result->stderr_tail.size() > kStderrTailBytes) {
    result->stderr_tail.erase(0, result->stderr_tail.size() - kStderrTailBytes);
  }
  if (WIFSIGNALED(ws)) {
    result->signaled = true;
    result->signal = WTERMSIG(ws);
  } else {
    result->exit_code = WEXITSTATUS(ws);
  }
  return status;
}

std::string ShellJoin(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) {
    if (!out.empty()) out.push_back(' ');
    bool plain = !a.empty();
    for (char c : a) {
      bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  std::string_view("_-./:=+,@%^").find(c) != std::string_view::npos;
      if (!safe) plain = false;
    }
    if (plain) {
      out += a;
      continue;
    }
    out.push_back('\'');
    for (char c : a) {
      if (c == '\'') {
        out += "'\\''";
      } else {
        out.push_back(c);
      }
    }
    out.push_back('\'');
  }
  return out;
}

}  // namespace sstream
