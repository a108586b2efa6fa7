// sstream-join -- join a stream with a static table on key fields.
#include "sstream/cli.h"
#include "sstream/join.h"

namespace {

struct Options {
  sstream::CommonOptions common;
  sstream::JoinOptions join;
  Options() { common.checkpoint_name = "join"; }
};

void Define(sstream::Cli& cli, Options& o) {
  cli.Text("--static", &o.join.static_path, "FILE",
           "The static table: CSV or TSV with a header line, or JSON lines.")
      .Required();
  cli.Choice("--static-format", &o.join.static_format, {"auto", "csv", "tsv", "json"},
             "Format of the static table; auto goes by extension, then by content.");
  cli.TextList("--on", &o.join.on, "KEYS",
               "Join keys: field (one column in the output), or stream_field=static_column, "
               "where the stream side may be an expression (\"lower(user)=name\") and both "
               "columns stay; comma-separated for several.")
      .Required();
  cli.Choice("--how", &o.join.how, {"inner", "left"},
             "inner drops records without a match; left keeps them with null static columns.");
  sstream::AddCommonOptions(cli, &o.common);
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  return sstream::RunTool(
      argc, argv,
      {"sstream-join", "Join a stream of records with a static CSV or JSON table",
       {{"sstream-join --static campaigns.csv --on ad_id",
         "Add each ad's campaign_id (records without one are dropped)"},
        {"sstream-join --static users.ndjson --on uid=id --how left",
         "Add user columns, keeping records whose user is unknown"}}},
      [&](sstream::Cli& cli) { Define(cli, o); },
      [&] { return sstream::RunJoin(o.join, o.common); });
}
