// Cli (option descriptions) and the options shared by every stage.
#include "sstream/cli.h"

namespace sstream {

bool OptionDef::IsFileValue() const {
  return value_name == "FILE" || value_name == "PATH" || value_name == "DIR";
}

std::vector<std::string> OptionDef::Names() const {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= names.size()) {
    size_t comma = names.find(',', start);
    if (comma == std::string::npos) comma = names.size();
    if (comma > start) out.push_back(names.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

Cli& Cli::Add(OptionDef def) {
  def.group = group_;
  options_.push_back(std::move(def));
  return *this;
}

Cli& Cli::Flag(std::string names, bool* out, std::string description) {
  OptionDef d;
  d.kind = OptionDef::Kind::kFlag;
  d.names = std::move(names);
  d.description = std::move(description);
  d.target = out;
  return Add(std::move(d));
}

Cli& Cli::Count(std::string names, int* out, std::string description) {
  OptionDef d;
  d.kind = OptionDef::Kind::kCount;
  d.names = std::move(names);
  d.description = std::move(description);
  d.target = out;
  return Add(std::move(d));
}

Cli& Cli::Text(std::string names, std::string* out, std::string value_name,
               std::string description) {
  OptionDef d;
  d.kind = OptionDef::Kind::kText;
  d.names = std::move(names);
  d.value_name = std::move(value_name);
  d.description = std::move(description);
  d.default_text = *out;
  d.target = out;
  return Add(std::move(d));
}

Cli& Cli::Int(std::string names, int64_t* out, std::string value_name, std::string description) {
  OptionDef d;
  d.kind = OptionDef::Kind::kInt;
  d.names = std::move(names);
  d.value_name = std::move(value_name);
  d.description = std::move(description);
  d.default_text = std::to_string(*out);
  d.target = out;
  return Add(std::move(d));
}

Cli& Cli::TextList(std::string names, std::vector<std::string>* out, std::string value_name,
                   std::string description) {
  OptionDef d;
  d.kind = OptionDef::Kind::kTextList;
  d.names = std::move(names);
  d.value_name = std::move(value_name);
  d.description = std::move(description);
  d.target = out;
  return Add(std::move(d));
}

Cli& Cli::Choice(std::string names, std::string* out, std::vector<std::string> choices,
                 std::string description) {
  OptionDef d;
  d.kind = OptionDef::Kind::kText;
  d.names = std::move(names);
  d.value_name = "CHOICE";
  d.description = std::move(description);
  d.default_text = *out;
  d.choices = std::move(choices);
  d.target = out;
  return Add(std::move(d));
}

Cli& Cli::Positional(std::string name, std::string* out, std::string description) {
  OptionDef d;
  d.kind = OptionDef::Kind::kPositional;
  d.names = name;
  d.value_name = std::move(name);
  d.description = std::move(description);
  d.default_text = *out;
  d.target = out;
  return Add(std::move(d));
}

Cli& Cli::PositionalList(std::string name, std::vector<std::string>* out,
                         std::string description) {
  OptionDef d;
  d.kind = OptionDef::Kind::kPositionalList;
  d.names = name;
  d.value_name = std::move(name);
  d.description = std::move(description);
  d.target = out;
  return Add(std::move(d));
}

Cli& Cli::Rest(std::string names, std::vector<std::string>* out, std::string value_name,
              std::string description) {
  OptionDef d;
  d.kind = OptionDef::Kind::kRest;
  d.names = std::move(names);
  d.value_name = std::move(value_name);
  d.description = std::move(description);
  d.target = out;
  return Add(std::move(d));
}

Cli& Cli::Env(std::string variable) {
  options_.back().env = std::move(variable);
  return *this;
}

Cli& Cli::Required() {
  options_.back().required = true;
  return *this;
}

Cli& Cli::Group(std::string title) {
  group_ = std::move(title);
  return *this;
}

void AddOutputOptions(Cli& cli, CommonOptions* o) {
  cli.Group("Wire options");
  cli.Choice("--wire", &o->wire, {"json", "binary"},
             "Output wire format: JSON lines (readable anywhere) or binary frames (the fast "
             "path between sstream stages). Input format is always detected.")
      .Env("SSTREAM_WIRE");
  cli.Choice("--control", &o->control, {"auto", "always", "never"},
             "Control signals (batch ticks, watermarks, end of stream) with the data: auto "
             "writes them to files, in binary, and to a pipe read by an sstream tool, but not "
             "to a terminal or to a pipe read by another program (jq, grep, tee, ssh); always "
             "when a program in between passes them on to an sstream stage.")
      .Env("SSTREAM_CONTROL");
  cli.Flag("--data-only", &o->data_only, "Same as --control never (and wins over it).");
}

void AddTickOption(Cli& cli, CommonOptions* o) {
  cli.Text("--tick", &o->tick, "DURATION",
           "Batch interval on this stage's own clock, used only while upstream sends no batch "
           "ticks (e.g. a grep or jq sits in between).");
}

void AddBadInputOptions(Cli& cli, CommonOptions* o) {
  cli.Group("Bad input");
  cli.Choice("--bad-records", &o->bad_records, {"fail", "skip", "dead-letter"},
             "What to do with a record that cannot be used (malformed JSON, invalid UTF-8, "
             "missing or bad field, damaged frame): fail naming its position, skip and count "
             "it, or write it to the dead-letter file.");
  cli.Text("--dead-letter", &o->dead_letter, "FILE",
           "Append bad records to FILE as JSON lines {position, error, record} (implies "
           "--bad-records dead-letter).");
  cli.Int("--max-record-bytes", &o->max_record_bytes, "N",
          "Longest accepted record in bytes: a longer JSON line is a bad record; a binary "
          "frame claiming more is a damaged stream.");
}

void AddCheckpointOptions(Cli& cli, CommonOptions* o) {
  cli.Group("Checkpoint");
  cli.Text("--checkpoint", &o->checkpoint, "DIR",
           "Keep the pipeline's progress in DIR (created with mode 0700), shared by all of its "
           "stages: a rerun after a stop or a crash resumes from the last epoch the sink "
           "committed, with nothing lost or repeated (sstream(7), CHECKPOINTS).")
      .Env("SSTREAM_CHECKPOINT");
  cli.Text("--checkpoint-name", &o->checkpoint_name, "NAME",
           "This stage's name in the checkpoint; two stages of the same tool in one pipeline "
           "need names of their own.");
}

void AddCommonOptions(Cli& cli, CommonOptions* o) {
  AddOutputOptions(cli, o);
  AddTickOption(cli, o);
  AddBadInputOptions(cli, o);
  cli.Flag("--strict", &o->strict,
           "Fail where the query would read null: a field the options name that no record of a "
           "batch has stops the stage (exit 1) instead of a warning; in sstream-map, a type "
           "error (a string that is not a number, a bad CAST, a time that does not match its "
           "pattern) makes the record bad, handled by --bad-records.");
  AddCheckpointOptions(cli, o);
}

}  // namespace sstream
