// sstream-map -- filter records and compute fields, record by record, or run
// a command once per micro-batch.
#include "sstream/cli.h"
#include "sstream/map.h"

namespace {

struct Options {
  sstream::CommonOptions common;
  sstream::MapOptions map;
  Options() { common.checkpoint_name = "map"; }
};

void Define(sstream::Cli& cli, Options& o) {
  cli.Text("-w,--where", &o.map.where, "EXPR",
           "Keep records for which EXPR is true (Spark SQL syntax: = != < <= > >=, AND, OR, "
           "NOT, IS [NOT] NULL, 'strings', numbers, nested.fields).");
  cli.Text("-s,--select", &o.map.select, "LIST",
           "Output only these columns: \"expr [AS name], ...\"; * keeps every field.");
  cli.Text("-e,--explode", &o.map.explode, "EXPR",
           "\"EXPR [AS name]\": one record per element of the array EXPR (a field, or "
           "split(...), from_json(...)), with the other fields kept and the element under "
           "name (default: the field's own name, or col). After --where, before --select.");
  sstream::AddCommonOptions(cli, &o.common);
  cli.Group("Per-batch command");
  cli.Rest("--per-batch", &o.map.per_batch, "CMD",
           "Run CMD once per micro-batch, as Spark's transform. The batch's records (after "
           "--where and --select) go to its stdin, one JSON object per line; the lines it "
           "prints, JSON objects, are the batch's output. CMD is executed directly, not by a "
           "shell. Everything after --per-batch belongs to CMD, so it comes last.");
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
         "Keep everything and lift a nested field to the top"},
        {"sstream-map --explode \"split(tags, ',') AS tag\" --select 'id, trim(tag) AS tag'",
         "One record per comma-separated tag"},
        {"sstream-map --where 'price > 0' --per-batch sort -u",
         "Drop duplicate records within each micro-batch; sort's options follow --per-batch"},
        {"sstream-map --per-batch jq -c -s 'group_by(.user)[] | {user: .[0].user, n: length}'",
         "Count each batch's records per user with jq (Spark's transform)"}}},
      [&](sstream::Cli& cli) { Define(cli, o); },
      [&] { return sstream::RunMap(o.map, o.common); });
}
