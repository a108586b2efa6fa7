// RunTool: the shared main. The only translation unit that includes CLI11
// (it costs seconds of compile time per file).
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "sstream/cli.h"
#include "sstream/log.h"
#include "sstream/version.h"

namespace sstream {

namespace {

void OnStopSignal(int sig) {
  if (StopRequested()) {
    // Second signal: the user insists. Die by the signal (exit 128+sig).
    ::signal(sig, SIG_DFL);
    ::raise(sig);
    return;
  }
  RequestStop();
}

void InstallSignals() {
  ::signal(SIGPIPE, SIG_IGN);
  struct sigaction sa;
  std::memset(&sa, 0, sizeof(sa));
  sa.sa_handler = OnStopSignal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: blocking reads return EINTR and see the flag
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
}

std::string ExamplesFooter(const ToolInfo& info) {
  if (info.examples.empty()) return "";
  std::string out = "Examples:\n";
  for (const auto& [cmd, what] : info.examples) {
    out += fmt::format("  {}\n      {}\n", what, cmd);
  }
  out += fmt::format("\nSee {}(1) and sstream(7) for details.", info.name);
  return out;
}

void AddToApp(CLI::App& app, const OptionDef& d) {
  CLI::Option* opt = nullptr;
  switch (d.kind) {
    case OptionDef::Kind::kFlag:
      opt = app.add_flag(d.names, *static_cast<bool*>(d.target), d.description);
      break;
    case OptionDef::Kind::kCount:
      opt = app.add_flag(d.names, *static_cast<int*>(d.target), d.description);
      break;
    case OptionDef::Kind::kText:
    case OptionDef::Kind::kPositional:
      opt = app.add_option(d.names, *static_cast<std::string*>(d.target), d.description);
      break;
    case OptionDef::Kind::kInt:
      opt = app.add_option(d.names, *static_cast<int64_t*>(d.target), d.description);
      break;
    case OptionDef::Kind::kTextList:
      opt = app.add_option(d.names, *static_cast<std::vector<std::string>*>(d.target),
                           d.description);
      opt->expected(1)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
      break;
    case OptionDef::Kind::kPositionalList:
      opt = app.add_option(d.names, *static_cast<std::vector<std::string>*>(d.target),
                           d.description);
      break;
    case OptionDef::Kind::kRest:
      // Listed for --help only: SplitRest takes the option and what follows
      // off the command line before CLI11 sees it.
      opt = app.add_option(d.names, d.description);
      break;
  }
  if (d.kind == OptionDef::Kind::kRest) {
    opt->type_name(d.value_name + " [ARG...]");
  } else if (!d.value_name.empty()) {
    opt->type_name(d.value_name);
  }
  if (!d.default_text.empty()) opt->default_str(d.default_text);
  if (!d.choices.empty()) opt->check(CLI::IsMember(d.choices));
  if (!d.env.empty()) opt->envname(d.env);
  if (d.required) opt->required();
  opt->group(d.group);
}

// The option definition a command-line word names ("--where", "-w", or
// "--where=X"), or null.
const OptionDef* FindOption(const std::vector<OptionDef>& options, std::string_view word,
                            bool* attached) {
  for (const auto& d : options) {
    if (d.kind == OptionDef::Kind::kPositional || d.kind == OptionDef::Kind::kPositionalList) {
      continue;
    }
    for (const auto& n : d.Names()) {
      *attached = false;
      if (word == n) return &d;
      *attached = true;
      if (n.size() > 2 && word.size() > n.size() && word.starts_with(n) && word[n.size()] == '=') {
        return &d;
      }
    }
  }
  return nullptr;
}

// Cuts the command line at the first option of kind kRest: the words after it
// (and a value attached with '=') go to its target, verbatim. The values of
// other options are skipped, so `--where --per-batch` is a --where value, and
// "--" ends the search. Returns false when the option has nothing after it.
bool SplitRest(const std::vector<OptionDef>& options, std::vector<char*>* args,
               std::string* rest_name) {
  for (size_t i = 1; i < args->size(); ++i) {
    std::string_view word = (*args)[i];
    if (word == "--") return true;
    bool attached = false;
    const OptionDef* d = FindOption(options, word, &attached);
    if (d == nullptr) continue;
    if (d->kind == OptionDef::Kind::kRest) {
      auto* out = static_cast<std::vector<std::string>*>(d->target);
      out->clear();
      if (attached) out->emplace_back(word.substr(word.find('=') + 1));
      for (size_t k = i + 1; k < args->size(); ++k) out->emplace_back((*args)[k]);
      *rest_name = d->Names().back();
      args->resize(i);
      return !out->empty();
    }
    const bool flag = d->kind == OptionDef::Kind::kFlag || d->kind == OptionDef::Kind::kCount;
    if (!flag && !attached) ++i;
  }
  return true;
}

Status CloseStdout() {
  std::fflush(stdout);
  if (::close(STDOUT_FILENO) != 0 && errno != EBADF && errno != EPIPE) {
    return Status::IOError(fmt::format("closing standard output: {}", std::strerror(errno)));
  }
  return Status::OK();
}

// --help and --version: a write error (a full disk, /dev/full) is a failure.
int WrittenOrFailed(const ToolInfo& info, int code) {
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
    std::fprintf(stderr, "%s: error: writing standard output: %s\n", info.name.c_str(),
                 std::strerror(errno));
    return kExitFailure;
  }
  return code;
}

}  // namespace

int RunTool(int argc, char** argv, const ToolInfo& info, const std::function<void(Cli&)>& define,
            const std::function<Status()>& body) {
  SetLogIdentity(info.name);
  Cli cli;
  define(cli);
  int verbose = 0, quiet = 0;
  cli.Group("Common options");
  cli.Count("-v,--verbose", &verbose, "More diagnostics on stderr (-vv for debug).");
  cli.Count("-q,--quiet", &quiet, "Only errors on stderr.");

  CLI::App app(info.summary, info.name);
  app.footer(ExamplesFooter(info));
  app.get_formatter()->column_width(34);
  for (const auto& d : cli.options()) AddToApp(app, d);
  app.set_version_flag("--version", fmt::format("{} {} (wire format version {})", info.name,
                                                SSTREAM_VERSION, SSTREAM_WIRE_VERSION));
  std::string generate;
  app.add_option("--generate", generate, "Print generated documentation")
      ->check(CLI::IsMember({"man", "bash", "zsh", "fish", "spec"}))
      ->group("");

  // Everything after a rest option (--per-batch CMD ARG...) belongs to it,
  // --help and --generate included.
  std::vector<char*> args(argv, argv + argc);
  std::string rest_name;
  if (!SplitRest(cli.options(), &args, &rest_name)) {
    std::fprintf(stderr, "%s: error: %s needs a command\nTry '%s --help' for more information.\n",
                 info.name.c_str(), rest_name.c_str(), info.name.c_str());
    return kExitUsage;
  }
  argc = static_cast<int>(args.size());
  argv = args.data();

  // --generate renders documentation from the definitions alone: it must work
  // without the options a real run requires, so it is handled before parsing.
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a.rfind("--generate=", 0) == 0) {
      generate = std::string(a.substr(11));
    } else if (a == "--generate" && i + 1 < argc) {
      generate = argv[i + 1];
    }
  }
  if (!generate.empty()) {
    std::string out;
    if (generate == "man") out = GenerateManOptions(info, cli.options());
    if (generate == "bash") out = GenerateBash(info, cli.options());
    if (generate == "zsh") out = GenerateZsh(info, cli.options());
    if (generate == "fish") out = GenerateFish(info, cli.options());
    if (generate == "spec") out = GenerateSpec(info, cli.options());
    if (out.empty()) {
      std::fprintf(stderr, "%s: error: --generate: expected man, bash, zsh, fish or spec\n",
                   info.name.c_str());
      return kExitUsage;
    }
    std::fwrite(out.data(), 1, out.size(), stdout);
    return WrittenOrFailed(info, kExitOk);
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return WrittenOrFailed(info, app.exit(e));
  } catch (const CLI::CallForAllHelp& e) {
    return WrittenOrFailed(info, app.exit(e));
  } catch (const CLI::CallForVersion& e) {
    return WrittenOrFailed(info, app.exit(e));
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "%s: error: %s\nTry '%s --help' for more information.\n",
                 info.name.c_str(), e.what(), info.name.c_str());
    return kExitUsage;
  }

  LogLevel level = LogLevel::kWarning;
  if (quiet > 0) level = LogLevel::kError;
  if (verbose == 1) level = LogLevel::kInfo;
  if (verbose >= 2) level = LogLevel::kDebug;
  SetLogLevel(level);
  InstallSignals();

  Status s = body();
  Status closed = CloseStdout();
  if (s.ok() && !closed.ok()) s = closed;
  if (!s.ok() && !s.IsPipeClosed()) {
    Log(LogLevel::kError, s.message());
  }
  return ExitCodeFor(s);
}

}  // namespace sstream
