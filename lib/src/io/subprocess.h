// Subprocess: run a command with bytes on its stdin and collect its stdout.
//
// The command's argv is executed directly (no shell). Its stdin is written
// and its stdout and stderr are read at the same time (poll(2) over
// non-blocking pipes), so input and output larger than a pipe buffer cannot
// deadlock. A command that exits without reading all its input is not an
// error here: the rest of the input is dropped (EPIPE is expected, SIGPIPE is
// ignored by every tool). The child gets no descriptor but 0, 1 and 2, runs
// in its own process group (a Ctrl-C on the terminal reaches the stage, which
// finishes the batch, and not the command) and is always reaped.
// Not thread-safe: one command at a time per caller.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sstream/status.h"

namespace sstream {

struct CommandResult {
  bool signaled = false;
  int exit_code = 0;  // !signaled: the exit status
  int signal = 0;     // signaled: the signal that killed it
  // The end of what the command wrote on stderr (at most a few KiB).
  std::string stderr_tail;

  bool ok() const { return !signaled && exit_code == 0; }
  // "exited with status 3" or "was killed by signal 9 (SIGKILL)".
  std::string Describe() const;
  // The last `n` non-empty lines of stderr_tail, joined by " | ".
  std::string LastStderrLines(size_t n) const;
};

// Checks that argv[0] names an executable file, searching PATH as execvp
// does when it holds no slash. NotFound or InvalidArgument (not executable)
// with a message naming the command.
Status CheckExecutable(const std::string& name);

// Runs `argv` with `input` on its stdin; appends its stdout to *output. What
// it writes on stderr is copied to `relay_fd` as it arrives (unless
// relay_fd < 0) and its end kept in result->stderr_tail. Returns an error only
// when the command could not be started or a pipe failed; how the command
// ended is in *result.
Status RunCommand(const std::vector<std::string>& argv, std::string_view input, int relay_fd,
                  std::string* output, CommandResult* result);

// argv as a shell would need it typed: words quoted only where necessary.
std::string ShellJoin(const std::vector<std::string>& argv);

}  // namespace sstream
