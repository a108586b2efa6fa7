#include "sstream/log.h"

#include <csignal>
#include <cstdio>
#include <string>

namespace sstream {

namespace {
std::string g_identity = "sstream";
LogLevel g_level = LogLevel::kWarning;
volatile std::sig_atomic_t g_stop = 0;
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
void RequestStop() { g_stop = 1; }

}  // namespace sstream
