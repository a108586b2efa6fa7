// The command line of every tool, defined once and rendered everywhere.
//
// A tool describes its options through Cli (name, value placeholder,
// description, default, choices, environment variable). RunTool turns that
// description into the CLI11 parser, and the same description generates
// --help, the OPTIONS section of the man page and the bash/zsh/fish
// completions (hidden flag --generate=man|bash|zsh|fish|spec). CLI11 itself is
// confined to lib/src/cli/cli.cc.
//
// RunTool also owns what every tool does identically: --version, usage errors
// (exit 2 with a "try --help" hint), -v/-q, SIGPIPE ignored and EPIPE a quiet
// exit 0, SIGINT/SIGTERM setting the stop flag (a second signal kills), the
// final Status turned into the documented exit code, and stdout flushed and
// checked at exit.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "sstream/stage.h"
#include "sstream/status.h"

namespace sstream {

struct ToolInfo {
  std::string name;     // "sstream-map"
  std::string summary;  // one line, for NAME and --help
  // (command, what it does) pairs, shown in --help and the man page.
  std::vector<std::pair<std::string, std::string>> examples;
};

struct OptionDef {
  // kRest: the option ends the tool's own options; every argument after it is
  // its value (a command and its arguments, as find -exec and xargs take).
  enum class Kind { kFlag, kCount, kText, kInt, kTextList, kPositional, kPositionalList, kRest };
  Kind kind = Kind::kText;
  std::string names;       // "-w,--where" or, for positionals, "INPUT"
  std::string value_name;  // "EXPR"
  std::string description;
  std::string default_text;            // shown as the default; empty = none
  std::vector<std::string> choices;    // enumerated values
  std::string env;                     // environment variable read when absent
  std::string group = "Options";
  bool required = false;
  void* target = nullptr;
  bool IsFileValue() const;            // value_name FILE, PATH or DIR
  std::vector<std::string> Names() const;  // {"-w", "--where"}
};

class Cli {
 public:
  Cli& Flag(std::string names, bool* out, std::string description);
  Cli& Count(std::string names, int* out, std::string description);
  Cli& Text(std::string names, std::string* out, std::string value_name, std::string description);
  Cli& Int(std::string names, int64_t* out, std::string value_name, std::string description);
  Cli& TextList(std::string names, std::vector<std::string>* out, std::string value_name,
                std::string description);
  Cli& Choice(std::string names, std::string* out, std::vector<std::string> choices,
              std::string description);
  Cli& Positional(std::string name, std::string* out, std::string description);
  Cli& PositionalList(std::string name, std::vector<std::string>* out, std::string description);
  // "--per-batch CMD [ARG...]": the arguments after the option, verbatim
  // (options among them belong to CMD, not to the tool). At least one is
  // required when the option is given. Define it last: it ends the options.
  Cli& Rest(std::string names, std::vector<std::string>* out, std::string value_name,
            std::string description);
  // Modifiers for the option defined last.
  Cli& Env(std::string variable);
  Cli& Required();
  // Options defined after this call are listed under `title`.
  Cli& Group(std::string title);

  const std::vector<OptionDef>& options() const { return options_; }

 private:
  Cli& Add(OptionDef def);
  std::vector<OptionDef> options_;
  std::string group_ = "Options";
};

// The options every frame-reading stage shares: --bad-records, --dead-letter,
// --wire, --control, --data-only, --tick, --max-record-bytes.
void AddCommonOptions(Cli& cli, CommonOptions* o);
// The parts, for tools that need only some: --wire, --control and --data-only (output),
// --tick (input without upstream ticks), and the bad-input policy.
void AddOutputOptions(Cli& cli, CommonOptions* o);
void AddTickOption(Cli& cli, CommonOptions* o);
void AddBadInputOptions(Cli& cli, CommonOptions* o);
// --checkpoint and --checkpoint-name (whose default is o->checkpoint_name).
void AddCheckpointOptions(Cli& cli, CommonOptions* o);

// The shared main. Returns the process exit status.
int RunTool(int argc, char** argv, const ToolInfo& info, const std::function<void(Cli&)>& define,
            const std::function<Status()>& body);

// Generators (also used by tests): the OPTIONS section in roff, completion
// scripts, and a JSON description of the command line.
std::string GenerateManOptions(const ToolInfo& info, const std::vector<OptionDef>& options);
std::string GenerateBash(const ToolInfo& info, const std::vector<OptionDef>& options);
std::string GenerateZsh(const ToolInfo& info, const std::vector<OptionDef>& options);
std::string GenerateFish(const ToolInfo& info, const std::vector<OptionDef>& options);
std::string GenerateSpec(const ToolInfo& info, const std::vector<OptionDef>& options);

}  // namespace sstream
