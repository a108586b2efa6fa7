// Diagnostics on stderr, one line each, prefixed with the tool name:
//   sstream-map: warning: stdin: line 12: invalid JSON: ...
// Verbosity is one scale shared by all tools: -q = errors only, default =
// warnings, -v = info, -vv = debug. Not thread-safe (tools are single-threaded).
#pragma once

#include <string_view>

namespace sstream {

enum class LogLevel { kError = 0, kWarning = 1, kInfo = 2, kDebug = 3 };

void SetLogIdentity(std::string_view tool_name);
void SetLogLevel(LogLevel level);
bool LogEnabled(LogLevel level);
void Log(LogLevel level, std::string_view message);

// Set by SIGINT/SIGTERM (installed by RunTool): finish the batch and stop.
bool StopRequested();
void RequestStop();
// A descriptor that becomes readable when a stop is requested (a self-pipe,
// written by RequestStop, so by the signal handler): waits poll it with
// their input, so a signal that lands between a look at StopRequested() and
// the wait still ends the wait. -1 if it could not be made.
int StopWaitFd();
// Empties the descriptor after a wait it ended (StopRequested() stays true).
void DrainStopWaitFd();
// Tests only: forget a stop request.
void ClearStopRequestForTesting();

}  // namespace sstream
