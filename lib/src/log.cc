#include "sstream/log.h"

#include <fcntl.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <string>

namespace sstream {

namespace {
std::string g_identity = "sstream";
LogLevel g_level = LogLevel::kWarning;
volatile std::sig_atomic_t g_stop = 0;
volatile std::sig_atomic_t g_stop_write = -1;  // the self-pipe's ends
int g_stop_read = -1;
}  // namespace

void SetLogIdentity(std::string_view tool_name) { g_identity = std::string(tool_name); }
void SetLogLevel(LogLevel level) { g_level = level; }
bool LogEnabled(LogLevel level) { return static_cast<int>(level) <= static_cast<int>(g_level); }

void Log(LogLevel level, std::string_view message) {
  if (!LogEnabled(level)) return;
  static const char* const kNames[] = {"error", "warning", "info", "debug"};
  std::string line = g_identity;
  line += ": ";
  line += kNames[static_cast<int>(level)];
  line += ": ";
  line += message;
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), stderr);
}

bool StopRequested() { return g_stop != 0; }

// Async-signal-safe: a flag and a write(2).
void RequestStop() {
  g_stop = 1;
  const int fd = g_stop_write;
  if (fd >= 0) {
    const char c = 1;
    (void)!::write(fd, &c, 1);
  }
}

int StopWaitFd() {
  if (g_stop_read < 0) {
    int p[2];
    if (::pipe2(p, O_CLOEXEC | O_NONBLOCK) != 0) return -1;
    g_stop_read = p[0];
    g_stop_write = p[1];
    if (g_stop != 0) RequestStop();  // requested before the pipe existed
  }
  return g_stop_read;
}

void DrainStopWaitFd() {
  char buf[64];
  if (g_stop_read >= 0) {
    while (::read(g_stop_read, buf, sizeof(buf)) > 0) {
    }
  }
}

void ClearStopRequestForTesting() {
  g_stop = 0;
  DrainStopWaitFd();
}

}  // namespace sstream
