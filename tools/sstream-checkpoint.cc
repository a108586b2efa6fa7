// sstream-checkpoint -- show, reset or rewind a pipeline's checkpoint.
#include <unistd.h>

#include "sstream/checkpoint_admin.h"
#include "sstream/cli.h"

namespace {

struct Options {
  sstream::CheckpointCommand command;
};

void Define(sstream::Cli& cli, Options& o) {
  cli.Positional("ACTION", &o.command.action,
                 "show: what the checkpoint holds, per stage; reset: forget everything, so the "
                 "next run starts from the beginning; rewind: go back to the epoch given with "
                 "--to, so the next run replays what came after it. One of: show, reset, rewind.")
      .Required();
  cli.Positional("DIR", &o.command.dir,
                 "The checkpoint directory the pipeline's stages were given with --checkpoint.")
      .Required();
  cli.Flag("--json", &o.command.json, "show: print one JSON object, for scripts.");
  cli.Text("--to", &o.command.to, "EPOCH",
           "rewind: the last epoch to keep; everything after it is replayed by the next run "
           "(-1: from the start).");
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  sstream::FdSink out(STDOUT_FILENO, "stdout");
  return sstream::RunTool(
      argc, argv,
      {"sstream-checkpoint",
       "Show, reset or rewind a pipeline's checkpoint",
       {{"sstream-checkpoint show ckpt",
         "Each stage's epochs and state, and where the source resumes"},
        {"sstream-checkpoint show ckpt --json | jq .cut", "The last epoch the pipeline committed"},
        {"sstream-checkpoint rewind ckpt --to 41",
         "Make the next run replay everything after epoch 41"},
        {"sstream-checkpoint reset ckpt",
         "Forget all progress: the next run starts from the beginning"}}},
      [&](sstream::Cli& cli) { Define(cli, o); },
      [&] { return sstream::RunCheckpointCommand(o.command, &out); });
}
