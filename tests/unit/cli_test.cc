// The command-line description (cli.h) and what is generated from it: man
// page OPTIONS, bash/zsh/fish completions and the JSON spec.
#include "sstream/cli.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "sstream/record.h"
#include "stage_harness.h"

namespace sstream {
namespace {

using testing_util::TempDir;

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

class CliTest : public ::testing::Test {
 protected:
  CliTest() {
    cli_.Flag("-q,--quiet", &flag_, "Print errors only. Nothing else.")
        .Count("-v,--verbose", &verbose_, "More output (repeat for more)")
        .Text("-w,--where", &where_, "EXPR", "Keep records for which EXPR is true. Spark SQL.")
        .Choice("--mode", &mode_, {"append", "update", "complete"},
                "Output mode (Spark's outputMode).")
        .Text("--dead-letter", &file_, "FILE", "Append bad records to FILE.")
        .Int("--num-rows", &rows_, "N", "Rows per batch.")
        .Env("SSTREAM_ROWS")
        .Group("Input")
        .TextList("--by", &by_, "FIELD", "Group by FIELD.")
        .Required()
        .Text("--say", &say_, "TEXT", "Say 'single' and \"double\" [bracket]: colon\\back-slash")
        .PositionalList("INPUT", &inputs_, ".dot first -- input files.");
  }

  const std::vector<OptionDef>& options() const { return cli_.options(); }

  Cli cli_;
  ToolInfo info_{"sstream-test", "Test \"tool\"", {}};
  bool flag_ = false;
  int verbose_ = 0;
  std::string where_, mode_ = "append", file_, say_;
  int64_t rows_ = 20;
  std::vector<std::string> by_, inputs_;
};

TEST_F(CliTest, DefinitionsRecordEverything) {
  const auto& o = options();
  ASSERT_EQ(o.size(), 9u);
  EXPECT_EQ(o[0].kind, OptionDef::Kind::kFlag);
  EXPECT_EQ(o[0].Names(), std::vector<std::string>({"-q", "--quiet"}));
  EXPECT_EQ(o[1].kind, OptionDef::Kind::kCount);
  EXPECT_EQ(o[2].value_name, "EXPR");
  EXPECT_EQ(o[3].choices, std::vector<std::string>({"append", "update", "complete"}));
  EXPECT_EQ(o[3].default_text, "append") << "the default is the target's value";
  EXPECT_TRUE(o[4].IsFileValue());
  EXPECT_FALSE(o[2].IsFileValue());
  EXPECT_EQ(o[5].default_text, "20");
  EXPECT_EQ(o[5].env, "SSTREAM_ROWS");
  EXPECT_EQ(o[5].group, "Options");
  EXPECT_EQ(o[6].group, "Input");
  EXPECT_TRUE(o[6].required);
  EXPECT_FALSE(o[5].required);
  EXPECT_EQ(o[8].kind, OptionDef::Kind::kPositionalList);
  EXPECT_EQ(o[8].Names(), std::vector<std::string>({"INPUT"}));
  EXPECT_EQ(o[2].target, &where_);
}

TEST_F(CliTest, Bash) {
  std::string s = GenerateBash(info_, options());
  EXPECT_TRUE(Contains(s, "_sstream_test() {"));
  EXPECT_TRUE(Contains(s, "complete -F _sstream_test sstream-test\n"));
  EXPECT_TRUE(Contains(s,
                       "    --mode)\n      COMPREPLY=($(compgen -W 'append update complete' -- "
                       "\"$cur\"))\n      return ;;\n"))
      << s;
  EXPECT_TRUE(Contains(s, "    --dead-letter)\n      COMPREPLY=($(compgen -f -- \"$cur\"))"));
  EXPECT_TRUE(Contains(s, "    -w|--where|--num-rows|--by|--say)\n      return ;;"))
      << "values without completions: complete nothing";
  EXPECT_TRUE(Contains(s,
                       "compgen -W '-q --quiet -v --verbose -w --where --mode --dead-letter "
                       "--num-rows --by --say --help --version'"))
      << s;
  EXPECT_FALSE(Contains(s, "INPUT")) << "positionals are not options";
}

// Sources the generated script in bash and asks it for completions.
std::string Complete(const std::string& script, const std::string& words, int cword) {
  TempDir dir;
  std::string comp = dir.Write("comp.bash", script);
  std::string driver = dir.Write("driver.bash", "source \"$1\"\nCOMP_WORDS=(" + words +
                                                    ")\nCOMP_CWORD=" + std::to_string(cword) +
                                                    "\n_sstream_test\necho \"${COMPREPLY[*]}\"\n");
  std::string cmd = "bash --norc --noprofile " + driver + " " + comp + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return "popen failed";
  std::string out;
  char buf[256];
  while (size_t n = std::fread(buf, 1, sizeof(buf), p)) out.append(buf, n);
  ::pclose(p);
  return out;
}

TEST_F(CliTest, BashScriptCompletes) {
  if (std::system("bash -c true >/dev/null 2>&1") != 0) GTEST_SKIP() << "no bash";
  std::string s = GenerateBash(info_, options());
  EXPECT_EQ(Complete(s, "sstream-test --mode u", 2), "update\n");
  EXPECT_EQ(Complete(s, "sstream-test --mode ''", 2), "append update complete\n");
  EXPECT_EQ(Complete(s, "sstream-test --wh", 1), "--where\n");
  EXPECT_EQ(Complete(s, "sstream-test --ver", 1), "--verbose --version\n");
  EXPECT_EQ(Complete(s, "sstream-test --where x", 2), "\n");
}

TEST_F(CliTest, Zsh) {
  std::string s = GenerateZsh(info_, options());
  EXPECT_EQ(s.rfind("#compdef sstream-test\n", 0), 0u);
  EXPECT_TRUE(Contains(s, "  '(-q --quiet)'{-q,--quiet}'[Print errors only]' \\\n"))
      << "one-line hint: the first sentence, no final period\n"
      << s;
  EXPECT_TRUE(Contains(s, "  '*'{-v,--verbose}'[More output (repeat for more)]' \\\n"))
      << "counted flags repeat";
  EXPECT_TRUE(Contains(s,
                       "  '(-w --where)'{-w,--where}'[Keep records for which EXPR is true]:EXPR: "
                       "' \\\n"));
  EXPECT_TRUE(Contains(
      s, "  '--mode[Output mode (Spark'\\''s outputMode)]:CHOICE:(append update complete)' \\\n"))
      << s;
  EXPECT_TRUE(Contains(s, "  '--dead-letter[Append bad records to FILE]:FILE:_files' \\\n"));
  EXPECT_TRUE(Contains(s, "  '*--by[Group by FIELD]:FIELD: ' \\\n")) << "lists repeat";
  EXPECT_TRUE(Contains(s,
                       "'--say[Say '\\''single'\\'' and \"double\" \\[bracket\\]\\: "
                       "colon\\\\back-slash]:TEXT: '"))
      << s;
  EXPECT_TRUE(Contains(s, "  '*:.dot first -- input files:_files' \\\n"));
  EXPECT_TRUE(Contains(s, "'(- *)--version[print the version and exit]'\n"));
}

TEST_F(CliTest, Fish) {
  std::string s = GenerateFish(info_, options());
  EXPECT_TRUE(Contains(s, "complete -c sstream-test -s q -l quiet -d 'Print errors only'\n"));
  EXPECT_TRUE(Contains(s,
                       "complete -c sstream-test -s w -l where -x -d 'Keep records for which "
                       "EXPR is true'\n"));
  EXPECT_TRUE(Contains(s,
                       "complete -c sstream-test -l mode -x -a 'append update complete' -d "
                       "'Output mode (Spark'\\''s outputMode)'\n"))
      << s;
  EXPECT_TRUE(Contains(s,
                       "complete -c sstream-test -l dead-letter -r -F -d 'Append bad records "
                       "to FILE'\n"));
  EXPECT_TRUE(Contains(s,
                       "-l say -x -d 'Say '\\''single'\\'' and \"double\" [bracket]: "
                       "colon\\back-slash'\n"));
  EXPECT_TRUE(Contains(s, "complete -c sstream-test -s h -l help"));
  EXPECT_FALSE(Contains(s, "INPUT"));
}

TEST_F(CliTest, LongDescriptionsAreCutForHints) {
  Cli cli;
  std::string v;
  cli.Text("--long", &v, "X", std::string(100, 'a') + ". Second sentence.");
  std::string s = GenerateFish(info_, cli.options());
  EXPECT_TRUE(Contains(s, "-d '" + std::string(67, 'a') + "...'\n")) << s;
}

TEST_F(CliTest, SpecIsValidJsonWithEveryOption) {
  std::string s = GenerateSpec(info_, options());
  RecordScanner sc({"name", "summary", "options"});
  ASSERT_TRUE(sc.ScanCopy(s).ok()) << s;
  EXPECT_EQ(sc.value(0), "\"sstream-test\"");
  EXPECT_EQ(sc.value(1), "\"Test \\\"tool\\\"\"");
  EXPECT_TRUE(Contains(
      s, R"({"names":["--mode"],"value":"CHOICE","positional":false,)"
         R"("default":"append","choices":["append","update","complete"],)"
         R"("env":"","group":"Options","description":"Output mode (Spark's outputMode)."})"))
      << s;
  EXPECT_TRUE(Contains(s, R"("env":"SSTREAM_ROWS")"));
  EXPECT_TRUE(
      Contains(s, R"("description":"Say 'single' and \"double\" [bracket]: colon\\back-slash")"));
  EXPECT_TRUE(Contains(s, R"({"names":["INPUT"],"value":"INPUT","positional":true,)"));
  EXPECT_TRUE(Contains(s, R"({"names":["-q","--quiet"],"value":"",)")) << "flags take no value";
}

TEST_F(CliTest, ManOptions) {
  std::string s = GenerateManOptions(info_, options());
  EXPECT_EQ(s.rfind(".SS Options\n.TP\n\\fB\\-q\\fR, \\fB\\-\\-quiet\\fR\nPrint errors only. "
                    "Nothing else.\n",
                    0),
            0u)
      << s;
  EXPECT_TRUE(Contains(s, ".TP\n\\fB\\-w\\fR, \\fB\\-\\-where\\fR \\fIEXPR\\fR\n"));
  EXPECT_TRUE(Contains(s,
                       "Output mode (Spark's outputMode). One of: append, update, complete. "
                       "Default: append.\n"));
  EXPECT_TRUE(Contains(s,
                       "\\fB\\-\\-num\\-rows\\fR \\fIN\\fR\nRows per batch. Default: 20. "
                       "Environment: SSTREAM_ROWS.\n"));
  EXPECT_TRUE(Contains(s, ".SS Input\n")) << "groups become subsections";
  EXPECT_LT(s.find(".SS Input"), s.find("\\-\\-by"));
  EXPECT_TRUE(Contains(s, "Group by FIELD. May be repeated. Required.\n"));
  EXPECT_TRUE(Contains(s, "Say 'single' and \"double\" [bracket]: colon\\eback\\-slash\n"))
      << "backslashes and hyphens are escaped for roff";
  EXPECT_TRUE(Contains(s, "\\fIINPUT\\fR ...\n\\&.dot first \\-\\- input files.\n"))
      << "a line starting with '.' would be a roff request";
  EXPECT_TRUE(Contains(s, ".SS Help\n"));
  EXPECT_EQ(s.find(".SS Options", 1), std::string::npos) << "each group once";
}

TEST(CommonOptionsTest, SharedOptionsAreDefinedOnce) {
  Cli cli;
  CommonOptions o;
  AddCommonOptions(cli, &o);
  std::vector<std::string> names;
  for (const auto& d : cli.options()) {
    for (const auto& n : d.Names()) names.push_back(n);
  }
  EXPECT_EQ(names, std::vector<std::string>({"--wire", "--control", "--data-only", "--tick",
                                             "--bad-records", "--dead-letter",
                                             "--max-record-bytes", "--strict", "--checkpoint",
                                             "--checkpoint-name"}));
  const auto& opts = cli.options();
  EXPECT_EQ(opts[0].choices, std::vector<std::string>({"json", "binary"}));
  EXPECT_EQ(opts[0].env, "SSTREAM_WIRE");
  EXPECT_EQ(opts[0].default_text, "json");
  EXPECT_EQ(opts[1].choices, std::vector<std::string>({"auto", "always", "never"}));
  EXPECT_EQ(opts[1].env, "SSTREAM_CONTROL");
  EXPECT_EQ(opts[1].default_text, "auto");
  EXPECT_EQ(opts[3].default_text, "1s");
  EXPECT_EQ(opts[4].choices, std::vector<std::string>({"fail", "skip", "dead-letter"}));
  EXPECT_TRUE(opts[5].IsFileValue());
  EXPECT_EQ(opts[6].default_text, std::to_string(16 << 20));
  EXPECT_EQ(opts[6].target, &o.max_record_bytes);
  EXPECT_EQ(opts[7].target, &o.strict);
  EXPECT_EQ(opts[8].env, "SSTREAM_CHECKPOINT") << "one variable for the whole script";
  EXPECT_TRUE(opts[8].IsFileValue());

  Cli out;
  AddOutputOptions(out, &o);
  ASSERT_EQ(out.options().size(), 3u);
  EXPECT_EQ(out.options()[2].kind, OptionDef::Kind::kFlag);
}

}  // namespace
}  // namespace sstream
