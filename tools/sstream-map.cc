// sstream-map -- filter records and compute fields, record by record.
#include "sstream/cli.h"
#include "sstream/map.h"

namespace {

struct Options {
  sstream::CommonOptions common;
  sstream::MapOptions map;
};

void Define(sstream::Cli& cli, Options& o) {
  cli.Text("-w,--where", &o.map.where, "EXPR",
           "Keep records for which EXPR is true (Spark SQL syntax: = != < <= > >=, AND, OR, "
           "NOT, IS [NOT] NULL, 'strings', numbers, nested.fields).");
  cli.Text("-s,--select", &o.map.select, "LIST",
           "Output only these columns: \"expr [AS name], ...\"; * keeps every field.");
  sstream::AddCommonOptions(cli, &o.common);
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  return sstream::RunTool(
      argc, argv,
      {"sstream-map", "Filter records and select fields with Spark SQL expressions",
       {{"sstream-map --where \"event_type = 'view'\" --select \"ad_id, event_time\"",
         "Keep views, and only their ad and time"},
        {"sstream-map --where 'price >= 10 AND NOT (country IS NULL)'",
         "Three-valued logic: records with a null country are dropped"},
        {"sstream-map --select '*, user.name AS user_name'",
         "Keep everything and lift a nested field to the top"}}},
      [&](sstream::Cli& cli) { Define(cli, o); },
      [&] { return sstream::RunMap(o.map, o.common); });
}
